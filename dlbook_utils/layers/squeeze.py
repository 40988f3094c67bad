"""The invertible squeeze (space-to-depth) and its inverse: pooling that loses nothing.

``squeeze2d`` moves each factor x factor block of pixels into factor**2 channels, halving
(for factor 2) the height and width without discarding a value; ``unsqueeze2d`` puts them
back, so ``unsqueeze2d(squeeze2d(x)) == x`` exactly. These are the taught cores (chapter
8); torch calls them ``pixel_unshuffle`` and ``pixel_shuffle``, and ``pixel_unshuffle``,
``pixel_shuffle``, ``PixelUnshuffle`` and ``PixelShuffle`` here are the checked twins.
"""

import math

import torch
from torch import nn

from dlbook_utils.layers._args import check_int

__all__ = [
    "squeeze2d",
    "unsqueeze2d",
    "pixel_unshuffle",
    "pixel_shuffle",
    "PixelUnshuffle",
    "PixelShuffle",
]


def squeeze2d(x, factor=2):
    """Space-to-depth: (N, C, H, W) -> (N, C * factor**2, H / factor, W / factor).

    Output channel ``c * factor**2 + i * factor + j`` holds the pixels at offset (i, j) of
    every factor x factor block of input channel c. H and W must be divisible by factor
    (``pixel_unshuffle`` checks). Matches F.pixel_unshuffle(x, factor).
    """
    n, c, h, w = x.shape
    r = factor
    x = x.reshape(n, c, h // r, r, w // r, r)  # (N, C, H/r, i, W/r, j)
    x = x.permute(0, 1, 3, 5, 2, 4)  # (N, C, i, j, H/r, W/r)
    return x.reshape(n, c * r * r, h // r, w // r)


def unsqueeze2d(x, factor=2):
    """Depth-to-space, the inverse of squeeze2d: (N, C, H, W) -> (N, C / f**2, H f, W f).

    C must be divisible by factor**2 (``pixel_shuffle`` checks). Matches
    F.pixel_shuffle(x, factor).
    """
    n, c, h, w = x.shape
    r = factor
    x = x.reshape(n, c // (r * r), r, r, h, w)  # (N, C/r², i, j, H, W)
    x = x.permute(0, 1, 4, 2, 5, 3)  # (N, C/r², H, i, W, j)
    return x.reshape(n, c // (r * r), h * r, w * r)


def _as_batch(input, op):
    """``input`` (*, C, H, W) as (N, C, H, W), and the leading shape to restore."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{op} expects a torch.Tensor, got {type(input).__name__}")
    if input.dim() < 3:
        raise ValueError(
            f"{op} expects input of shape (*, C, H, W), got a {input.dim()}-D tensor "
            f"of shape {tuple(input.shape)}"
        )
    lead = input.shape[:-3]
    return input.reshape(math.prod(lead), *input.shape[-3:]), lead


def pixel_unshuffle(input, downscale_factor):
    """``squeeze2d`` with torch's arguments: input (*, C, H, W), H and W divisible.

    Returns (*, C * r**2, H / r, W / r) for r = downscale_factor. Matches
    torch.nn.functional.pixel_unshuffle, except on an empty input, which torch (2.13)
    returns unchanged and this squeezes like any other.
    """
    r = check_int(downscale_factor, "downscale_factor", 1)
    x, lead = _as_batch(input, "pixel_unshuffle")
    _, _, h, w = x.shape
    if h % r or w % r:
        raise ValueError(
            f"pixel_unshuffle with downscale_factor={r} expects height and width "
            f"divisible by {r}, got H={h}, W={w}"
        )
    out = squeeze2d(x, r)
    return out.reshape(*lead, *out.shape[1:])


def pixel_shuffle(input, upscale_factor):
    """``unsqueeze2d`` with torch's arguments: input (*, C, H, W), C divisible by r**2.

    Returns (*, C / r**2, H r, W r) for r = upscale_factor. Matches
    torch.nn.functional.pixel_shuffle.
    """
    r = check_int(upscale_factor, "upscale_factor", 1)
    x, lead = _as_batch(input, "pixel_shuffle")
    c = x.shape[1]
    if c % (r * r):
        raise ValueError(
            f"pixel_shuffle with upscale_factor={r} expects channels divisible by "
            f"{r * r}, got C={c}"
        )
    out = unsqueeze2d(x, r)
    return out.reshape(*lead, *out.shape[1:])


class PixelUnshuffle(nn.Module):
    """The squeeze as a layer: (*, C, H, W) -> (*, C r**2, H / r, W / r).

    Matches torch.nn.PixelUnshuffle(downscale_factor).
    """

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = check_int(downscale_factor, "downscale_factor", 1)

    def forward(self, input):
        """Squeeze ``input``; H and W must be divisible by downscale_factor."""
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        """As torch shows it."""
        return f"downscale_factor={self.downscale_factor}"


class PixelShuffle(nn.Module):
    """The inverse squeeze as a layer: (*, C, H, W) -> (*, C / r**2, H r, W r).

    Matches torch.nn.PixelShuffle(upscale_factor).
    """

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = check_int(upscale_factor, "upscale_factor", 1)

    def forward(self, input):
        """Unsqueeze ``input``; C must be divisible by upscale_factor**2."""
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        """As torch shows it."""
        return f"upscale_factor={self.upscale_factor}"
