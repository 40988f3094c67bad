"""Dropout in its two forms: inverted (as torch) and classic (scale at test time), ch. 13.

Both zero each activation with probability p during training and keep the expected
activation the same in training and at test time. *Inverted* dropout divides the kept
activations by 1 - p during training and leaves the network untouched at test time (what
nn.Dropout does); *classic* dropout keeps them as they are and multiplies by 1 - p at test
time. ``dropout_mask`` draws the mask exactly as torch's CPU dropout does (``bernoulli_``
with probability 1 - p of keeping), so the same generator state gives the same mask.
"""

import torch
from torch import nn

__all__ = [
    "dropout_mask",
    "inverted_dropout",
    "classic_dropout",
    "Dropout",
    "ClassicDropout",
]


def dropout_mask(shape, p, generator=None, dtype=torch.float32, device=None):
    """A mask of 0s and 1s of ``shape``: each entry 1 (keep) with probability 1 - p."""
    mask = torch.empty(shape, dtype=dtype, device=device)
    return mask.bernoulli_(1 - p, generator=generator)


def inverted_dropout(x, mask, p, training):
    """Inverted dropout: x * mask / (1 - p) in training, x unchanged at test time."""
    if not training:
        return x
    return x * (mask / (1 - p))  # scaling the mask first rounds as torch does


def classic_dropout(x, mask, p, training):
    """Classic dropout: x * mask in training, x * (1 - p) at test time."""
    if not training:
        return x * (1 - p)
    return x * mask


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
    return float(p)


class _DropoutBase(nn.Module):
    def __init__(self, p=0.5, generator=None):
        super().__init__()
        self.p = _check_p(p)
        self.generator = generator

    def extra_repr(self):
        return f"p={self.p}"

    def forward(self, input, mask=None):
        """Apply dropout; ``mask`` (0s and 1s, the shape of input) replaces the draw."""
        if not isinstance(input, torch.Tensor):
            raise TypeError(f"dropout expects a torch.Tensor, got {type(input).__name__}")
        if self.training and mask is None:
            mask = dropout_mask(
                input.shape, self.p, self.generator, input.dtype, input.device
            )
        if self.training and mask.shape != input.shape:
            raise ValueError(
                f"mask must have the input's shape {tuple(input.shape)}, "
                f"got {tuple(mask.shape)}"
            )
        return self._apply_dropout(input, mask)


class Dropout(_DropoutBase):
    """Inverted dropout: during training keep each entry with probability 1 - p, /(1 - p).

    Args:
        p: probability of zeroing an entry, in [0, 1].
        generator: a torch.Generator for the masks (None: torch's global one).
    forward(input, mask=None): any shape; ``mask`` overrides the random draw.

    Matches torch.nn.Dropout: same output for the same mask, and the same mask for the
    same generator state on CPU (p = 1 gives zeros, as torch).
    """

    def _apply_dropout(self, input, mask):
        if self.training and self.p == 1:
            return input * 0  # torch's convention: no division by 1 - p = 0
        return inverted_dropout(input, mask, self.p, self.training)


class ClassicDropout(_DropoutBase):
    """Classic dropout: zero entries with probability p in training, scale by 1 - p at test.

    Arguments as ``Dropout``. No torch twin: in training it equals nn.Dropout times 1 - p
    under the same mask; at test time it multiplies by 1 - p where nn.Dropout does
    nothing.
    """

    def _apply_dropout(self, input, mask):
        return classic_dropout(input, mask, self.p, self.training)
