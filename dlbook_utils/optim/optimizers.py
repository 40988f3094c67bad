"""Thin ``torch.optim.Optimizer`` classes around the update functions of ``_core``.

Each class takes torch's argument names and defaults, validates them at construction
(with torch's messages), supports parameter groups and ``state_dict`` round trips (its
state uses torch's keys, so a state dict loads into the torch twin and back), skips
parameters whose ``.grad`` is None, and refuses sparse gradients. ``maximize=True``
negates the gradient before the update, as torch does. The options torch adds for speed
(``foreach``, ``fused``, ``capturable``, ``differentiable``) are not offered.
Chapter 14 derives the updates.
"""

import torch

from dlbook_utils.optim._core import (
    adagrad_update,
    adam_update,
    adamw_update,
    rmsprop_update,
    sgd_update,
)

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


def _check_nonneg(name, value):
    if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"Invalid {name} value: {value!r} (expected a number >= 0)")


def _check_common(lr, weight_decay, eps=None):
    if not isinstance(lr, int | float) or isinstance(lr, bool) or not lr >= 0:
        raise ValueError(f"Invalid learning rate: {lr!r} (expected a number >= 0)")
    _check_nonneg("weight_decay", weight_decay)
    if eps is not None:
        _check_nonneg("epsilon", eps)


def _check_betas(betas):
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {i}: {beta!r} (expected 0 <= beta < 1)"
            )


class _Optimizer(torch.optim.Optimizer):
    """The loop shared by the classes: for each parameter with a gradient, one update."""

    def _update(self, p, grad, state, group):
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure=None):
        """Perform one optimisation step; ``closure`` re-evaluates the loss, as in torch."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    name = type(self).__name__
                    raise RuntimeError(f"{name} does not support sparse gradients")
                grad = -p.grad if group["maximize"] else p.grad
                self._update(p, grad, self.state[p], group)
        return loss


def _next_step(state):
    """Increment the step count, kept as a float tensor under "step" as torch does."""
    if "step" not in state:
        state["step"] = torch.tensor(0.0)
    state["step"] += 1
    return int(state["step"].item())


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

    Matches torch.optim.SGD (v <- mu v + (1 - dampening) g, theta <- theta - lr v).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        *,
        maximize=False,
    ):
        _check_common(lr, weight_decay)
        _check_nonneg("momentum", momentum)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        buf = sgd_update(
            p,
            grad,
            state.get("momentum_buffer"),
            group["lr"],
            group["momentum"],
            group["dampening"],
            group["nesterov"],
            group["weight_decay"],
        )
        if buf is not None:
            state["momentum_buffer"] = buf


class Adagrad(_Optimizer):
    """AdaGrad: per-coordinate steps lr / (sqrt(sum of g^2) + eps).

    Matches torch.optim.Adagrad.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        _check_common(lr, weight_decay, eps)
        _check_nonneg("lr_decay", lr_decay)
        _check_nonneg("initial_accumulator_value", initial_accumulator_value)
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            eps=eps,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates the state at construction
            for p in group["params"]:
                state = self.state[p]
                state["step"] = torch.tensor(0.0)
                value = group["initial_accumulator_value"]
                state["sum"] = torch.full_like(
                    p, value, memory_format=torch.preserve_format
                )

    def _update(self, p, grad, state, group):
        t = _next_step(state)
        adagrad_update(
            p,
            grad,
            state["sum"],
            t,
            group["lr"],
            group["lr_decay"],
            group["weight_decay"],
            group["eps"],
        )


class RMSprop(_Optimizer):
    """RMSProp, optionally centered and with momentum; eps outside the square root.

    Matches torch.optim.RMSprop.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        *,
        maximize=False,
    ):
        _check_common(lr, weight_decay, eps)
        _check_nonneg("momentum", momentum)
        _check_nonneg("alpha", alpha)
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if not state:
            state["square_avg"] = torch.zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = torch.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = torch.zeros_like(p)
        _next_step(state)
        rmsprop_update(
            p,
            grad,
            state["square_avg"],
            group["lr"],
            group["alpha"],
            group["eps"],
            group["weight_decay"],
            group["momentum"],
            state.get("momentum_buffer"),
            state.get("grad_avg"),
        )


class Adam(_Optimizer):
    """Adam with bias correction; ``weight_decay`` is coupled L2; ``amsgrad`` optional.

    Matches torch.optim.Adam.
    """

    _update_fn = staticmethod(adam_update)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        *,
        maximize=False,
    ):
        _check_common(lr, weight_decay, eps)
        _check_betas(betas)
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if not state:
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = torch.zeros_like(p)
        t = _next_step(state)
        self._update_fn(
            p,
            grad,
            state["exp_avg"],
            state["exp_avg_sq"],
            t,
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
            state.get("max_exp_avg_sq"),
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2). Matches torch.optim.AdamW."""

    _update_fn = staticmethod(adamw_update)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
