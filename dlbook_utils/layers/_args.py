"""Argument checks shared by the layers: the boundary that keeps the taught cores minimal.

The cores (``conv2d_im2col``, ``max_pool2d_im2col``, ...) take tensors of the right rank
and sizes as pairs of ints; the public functions and constructors call these helpers
first, so that bad input fails with a message naming what was expected.
"""

import torch

__all__ = ["pair", "positive_pair", "non_negative_pair", "check_image", "check_int"]


def check_int(value, name, minimum):
    """``value`` as an int >= ``minimum``; ValueError or TypeError naming ``name`` if not."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return value


def pair(value, name):
    """An int or a pair of ints as a tuple ``(for H, for W)``: ``3 -> (3, 3)``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return tuple(value)
    raise TypeError(f"{name} must be an int or a pair of ints (for H, W), got {value!r}")


def positive_pair(value, name):
    """``pair(value)`` with both entries >= 1 (kernel sizes, strides, dilations)."""
    value = pair(value, name)
    if min(value) < 1:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def non_negative_pair(value, name):
    """``pair(value)`` with both entries >= 0 (paddings)."""
    value = pair(value, name)
    if min(value) < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def check_image(input, op):
    """Check that ``input`` is a (N, C, H, W) or unbatched (C, H, W) tensor; True if batched."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{op} expects a torch.Tensor, got {type(input).__name__}")
    if input.dim() not in (3, 4):
        raise ValueError(
            f"{op} expects input of shape (N, C, H, W) or (C, H, W), "
            f"got a {input.dim()}-D tensor of shape {tuple(input.shape)}"
        )
    return input.dim() == 4
