"""Loss functions in NumPy, written on logits so they stay finite (chapters 3 and 6).

Each loss ``f(prediction, target)`` returns the mean over the examples, a Python float, and
``f_grad`` returns its gradient with respect to the prediction (same shape, already divided
by the number of examples). Rows are examples, as in PyTorch.

The two cross-entropies chapter 3 derives are its code, kept in :mod:`._losses_core`; the
functions here convert and check their inputs first.
"""

from numbers import Integral

import numpy as np

from ..activations import sigmoid, softmax
from . import _losses_core

__all__ = [
    "one_hot",
    "mse_loss",
    "mse_loss_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "cross_entropy",
    "cross_entropy_grad",
]


def _check_same_shape(prediction, target, name):
    if prediction.shape != target.shape:
        raise ValueError(
            f"{name}: prediction and target must have the same shape, "
            f"got {prediction.shape} and {target.shape}"
        )


def _check_labels(logits, y):
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (m, K), got {logits.shape}")
    if y.ndim != 1 or y.shape[0] != logits.shape[0]:
        raise ValueError(
            f"labels must have shape ({logits.shape[0]},) to match logits "
            f"{logits.shape}, got {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= logits.shape[1]):
        raise ValueError(
            f"labels must lie in [0, {logits.shape[1] - 1}], "
            f"got values from {y.min()} to {y.max()}"
        )


def one_hot(y, num_classes):
    """Rows of the identity picked by integer labels: shape (m,) -> (m, num_classes).

    Any shape works: the result has shape ``y.shape + (num_classes,)``.
    Matches torch.nn.functional.one_hot, but returns float64 rather than int64.
    """
    y = np.asarray(y)
    if isinstance(num_classes, bool) or not isinstance(num_classes, Integral):
        raise TypeError(f"num_classes must be an int, got {num_classes!r}")
    if not np.issubdtype(y.dtype, np.integer):
        if y.size:
            raise ValueError(f"labels must be integer class indices, got dtype {y.dtype}")
        y = y.astype(np.int64)  # an empty list arrives as float64
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes - 1}], "
            f"got values from {y.min()} to {y.max()}"
        )
    return np.eye(num_classes)[y]


def mse_loss(prediction, target):
    """Mean of the squared differences. Matches torch.nn.functional.mse_loss."""
    prediction, target = np.asarray(prediction, float), np.asarray(target, float)
    _check_same_shape(prediction, target, "mse_loss")
    return float(np.mean((prediction - target) ** 2))


def mse_loss_grad(prediction, target):
    """Gradient 2 (prediction - target) / n of ``mse_loss``, n the number of elements.

    Equals autograd's gradient of torch.nn.functional.mse_loss with respect to its input.
    """
    prediction, target = np.asarray(prediction, float), np.asarray(target, float)
    _check_same_shape(prediction, target, "mse_loss_grad")
    return 2 * (prediction - target) / prediction.size


def binary_cross_entropy_with_logits(z, y):
    """Mean of -[y log sigma(z) + (1 - y) log(1 - sigma(z))], computed from the logit z.

    Written as max(z, 0) - z y + log(1 + exp(-|z|)), which never takes the log of 0 nor
    exp of a large number. Matches torch.nn.functional.binary_cross_entropy_with_logits.
    """
    z, y = np.asarray(z, float), np.asarray(y, float)
    _check_same_shape(z, y, "binary_cross_entropy_with_logits")
    return _losses_core.binary_cross_entropy_with_logits(z, y)


def binary_cross_entropy_with_logits_grad(z, y):
    """Gradient (sigma(z) - y) / n with respect to the logits: the "dZ = A - Y" rule.

    n is the number of elements. Equals autograd's gradient of
    torch.nn.functional.binary_cross_entropy_with_logits with respect to its input.
    """
    z, y = np.asarray(z, float), np.asarray(y, float)
    _check_same_shape(z, y, "binary_cross_entropy_with_logits_grad")
    return (sigmoid(z) - y) / z.size


def cross_entropy(logits, y):
    """Mean of -log softmax(logits)[i, y_i] over the rows, from logits (m, K), labels (m,).

    Uses log_softmax (log-sum-exp with the row maximum subtracted), so it stays finite for
    any logits. Matches torch.nn.functional.cross_entropy.
    """
    logits, y = np.asarray(logits, float), np.asarray(y)
    _check_labels(logits, y)
    return _losses_core.cross_entropy(logits, y)


def cross_entropy_grad(logits, y):
    """Gradient (softmax(logits) - one_hot(y)) / m of ``cross_entropy``, shape (m, K).

    Equals autograd's gradient of torch.nn.functional.cross_entropy w.r.t. the logits.
    """
    logits, y = np.asarray(logits, float), np.asarray(y)
    _check_labels(logits, y)
    m, k = logits.shape
    return (softmax(logits, axis=1) - one_hot(y, k)) / m
