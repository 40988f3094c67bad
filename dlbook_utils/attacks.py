"""White-box L-infinity attacks on image classifiers: FGSM, PGD and gradient saliency.

Taught in chapter 22. Inputs are images with values in [0, 1]; an attack returns
adversarial inputs ``x_adv`` with ``|x_adv - x| <= eps`` elementwise and values in
[0, 1]. The loss every attack climbs is the cross-entropy of the model's logits,
summed over the batch, so that each example's gradient is the gradient of its own loss.

``input_gradient``, ``fgsm_perturb`` and ``pgd_perturb`` are the taught cores (the
chapter shows them, and a test keeps them identical); ``fgsm``, ``pgd`` and
``saliency`` are the public functions. They check their arguments, run the model in
eval mode and restore every submodule's mode afterwards, and never write to the
model's ``.grad`` attributes (gradients are taken with ``torch.autograd.grad`` with
respect to the input only).
"""

import math
import numbers
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "input_gradient",
    "fgsm_perturb",
    "pgd_perturb",
    "fgsm",
    "pgd",
    "saliency",
    "eval_mode",
]


def input_gradient(model, x, y):
    """Gradient of the summed cross-entropy with respect to the input x.

    x: (N, ...) inputs; y: (N,) class labels. Returns a tensor shaped like x whose
    row i is the gradient of example i's own loss (the sum keeps rows apart).
    """
    x = x.detach().requires_grad_(True)
    loss = F.cross_entropy(model(x), y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, x)  # no .grad written to the weights
    return grad


def fgsm_perturb(model, x, y, eps, targeted=False):
    """One signed gradient step of size eps, clipped to the images' range [0, 1]."""
    direction = -1.0 if targeted else 1.0  # toward the target: lower its loss
    step = direction * eps * input_gradient(model, x, y).sign()
    return (x + step).clamp(0.0, 1.0).detach()


def pgd_perturb(model, x, y, eps, alpha, steps, x_start, targeted=False):
    """Projected gradient ascent on the loss in the eps-ball around x, from x_start."""
    direction = -1.0 if targeted else 1.0
    x_adv = x_start
    for _ in range(steps):
        step = direction * alpha * input_gradient(model, x_adv, y).sign()
        # Project onto the ball {|x_adv - x| <= eps} and onto [0, 1]: both
        # are boxes, so the projection is a clamp per pixel
        x_adv = torch.clamp(x_adv + step, x - eps, x + eps).clamp(0.0, 1.0)
    return x_adv.detach()


