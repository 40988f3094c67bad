"""2-D convolution from scratch: im2col (``F.unfold``) and one matrix product (chapter 8).

What deep-learning libraries call convolution is cross-correlation: the kernel slides over
the input without being flipped. ``conv2d_im2col`` is the taught core: it copies every
receptive field into a column, then takes all dot products with the filters in one matrix
product. ``conv2d`` is the checked public function with ``F.conv2d``'s arguments, and
``Conv2d`` the layer with ``nn.Conv2d``'s arguments, parameters and initialisation.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from dlbook_utils.layers._args import (
    check_image,
    check_int,
    non_negative_pair,
    positive_pair,
)

__all__ = [
    "conv_output_size",
    "conv2d_param_count",
    "conv2d_im2col",
    "conv2d",
    "Conv2d",
    "PADDING_MODES",
]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """Output length along one axis: floor((W + 2P - D(F - 1) - 1) / S) + 1.

    ``D(F - 1) + 1`` is the extent of the dilated kernel; the formula counts the positions
    it takes, ``S`` apart, inside the padded input. With ``D = 1`` it is the familiar
    floor((W - F + 2P) / S) + 1. Matches the sizes torch.nn.Conv2d and the pooling layers
    produce (ceil_mode=False). Ints in, int out.
    """
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def conv2d_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    """Parameters of a Conv2d layer: (F_h F_w D1 / groups) K weights plus K biases.

    ``D1`` is ``in_channels``, ``K`` is ``out_channels``; ``kernel_size`` is an int or a
    pair. Equals ``sum(p.numel() for p in nn.Conv2d(...).parameters())``.
    """
    kh, kw = positive_pair(kernel_size, "kernel_size")
    groups = check_int(groups, "groups", 1)
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"groups={groups} must divide in_channels={in_channels} "
            f"and out_channels={out_channels}"
        )
    weights = kh * kw * (in_channels // groups) * out_channels
    return weights + (out_channels if bias else 0)


def conv2d_im2col(
    input,
    weight,
    bias=None,
    stride=(1, 1),
    padding=(0, 0),
    dilation=(1, 1),
    groups=1,
):
    """Cross-correlate a batch with a bank of filters: im2col, then one matrix product.

    Args:
        input: (N, C, H, W).
        weight: (K, C / groups, kh, kw): K filters; filter k sees the input channels of
            its group only.
        bias: (K,) or None.
        stride, padding, dilation: pairs of ints (for H, W); padding is zeros, the same
            on both sides.
        groups: splits the C input channels and the K filters into that many groups.
    Returns:
        (N, K, H_out, W_out), sizes given by ``conv_output_size``.

    No argument checks: ``conv2d`` checks, then calls this. Matches F.conv2d.
    """
    n, c, h, w = input.shape
    k, _, kh, kw = weight.shape
    out_h = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    out_w = conv_output_size(w, kw, stride[1], padding[1], dilation[1])
    # One column per output position, holding its receptive field in
    # every channel, ordered (channel, row, column): (N, C*kh*kw, L)
    cols = F.unfold(
        input,
        kernel_size=(kh, kw),
        dilation=dilation,
        padding=padding,
        stride=stride,
    )
    fan_in = c // groups * kh * kw  # inputs to one filter
    cols = cols.reshape(n, groups, fan_in, out_h * out_w)  # (N, G, fan_in, L)
    filters = weight.reshape(groups, k // groups, fan_in)  # (G, K/G, fan_in)
    out = filters @ cols  # (N, G, K/G, L): every filter at every position
    out = out.reshape(n, k, out_h, out_w)
    if bias is not None:
        out = out + bias.reshape(1, k, 1, 1)
    return out


def _string_padding(padding, kernel_size, dilation):
    """Per axis (before, after) padding for "valid" or "same", split as torch splits it.

    "same" pads D(F - 1) in total, which keeps the size at stride 1; when the total is
    odd, the extra row or column goes after (bottom, right).
    """
    if padding == "valid":
        return [(0, 0), (0, 0)]
    totals = [d * (k - 1) for k, d in zip(kernel_size, dilation, strict=True)]
    return [(t // 2, t - t // 2) for t in totals]


def _check_padding_string(padding, stride):
    if padding not in ("valid", "same"):
        raise ValueError(
            f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}"
        )
    if padding == "same" and stride != (1, 1):
        raise ValueError(
            f"padding='same' is not supported for strided convolutions "
            f"(stride must be 1, got {stride})"
        )


def _check_weight_and_bias(input, weight, bias, groups):
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4 or 0 in weight.shape:
        shape = tuple(weight.shape) if isinstance(weight, torch.Tensor) else weight
        raise ValueError(
            "conv2d expects weight of shape (C_out, C_in / groups, kH, kW) with no "
            f"zero size, got {shape}"
        )
    c_out, c_group = weight.shape[:2]
    c_in = input.shape[-3]
    if c_out % groups:
        raise ValueError(
            f"groups={groups} must divide the number of filters, weight.shape[0]={c_out}"
        )
    if c_in != c_group * groups:
        raise ValueError(
            f"weight of shape {tuple(weight.shape)} with groups={groups} expects input "
            f"with {c_group * groups} channels, got {c_in} (input of shape "
            f"{tuple(input.shape)})"
        )
    if input.dtype != weight.dtype:
        raise TypeError(f"input is {input.dtype} but weight is {weight.dtype}")
    if bias is not None:
        if not isinstance(bias, torch.Tensor) or tuple(bias.shape) != (c_out,):
            shape = tuple(bias.shape) if isinstance(bias, torch.Tensor) else bias
            raise ValueError(f"bias must have shape ({c_out},) or be None, got {shape}")
        if bias.dtype != weight.dtype:
            raise TypeError(f"bias is {bias.dtype} but weight is {weight.dtype}")


def _check_kernel_fits(size, kernel_size, padding, dilation):
    for axis, n, k, p, d in zip("HW", size, kernel_size, padding, dilation, strict=True):
        extent = d * (k - 1) + 1
        if extent > n + 2 * p:
            raise ValueError(
                f"the kernel spans {extent} along {axis} (size {k}, dilation {d}) but "
                f"the padded input has only {n + 2 * p} (size {n}, padding {p} per side)"
            )


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation with F.conv2d's arguments, checked, computed by conv2d_im2col.

    Args:
        input: (N, C_in, H, W), or unbatched (C_in, H, W).
        weight: (C_out, C_in / groups, kH, kW).
        bias: (C_out,) or None.
        stride, dilation: an int or a pair of positive ints (for H, W).
        padding: an int or a pair of non-negative ints (zeros on both sides), or "valid"
            (no padding) or "same" (output as large as the input; stride 1 only). When
            "same" needs an odd total D(kH - 1) or D(kW - 1), the extra row or column goes
            at the bottom or right, as in torch.
        groups: a positive int dividing C_in and C_out: each group of C_in / groups input
            channels feeds its own C_out / groups filters.
    Returns:
        (N, C_out, H_out, W_out), or (C_out, H_out, W_out) for unbatched input, with the
        sizes of ``conv_output_size``.
    Raises:
        ValueError or TypeError naming the argument and what was expected.

    Matches torch.nn.functional.conv2d, values and gradients (errors are ValueError and
    TypeError instead of RuntimeError).
    """
    batched = check_image(input, "conv2d")
    stride = positive_pair(stride, "stride")
    dilation = positive_pair(dilation, "dilation")
    groups = check_int(groups, "groups", 1)
    _check_weight_and_bias(input, weight, bias, groups)
    if not batched:
        input = input.unsqueeze(0)
    if isinstance(padding, str):
        _check_padding_string(padding, stride)
        (top, bottom), (left, right) = _string_padding(padding, weight.shape[2:], dilation)
        # The core pads symmetrically; the odd extra row/column is added here
        input = F.pad(input, (0, right - left, 0, bottom - top))
        padding = (top, left)
    else:
        padding = non_negative_pair(padding, "padding")
    _check_kernel_fits(input.shape[2:], weight.shape[2:], padding, dilation)
    out = conv2d_im2col(input, weight, bias, stride, padding, dilation, groups)
    return out if batched else out.squeeze(0)


