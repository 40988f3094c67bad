"""Max and average pooling from scratch, on the same im2col columns as conv2d (chapter 8).

A pooling window is a receptive field with no weights: ``F.unfold`` copies each window
into a column, and the column is reduced by its maximum or its mean instead of a dot
product with a filter. ``max_pool2d_im2col`` and ``avg_pool2d_im2col`` are the taught
cores; ``max_pool2d``, ``avg_pool2d``, ``MaxPool2d`` and ``AvgPool2d`` check their
arguments, accept unbatched input, and call them.

Differs from torch's pooling: no ``dilation``, ``ceil_mode`` (always floor, torch's
default), ``return_indices``, or ``count_include_pad=False`` / ``divisor_override``.
"""

import torch.nn.functional as F
from torch import nn

from dlbook_utils.layers._args import check_image, non_negative_pair, positive_pair
from dlbook_utils.layers.conv import conv_output_size

__all__ = [
    "max_pool2d_im2col",
    "avg_pool2d_im2col",
    "max_pool2d",
    "avg_pool2d",
    "MaxPool2d",
    "AvgPool2d",
]


def max_pool2d_im2col(input, kernel_size, stride, padding=(0, 0)):
    """Maximum of each window: pad with -inf, im2col, then the max of each column.

    Args:
        input: (N, C, H, W).
        kernel_size, stride, padding: pairs of ints (for H, W).
    Returns:
        (N, C, H_out, W_out), sizes given by ``conv_output_size``.

    The gradient flows to the maximum of each window only. Where a window holds tied
    maxima, Tensor.max picks the first in row-major order, as torch's CPU kernel does.
    No argument checks: ``max_pool2d`` checks, then calls this. Matches F.max_pool2d.
    """
    n, c, h, w = input.shape
    (kh, kw), (ph, pw) = kernel_size, padding
    out_h = conv_output_size(h, kh, stride[0], ph)
    out_w = conv_output_size(w, kw, stride[1], pw)
    # -inf never wins a max, so the padding never shows in the output
    input = F.pad(input, (pw, pw, ph, ph), value=float("-inf"))
    cols = F.unfold(input, kernel_size, stride=stride)  # (N, C*kh*kw, L)
    cols = cols.reshape(n, c, kh * kw, out_h * out_w)  # one window per column
    return cols.max(dim=2).values.reshape(n, c, out_h, out_w)


def avg_pool2d_im2col(input, kernel_size, stride, padding=(0, 0)):
    """Mean of each window, zero padding included: im2col, then the mean of each column.

    Args:
        input: (N, C, H, W).
        kernel_size, stride, padding: pairs of ints (for H, W).
    Returns:
        (N, C, H_out, W_out), sizes given by ``conv_output_size``.

    Every window is divided by kh * kw, padded zeros counted (torch's default,
    count_include_pad=True). No argument checks: ``avg_pool2d`` checks, then calls this.
    Matches F.avg_pool2d.
    """
    n, c, h, w = input.shape
    (kh, kw), (ph, pw) = kernel_size, padding
    out_h = conv_output_size(h, kh, stride[0], ph)
    out_w = conv_output_size(w, kw, stride[1], pw)
    cols = F.unfold(input, kernel_size, padding=padding, stride=stride)
    cols = cols.reshape(n, c, kh * kw, out_h * out_w)  # one window per column
    return cols.mean(dim=2).reshape(n, c, out_h, out_w)


def _pool_args(kernel_size, stride, padding):
    """Checked pairs (kernel_size, stride, padding); stride None means kernel_size."""
    kernel_size = positive_pair(kernel_size, "kernel_size")
    stride = kernel_size if stride is None else positive_pair(stride, "stride")
    padding = non_negative_pair(padding, "padding")
    if any(2 * p > k for p, k in zip(padding, kernel_size, strict=True)):
        # torch's rule: it keeps every window overlapping the input
        raise ValueError(
            f"padding must be at most half of kernel_size, got padding={padding} "
            f"for kernel_size={kernel_size}"
        )
    return kernel_size, stride, padding


def _pool(core, op, input, kernel_size, stride, padding):
    batched = check_image(input, op)
    kernel_size, stride, padding = _pool_args(kernel_size, stride, padding)
    if input.shape[-3] == 0:
        raise ValueError(f"{op} expects at least one channel, got input {input.shape}")
    for axis, n, k, p in zip("HW", input.shape[-2:], kernel_size, padding, strict=True):
        if k > n + 2 * p:
            raise ValueError(
                f"{op}: the window spans {k} along {axis} but the padded input has "
                f"only {n + 2 * p} (size {n}, padding {p} per side)"
            )
    out = core(input if batched else input.unsqueeze(0), kernel_size, stride, padding)
    return out if batched else out.squeeze(0)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Max pooling with F.max_pool2d's first arguments, checked; computed by the core.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size: an int or a pair of positive ints.
        stride: the same, or None for ``kernel_size`` (windows that do not overlap).
        padding: an int or a pair, at most half the kernel size; pads with -inf.
    Returns:
        (N, C, H_out, W_out) or (C, H_out, W_out).

    Matches torch.nn.functional.max_pool2d, values and gradients (tests use continuous
    random inputs, where no window has tied maxima).
    """
    return _pool(max_pool2d_im2col, "max_pool2d", input, kernel_size, stride, padding)


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """Average pooling with F.avg_pool2d's first arguments, checked; computed by the core.

    Args: as ``max_pool2d``; padding pads zeros, which count in every mean
    (count_include_pad=True). Matches torch.nn.functional.avg_pool2d, values and
    gradients.
    """
    return _pool(avg_pool2d_im2col, "avg_pool2d", input, kernel_size, stride, padding)


class _Pool2d(nn.Module):
    """Shared constructor: checks the arguments, stores them as torch does."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        _pool_args(kernel_size, stride, padding)  # fail here, not at the first forward
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self):
        """The arguments, as torch shows them (without those we do not have)."""
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        )


class MaxPool2d(_Pool2d):
    """Max pooling layer on ``max_pool2d``: MaxPool2d(kernel_size, stride=None, padding=0).

    Matches torch.nn.MaxPool2d with dilation=1, ceil_mode=False, return_indices=False
    (the only settings supported).
    """

    def forward(self, input):
        """Pool ``input`` (N, C, H, W) or (C, H, W)."""
        return max_pool2d(input, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """Average pooling layer on ``avg_pool2d``: AvgPool2d(kernel_size, stride=None, padding=0).

    Matches torch.nn.AvgPool2d with ceil_mode=False, count_include_pad=True and no
    divisor_override (the only settings supported).
    """

    def forward(self, input):
        """Pool ``input`` (N, C, H, W) or (C, H, W)."""
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding)
