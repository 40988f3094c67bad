"""Batch normalisation layers whose training-mode backward pass is written by hand (ch. 13).

``BatchNorm1d`` and ``BatchNorm2d`` have nn.BatchNorm1d's and nn.BatchNorm2d's arguments,
parameters (``weight``, ``bias``) and buffers (``running_mean``, ``running_var``,
``num_batches_tracked``), so ``load_state_dict`` works across the two. In training mode the
forward pass goes through ``BatchNormFunction``, an autograd.Function whose backward is
``batch_norm_backward``; in eval mode the running statistics are used and autograd
differentiates the (then elementwise) formula itself.
"""

import torch
from torch import nn

from dlbook_utils.layers._args import check_int
from dlbook_utils.layers._batchnorm_core import batch_norm_backward, batch_norm_forward

__all__ = ["BatchNormFunction", "BatchNorm1d", "BatchNorm2d"]


class BatchNormFunction(torch.autograd.Function):
    """Training-mode batch norm of a (m, C) matrix with the hand-derived backward pass.

    ``apply(x, gamma, beta, eps)`` returns ``(y, mean, var)``; mean and biased var are
    returned (without gradient) for the running statistics.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        y, cache, mean, var = batch_norm_forward(x, gamma, beta, eps)
        ctx.save_for_backward(gamma, *cache)
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx, dy, _dmean, _dvar):
        gamma, x_hat, inv_std = ctx.saved_tensors
        dx, dgamma, dbeta = batch_norm_backward(dy, gamma, (x_hat, inv_std))
        return dx, dgamma, dbeta, None


class _BatchNorm(nn.Module):
    """What BatchNorm1d and BatchNorm2d share; they differ in the input ranks accepted."""

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.num_features = check_int(num_features, "num_features", 1)
        if not isinstance(eps, int | float) or isinstance(eps, bool) or eps <= 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        if momentum is not None and not (
            isinstance(momentum, int | float) and 0 <= momentum <= 1
        ):
            raise ValueError(
                f"momentum must be a number in [0, 1] or None, got {momentum!r}"
            )
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        kw = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **kw))
            self.bias = nn.Parameter(torch.zeros(num_features, **kw))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
            count = torch.tensor(0, dtype=torch.long, device=device)
            self.register_buffer("num_batches_tracked", count)
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batch seen (as torch)."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )

    def _check_input(self, input):
        raise NotImplementedError

    def forward(self, input):
        self._check_input(input)
        c = self.num_features
        # (N, C, *) -> (m, C): every position of every example is one row of its channel
        x = input.movedim(1, -1).reshape(-1, c)
        ones = torch.ones(c, dtype=input.dtype, device=input.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else torch.zeros_like(ones)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            if x.shape[0] < 2:
                raise ValueError(
                    "batch norm needs more than 1 value per channel in training mode, "
                    f"got input of shape {tuple(input.shape)}"
                )
            y, mean, var = BatchNormFunction.apply(x, gamma, beta, self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean, var, x.shape[0])
        else:
            inv_std = torch.rsqrt(self.running_var + self.eps)
            y = (x - self.running_mean) * inv_std * gamma + beta
        # back to (N, C, *)
        shape = input.movedim(1, -1).shape
        return y.reshape(shape).movedim(-1, 1)

    @torch.no_grad()
    def _update_running_stats(self, mean, var, m):
        self.num_batches_tracked += 1
        if self.momentum is None:  # cumulative average of all batches so far
            factor = 1.0 / float(self.num_batches_tracked)
        else:
            factor = self.momentum
        unbiased = var * m / (m - 1)  # torch keeps the unbiased estimate
        self.running_mean.mul_(1 - factor).add_(factor * mean)
        self.running_var.mul_(1 - factor).add_(factor * unbiased)


def _check_rank(module, input, ranks, shapes):
    name = type(module).__name__
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{name} expects a torch.Tensor, got {type(input).__name__}")
    if input.dim() not in ranks:
        raise ValueError(
            f"{name} expects input of shape {shapes}, got a {input.dim()}-D tensor "
            f"of shape {tuple(input.shape)}"
        )
    if input.shape[1] != module.num_features:
        raise ValueError(
            f"{name}({module.num_features}) expects {module.num_features} features "
            f"in dimension 1, got input of shape {tuple(input.shape)}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input, statistics per feature C.

    Args:
        num_features: C.
        eps: added to the variance inside the square root: (x - mean) / sqrt(var + eps).
        momentum: weight of the newest batch in the running statistics; None for a
            cumulative average of all batches.
        affine: learn ``weight`` (gamma, init 1) and ``bias`` (beta, init 0).
        track_running_stats: keep ``running_mean`` and ``running_var`` (the unbiased
            batch variance, averaged) for eval mode; if False, eval mode also uses batch
            statistics.

    Matches torch.nn.BatchNorm1d: outputs, gradients, buffers, state_dict keys; train or
    eval is chosen by ``self.training`` only. Differs in errors (ValueError naming the
    expected shape).
    """

    def _check_input(self, input):
        _check_rank(self, input, (2, 3), "(N, C) or (N, C, L)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input, statistics per channel over N, H, W.

    Arguments as ``BatchNorm1d``. Matches torch.nn.BatchNorm2d (outputs, gradients,
    buffers, state_dict keys); errors are ValueError naming the expected shape.
    """

    def _check_input(self, input):
        _check_rank(self, input, (4,), "(N, C, H, W)")
