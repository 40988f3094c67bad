"""Batch normalisation's taught cores: the forward pass and its hand-derived backward pass.

Both act on a (N, C) matrix: one column per feature. ``BatchNorm2d`` first moves the
channels last and flattens (N, C, H, W) to (N * H * W, C), so the same two functions serve
both layers. No argument checks here: ``dlbook_utils.layers.batchnorm`` checks, then calls
these (chapter 13 derives them).
"""

import torch

__all__ = ["batch_norm_forward", "batch_norm_backward"]


def batch_norm_forward(x, gamma, beta, eps):
    """Normalise each column of ``x`` by its batch statistics, then scale and shift.

    y = gamma * (x - mean) / sqrt(var + eps) + beta, with the biased variance (divide by
    m, the number of rows), as torch.nn.functional.batch_norm does in training mode.

    Args:
        x: (m, C); gamma, beta: (C,); eps: a float added to the variance.
    Returns:
        y (m, C), and the cache (x_hat, inv_std) that the backward pass needs; the batch
        mean and biased variance are returned too, for the running statistics.
    """
    mean = x.mean(dim=0)  # (C,)
    var = x.var(dim=0, unbiased=False)  # (C,), divides by m
    inv_std = 1.0 / torch.sqrt(var + eps)  # (C,): 1 / sqrt(var + eps)
    x_hat = (x - mean) * inv_std  # (m, C): zero mean, unit variance
    y = gamma * x_hat + beta
    return y, (x_hat, inv_std), mean, var


def batch_norm_backward(dy, gamma, cache):
    """Gradients of the loss with respect to x, gamma and beta, given dL/dy.

    With x_hat = (x - mean) * inv_std, the mean and the variance both depend on every
    row, which gives the two correction terms:
        dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)),
    where dx_hat = dy * gamma and the means run over the m rows.

    Args:
        dy: (m, C); gamma: (C,); cache: (x_hat, inv_std) from batch_norm_forward.
    Returns:
        dx (m, C), dgamma (C,), dbeta (C,).
    """
    x_hat, inv_std = cache
    dbeta = dy.sum(dim=0)
    dgamma = (dy * x_hat).sum(dim=0)
    dx_hat = dy * gamma  # (m, C)
    # the two means come from the batch mean and variance depending on every row
    dx = inv_std * (dx_hat - dx_hat.mean(dim=0) - x_hat * (dx_hat * x_hat).mean(dim=0))
    return dx, dgamma, dbeta