@contextmanager
def eval_mode(model):
    """Put every submodule in eval mode; restore each one's own mode on exit."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for m, training in modes:
            m.training = training


def _check_number(name, value, positive):
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    bound = "> 0" if positive else ">= 0"
    if not is_number or not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return float(value)


def _check_inputs(model, x, y, what):
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{what}: model must be a torch.nn.Module, got {type(model).__name__}"
        )
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(
            f"{what}: x must be a floating-point tensor (N, ...), got {x!r:.60}"
        )
    if not isinstance(y, torch.Tensor) or y.is_floating_point() or y.is_complex():
        raise TypeError(f"{what}: y must be an integer tensor of class labels (N,)")
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(
            f"{what}: x must be a non-empty batch (N, ...), got {tuple(x.shape)}"
        )
    if y.shape != (x.shape[0],):
        raise ValueError(
            f"{what}: y must have shape ({x.shape[0]},), one label per input in x, "
            f"got {tuple(y.shape)}"
        )
    if y.device != x.device:
        raise ValueError(f"{what}: x is on {x.device} but y on {y.device}")
    lo, hi = float(x.detach().min()), float(x.detach().max())
    if not (0.0 <= lo and hi <= 1.0):  # also rejects NaN
        raise ValueError(
            f"{what}: x must hold images with values in [0, 1], got values in "
            f"[{lo:.4g}, {hi:.4g}] (scale uint8 images by 1/255; normalise inside the model)"
        )


def _check_flag(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def fgsm(model, x, y, eps, targeted=False):
    """Fast gradient sign method: x + eps * sign(grad_x loss), clipped to [0, 1].

    Goodfellow et al. (2015). The loss is the cross-entropy of ``model(x)`` with ``y``.

    Args:
        model: a classifier ``nn.Module`` mapping x to logits (N, classes); it runs in
            eval mode during the attack, and every submodule's mode is restored after.
        x: (N, ...) floating-point inputs with values in [0, 1].
        y: (N,) integer labels: the true classes (untargeted: the loss of y goes up),
            or the target classes when ``targeted`` (the loss of y goes down).
        eps: the L-infinity radius, a finite number >= 0.
        targeted: move toward class y instead of away from it.
    Returns:
        (N, ...) adversarial inputs, detached, with |x_adv - x| <= eps and values in
        [0, 1]. The model's parameters' ``.grad`` are left as they were.
    Raises:
        ValueError or TypeError naming the argument and what was expected.
    """
    _check_inputs(model, x, y, "fgsm")
    eps = _check_number("eps", eps, positive=False)
    _check_flag("targeted", targeted)
    with eval_mode(model), torch.enable_grad():
        return fgsm_perturb(model, x.detach(), y, eps, targeted)


def pgd(model, x, y, eps, alpha, steps, random_start=True, generator=None, targeted=False):
    """Projected gradient descent (ascent on the loss) in the L-infinity eps-ball.

    Madry et al. (2018): from a random point of the ball (``random_start``) or from x,
    take ``steps`` steps ``alpha * sign(grad_x loss)``, each followed by the projection
    onto the ball and onto [0, 1]; the last iterate is returned. The loss is the
    cross-entropy of ``model(x_adv)`` with ``y``. With ``random_start=False``,
    ``steps=1`` and ``alpha=eps`` it is exactly :func:`fgsm`.

    Args:
        model, x, y, targeted: as for :func:`fgsm`.
        eps: the L-infinity radius, a finite number >= 0.
        alpha: the step size, a finite number > 0 (often 2.5 * eps / steps).
        steps: the number of gradient steps, an integer >= 1.
        random_start: start from x + U(-eps, eps) noise (clipped to [0, 1]).
        generator: the ``torch.Generator`` that draws the start (for reproducibility);
            it must live on x's device. None uses torch's global generator.
    Returns:
        (N, ...) adversarial inputs, detached, within eps of x and in [0, 1].
    Raises:
        ValueError or TypeError naming the argument and what was expected.
    """
    _check_inputs(model, x, y, "pgd")
    eps = _check_number("eps", eps, positive=False)
    alpha = _check_number("alpha", alpha, positive=True)
    is_int = isinstance(steps, numbers.Integral) and not isinstance(steps, bool)
    if not is_int or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    _check_flag("random_start", random_start)
    _check_flag("targeted", targeted)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}"
        )
    x = x.detach()
    x_start = x
    if random_start:
        noise = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x_start = (x + eps * (2 * noise - 1)).clamp(0.0, 1.0)
    with eval_mode(model), torch.enable_grad():
        return pgd_perturb(model, x, y, eps, alpha, int(steps), x_start, targeted)


def saliency(model, x, y):
    """Gradient saliency: the gradient of each example's cross-entropy w.r.t. its input.

    Args:
        model, x, y: as for :func:`fgsm` (x in [0, 1], y the classes to explain).
    Returns:
        (N, ...) signed gradients, shaped like x: where a small change of the input
        raises the loss of class y the most. ``abs()`` of it is the map usually drawn;
        its sign is FGSM's direction.

    Differs from the class-score saliency of Simonyan et al. (2014), the gradient of the
    logit of y: the loss -log p_y subtracts the softmax-weighted gradients of all logits.
    """
    _check_inputs(model, x, y, "saliency")
    with eval_mode(model), torch.enable_grad():
        return input_gradient(model, x, y)