class Conv2d(nn.Module):
    """A 2-D convolution layer on ``conv2d``, with nn.Conv2d's arguments and parameters.

    Args:
        in_channels, out_channels: C_in and C_out, positive ints divisible by groups.
        kernel_size, stride, dilation: an int or a pair of positive ints.
        padding: an int or a pair of non-negative ints, "valid" or "same" (stride 1).
        groups: a positive int; ``groups=in_channels`` gives a depthwise convolution.
        bias: whether to learn an additive bias per output channel.
        padding_mode: "zeros", "reflect", "replicate" or "circular". For the last three
            the input is first padded with ``F.pad`` in that mode, then convolved without
            padding, as torch does.
        device, dtype: where and in which dtype to create the parameters.
    Parameters:
        weight: (out_channels, in_channels / groups, kH, kW), kaiming_uniform_(a=sqrt(5)).
        bias: (out_channels,), uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)], or None.
    Input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out) or unbatched.

    Matches torch.nn.Conv2d: attribute names, state_dict keys (load_state_dict works
    both ways), initial values under the same seed, repr, outputs and gradients.
    """

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", 1)
        self.out_channels = check_int(out_channels, "out_channels", 1)
        self.groups = check_int(groups, "groups", 1)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"groups={groups} must divide in_channels={in_channels} "
                f"and out_channels={out_channels}"
            )
        self.kernel_size = positive_pair(kernel_size, "kernel_size")
        self.stride = positive_pair(stride, "stride")
        self.dilation = positive_pair(dilation, "dilation")
        if isinstance(padding, str):
            _check_padding_string(padding, self.stride)
            self.padding = padding
            before_after = _string_padding(padding, self.kernel_size, self.dilation)
        else:
            self.padding = non_negative_pair(padding, "padding")
            before_after = [(p, p) for p in self.padding]
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}"
            )
        self.padding_mode = padding_mode
        (top, bottom), (left, right) = before_after
        self._pad = (left, right, top, bottom)  # F.pad's order: last axis first
        factory = {"device": device, "dtype": dtype}
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = nn.Parameter(torch.empty(shape, **factory))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """nn.Conv2d's default initialisation, drawing the same random numbers."""
        # a = sqrt(5) makes the weight bound 1/sqrt(fan_in), the same as the bias's
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.weight[0].numel())  # fan_in = C_in/G * kH * kW
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        """Convolve ``input`` (N, C_in, H, W) or (C_in, H, W) with the layer's filters."""
        padding = self.padding
        if self.padding_mode != "zeros":
            check_image(input, "Conv2d")
            input = F.pad(input, self._pad, mode=self.padding_mode)
            padding = 0
        return conv2d(
            input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups
        )

    def extra_repr(self):
        """The arguments, shown as torch.nn.Conv2d shows them."""
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s
