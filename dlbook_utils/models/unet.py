"""U-Net: an encoder, a decoder and skip connections between them (chapter 21).

After Ronneberger, Fischer and Brox (2015), scaled down. Differs from the paper: the 3x3
convolutions are padded ("same"), so the output has the input's height and width instead
of shrinking by 4 pixels per block, and each is followed by batch normalisation, which
the paper did not have.
"""

import numbers

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["DoubleConv", "UNet", "unet_forward", "unet_param_count"]


class DoubleConv(nn.Sequential):
    """(conv 3x3, BatchNorm, ReLU) twice: (N, C_in, H, W) -> (N, C_out, H, W)."""

    def __init__(self, in_channels, out_channels):
        super().__init__(
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )


class UNet(nn.Module):
    """U-Net for semantic segmentation: (N, in_channels, H, W) -> (N, num_classes, H, W).

    Level ``l`` of the encoder (l = 0..depth) has ``base_channels * 2**l`` channels; the
    encoder halves the resolution with 2x2 max-pooling ``depth`` times, the decoder
    doubles it with 2x2 transposed convolutions, concatenates the encoder's feature map
    of the same level (the skip connection) and applies a :class:`DoubleConv`. A 1x1
    convolution gives the per-pixel class logits.

    Odd sizes: where pooling floored an odd size, the upsampled map is one pixel short
    of its skip; it is **zero-padded** on the bottom/right to the skip's size, so any
    H, W >= 2**depth work and the output has the input's spatial size.

    Parameters: :func:`unet_param_count` (``UNet(1, 5)``, base 16, depth 3: 482,517).
    """

    def __init__(self, in_channels, num_classes, base_channels=16, depth=3):
        super().__init__()
        for name, value in [
            ("in_channels", in_channels),
            ("num_classes", num_classes),
            ("base_channels", base_channels),
            ("depth", depth),
        ]:
            if (
                not isinstance(value, numbers.Integral)
                or isinstance(value, bool)
                or value < 1
            ):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if num_classes < 2:
            raise ValueError(f"num_classes must be >= 2, got {num_classes}")
        self.in_channels, self.depth = in_channels, depth
        widths = [base_channels * 2**level for level in range(depth + 1)]
        self.down = nn.ModuleList([DoubleConv(in_channels, widths[0])])
        self.down.extend(
            DoubleConv(a, b) for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(b, a, 2, stride=2)
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.merge = nn.ModuleList(DoubleConv(2 * a, a) for a in widths[:-1])
        self.head = nn.Conv2d(widths[0], num_classes, 1)

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"expected input (N, {self.in_channels}, H, W), got {tuple(x.shape)}"
            )
        if min(x.shape[-2:]) < 2**self.depth:
            raise ValueError(
                f"H and W must be >= 2**depth = {2**self.depth}, got {tuple(x.shape)}"
            )
        return unet_forward(x, self.down, self.up, self.merge, self.head)


def unet_forward(x, down, up, merge, head):
    """The U-Net's forward pass: (N, C_in, H, W) -> (N, K, H, W) class logits.

    ``down``: the depth + 1 encoder blocks; ``up``: the depth transposed convolutions;
    ``merge``: the depth decoder blocks; ``head``: the 1x1 convolution. The taught core
    of :meth:`UNet.forward`, which checks the input first.
    """
    skips = []
    for level, block in enumerate(down):
        x = block(x if level == 0 else F.max_pool2d(x, 2))
        skips.append(x)  # level l: (N, base * 2**l, H / 2**l, W / 2**l)
    x = skips.pop()  # the bottom of the U goes up, it is no skip
    for level in reversed(range(len(up))):
        x = up[level](x)  # twice the size, half the channels
        skip = skips.pop()
        dh, dw = skip.shape[-2] - x.shape[-2], skip.shape[-1] - x.shape[-1]
        x = F.pad(x, (0, dw, 0, dh))  # 0 or 1 pixel, where the size was odd
        x = merge[level](torch.cat([skip, x], dim=1))
    return head(x)


def unet_param_count(in_channels, num_classes, base_channels=16, depth=3):
    """Closed form of the number of parameters of :class:`UNet`.

    A :class:`DoubleConv` C_in -> C_out has 9 C_in C_out + 9 C_out^2 convolution
    weights (no bias) and 4 C_out batch-norm parameters (a weight and a bias per
    channel, twice; the running statistics are buffers, not parameters); a 2x2
    transposed convolution C_in -> C_out has 4 C_in C_out + C_out; the 1x1 head
    C_0 K + K for K classes.
    """
    widths = [base_channels * 2**level for level in range(depth + 1)]

    def double(c_in, c_out):  # two convs (no bias), two BN (weight, bias)
        return 9 * c_in * c_out + 9 * c_out * c_out + 4 * c_out

    total = double(in_channels, widths[0])
    for c, c_next in zip(widths[:-1], widths[1:], strict=True):
        # down c -> c_next, transposed conv c_next -> c, merge 2c -> c
        total += double(c, c_next) + (4 * c_next * c + c) + double(2 * c, c)
    return total + widths[0] * num_classes + num_classes
