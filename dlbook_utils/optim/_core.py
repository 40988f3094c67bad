"""The update rules of chapter 14 as pure functions on tensors: the taught cores.

Each function updates ``param`` and its state tensors **in place** (as torch.optim does)
and returns nothing, except ``sgd_update``, which returns the momentum buffer because it is
created on the first step. Every argument is a tensor of the parameter's shape, except the
step count ``t`` (an int, 1 on the first step) and the hyperparameters (floats). No checks
here: the optimizer classes in ``dlbook_utils.optim.optimizers`` validate their arguments
and call these functions. Each matches the single-tensor (``foreach=False``) code path of
its ``torch.optim`` twin, operation for operation where it matters in float64.
"""

import math

import torch

__all__ = [
    "sgd_update",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
    "adamw_update",
]


def sgd_update(
    param, grad, buf, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0
):
    """One step of SGD with momentum, torch's form; returns the momentum buffer.

    v <- mu v + (1 - dampening) g (v = g on the first step), theta <- theta - lr v;
    Nesterov steps along g + mu v instead. ``buf`` is None before the first step.
    Matches torch.optim.SGD.
    """
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)  # coupled L2: g + wd * theta
    if momentum != 0:
        if buf is None:
            buf = grad.clone()  # torch starts the velocity at g, undamped
        else:
            buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        grad = grad.add(buf, alpha=momentum) if nesterov else buf
    param.add_(grad, alpha=-lr)
    return buf


def adagrad_update(
    param, grad, state_sum, t, lr=1e-2, lr_decay=0.0, weight_decay=0.0, eps=1e-10
):
    """One AdaGrad step: s <- s + g*g, theta <- theta - lr_t g / (sqrt(s) + eps).

    lr_t = lr / (1 + (t - 1) lr_decay). Matches torch.optim.Adagrad.
    """
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    state_sum.addcmul_(grad, grad, value=1)
    std = state_sum.sqrt().add_(eps)  # eps outside the square root
    param.addcdiv_(grad, std, value=-clr)


def rmsprop_update(
    param,
    grad,
    square_avg,
    lr=1e-2,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    buf=None,
    grad_avg=None,
):
    """One RMSProp step: s <- alpha s + (1 - alpha) g*g, theta -= lr g/(sqrt(s) + eps).

    ``grad_avg`` (a tensor, or None): the centered variant divides by the square root of
    s - gbar^2, an estimate of the variance. ``buf`` (needed when momentum > 0):
    b <- mu b + g / (sqrt(s) + eps), theta <- theta - lr b. Matches torch.optim.RMSprop.
    """
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    if grad_avg is not None:  # centered
        grad_avg.lerp_(grad, 1 - alpha)
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    else:
        avg = square_avg.sqrt()
    avg = avg.add_(eps)  # eps outside the square root, as torch
    if momentum > 0:
        buf.mul_(momentum).addcdiv_(grad, avg)
        param.add_(buf, alpha=-lr)
    else:
        param.addcdiv_(grad, avg, value=-lr)


def adam_update(
    param,
    grad,
    m,
    v,
    t,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    v_max=None,
):
    """One Adam step with bias correction; t is the step number, from 1.

    m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g*g,
    theta <- theta - lr m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - b1^t), same for v.
    ``weight_decay`` is coupled L2 (added to g). ``v_max`` (a tensor, or None): AMSGrad,
    which divides by the running maximum of v. Matches torch.optim.Adam.
    """
    beta1, beta2 = betas
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    m.lerp_(grad, 1 - beta1)  # m + (1 - b1)(g - m) = b1 m + (1 - b1) g
    v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    step_size = lr / (1 - beta1**t)  # the bias correction of m, folded into lr
    bc2_sqrt = math.sqrt(1 - beta2**t)
    if v_max is not None:
        v = torch.maximum(v_max, v, out=v_max)  # AMSGrad: never decreases
    denom = (v.sqrt() / bc2_sqrt).add_(eps)
    param.addcdiv_(m, denom, value=-step_size)


def adamw_update(
    param,
    grad,
    m,
    v,
    t,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=1e-2,
    v_max=None,
):
    """One AdamW step: shrink theta by (1 - lr wd), then an Adam step without decay.

    The decay is decoupled from the gradient: it never enters m or v.
    Matches torch.optim.AdamW.
    """
    param.mul_(1 - lr * weight_decay)
    adam_update(param, grad, m, v, t, lr, betas, eps, 0.0, v_max)
