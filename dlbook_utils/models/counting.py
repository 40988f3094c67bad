"""Counting a network's parameters and multiply-adds, the two costs chapter 9 tabulates."""

import torch
from torch import nn

__all__ = ["count_parameters", "count_multiply_adds"]


def count_parameters(model, trainable_only=False):
    """Number of scalar parameters in ``model`` (only those with ``requires_grad``
    when ``trainable_only``, e.g. after freezing a backbone)."""
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def _conv_macs(module, output):
    # Each output element is a dot product over (in_channels / groups) * kh * kw inputs.
    kh, kw = module.kernel_size
    return output.numel() * (module.in_channels // module.groups) * kh * kw


def _linear_macs(module, output):
    return output.numel() * module.in_features  # in * out per row of the input


def count_multiply_adds(model, input_shape):
    """Multiply-adds of one forward pass of ``model`` on one example of ``input_shape``.

    ``input_shape`` is the shape of a single example without the batch dimension, e.g.
    ``(1, 28, 28)``. Counts ``nn.Conv2d`` (output elements x in_channels/groups x kh x kw)
    and ``nn.Linear`` (in_features x out_features per row) through forward hooks on a
    zero input; biases, BatchNorm, pooling and activations are not counted (they are
    a few operations per element, next to the dot products). Layers that a forward
    pass does not reach are not counted. The model is run in eval mode, without
    gradients, and every submodule is put back in its previous mode.
    """
    shape = tuple(input_shape)
    if not shape or any(not isinstance(d, int) or d < 1 for d in shape):
        raise ValueError(
            f"input_shape must be a non-empty tuple of positive ints (one example, no "
            f"batch dimension, e.g. (1, 28, 28)), got {input_shape!r}"
        )
    first = next(model.parameters(), None)
    x = torch.zeros(
        (1, *shape),
        dtype=first.dtype if first is not None else torch.float32,
        device=first.device if first is not None else None,
    )
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            total += _conv_macs(module, output)
        else:
            total += _linear_macs(module, output)

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    # Restore each submodule's own mode: a frozen backbone may be in eval inside a model
    # in training mode.
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        for m, training in modes:
            m.training = training
        for handle in handles:
            handle.remove()
    return total
