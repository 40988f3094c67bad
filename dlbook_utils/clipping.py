"""Gradient clipping: rescale all gradients by their total norm, or clamp each entry.

``clip_grad_norm_`` and ``clip_grad_value_`` take torch.nn.utils' arguments and return
what they return; taught in chapter 10 (exploding gradients in recurrent networks).
Differs from torch: no ``foreach`` argument (one loop over the gradients; the result is
the same), and the gradients must all be on one device.
"""

import math

import torch

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    """The ``.grad`` of each parameter that has one (parameters without are skipped)."""
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@torch.no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients in place so that their total norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of all gradients concatenated into one
    vector (``inf``: the largest absolute entry). Every gradient is multiplied by
    min(1, max_norm / (total + 1e-6)), so the direction of the update is kept.

    Returns:
        The total norm before clipping, a 0-d tensor (``tensor(0.)`` if no gradients).

    Matches torch.nn.utils.clip_grad_norm_ (``error_if_nonfinite=True``: RuntimeError
    if the total norm is nan or infinite).
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)  # the norm of the norms
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {total.item()}, "
            "so it cannot be clipped; pass error_if_nonfinite=False to scale anyway"
        )
    scale = torch.clamp(float(max_norm) / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale)
    return total


@torch.no_grad()
def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry to [-clip_value, clip_value] in place; returns None.

    Matches torch.nn.utils.clip_grad_value_ (this changes the update's direction).
    """
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.clamp_(min=-clip_value, max=clip_value)
