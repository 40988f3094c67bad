"""Linear models in NumPy, trained with hand-written gradients (chapter 3).

The perceptron, linear regression (normal equations and gradient descent), logistic
regression and softmax regression. Every function is pure: it takes the data and the
parameters and returns new parameters, never changing its arguments.

Conventions (the book's notation): ``X`` has one example per row, shape ``(m, d)``; a
binary model has weights ``w`` of shape ``(d,)`` and a scalar bias ``b``; a model with
``K`` outputs stores ``W`` as ``(K, d)`` and ``b`` as ``(K,)``, the layout of
``torch.nn.Linear(d, K)``, and computes the logits ``X @ W.T + b``. Each ``*_grads``
function returns ``(loss, dW, db)`` for the mean loss over the ``m`` examples; each
``*_fit`` runs full-batch gradient descent and returns the parameters and the list of
losses, one per epoch, each measured before that epoch's update.

The training rules themselves are chapter 3's code, kept in :mod:`._linear_models_core`;
the functions here check their arguments (``check_data``, ``check_params``,
``check_schedule``), convert them to float64 and then run that code, so that a wrong call
fails at once with an error that says what was expected.
"""

import numpy as np

from ..activations import sigmoid, softmax
from ..validation import check_count, check_lr
from . import _linear_models_core as core

__all__ = [
    "check_data",
    "check_params",
    "check_schedule",
    "perceptron_fit",
    "perceptron_predict",
    "linear_regression_normal_equations",
    "linear_regression_grads",
    "linear_regression_fit",
    "logistic_regression_grads",
    "logistic_regression_fit",
    "logistic_regression_predict_proba",
    "logistic_regression_predict",
    "softmax_regression_grads",
    "softmax_regression_fit",
    "softmax_regression_predict_proba",
    "softmax_regression_predict",
]

_LABEL_KINDS = ("real", "binary", "classes")


def check_data(X, y=None, labels="real"):
    """Validate a data set and return it as float64 ``X`` (m, d) and ``y`` (m,).

    Args:
        X: inputs, shape (m, d), one example per row.
        y: targets, shape (m,), or None to check ``X`` alone.
        labels: what ``y`` holds: ``"real"`` numbers (regression, returned as float64),
            ``"binary"`` labels 0 or 1 (returned as float64), or ``"classes"``:
            non-negative integer class indices (returned as int64).
    Returns:
        ``(X, y)`` as arrays (``y`` is None if it was None), not copied when they
        already have the right dtype: the models never write into their inputs.
    Raises:
        ValueError: on a wrong shape, non-finite inputs or invalid labels.
    """
    if labels not in _LABEL_KINDS:
        raise ValueError(f"labels must be one of {_LABEL_KINDS}, got {labels!r}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (m, d) with m >= 1, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains nan or inf")
    if y is None:
        return X, None
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}"
        )
    if labels == "classes":
        if not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
            raise ValueError(f"class labels must be integers, got dtype {y.dtype}")
        if y.min() < 0:
            raise ValueError(f"class labels must be >= 0, got {y.min()}")
        return X, y.astype(np.int64, copy=False)
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"y must hold numbers, got dtype {y.dtype}")
    y = y.astype(np.float64, copy=False)
    if labels == "binary" and not np.all((y == 0) | (y == 1)):
        bad = np.unique(y[(y != 0) & (y != 1)])[:5]
        raise ValueError(f"binary labels must be 0 or 1, got values such as {bad}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains nan or inf")
    return X, y


def check_params(X, W, b, ndim=None):
    """Validate parameters against inputs ``X`` (m, d); return float64 copies of W and b.

    Accepts ``w`` (d,) with a scalar ``b`` (one output), or ``W`` (K, d) with ``b`` (K,);
    ``ndim=1`` or ``ndim=2`` accepts only the first or only the second form.
    A scalar bias is returned as a Python float.
    """
    d = np.shape(X)[1]
    W, b = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)
    if W.ndim not in (1, 2) or W.shape[-1] != d:
        raise ValueError(f"weights must have shape ({d},) or (K, {d}), got {W.shape}")
    if ndim is not None and W.ndim != ndim:
        expected = f"({d},)" if ndim == 1 else f"(K, {d})"
        raise ValueError(f"weights must have shape {expected} here, got {W.shape}")
    if b.shape != W.shape[:-1]:
        raise ValueError(f"bias must have shape {W.shape[:-1]} for weights {W.shape}")
    return W, (float(b) if b.ndim == 0 else b)


def _check_labels_below(y, num_classes):
    """Raise ``ValueError`` unless every class index in ``y`` is < ``num_classes``."""
    if y.max() >= num_classes:
        raise ValueError(
            f"class labels must lie in [0, {num_classes - 1}] for the {num_classes} "
            f"classes of W, got values up to {y.max()}"
        )


def check_schedule(lr, epochs):
    """Check a learning rate (a finite number > 0) and a number of epochs (an int >= 0)."""
    check_lr(lr)
    check_count("epochs", epochs)


def perceptron_fit(X, y, lr=1.0, max_epochs=100):
    """Rosenblatt's perceptron rule for labels 0/1; return ``(w, b, mistakes)``.

    Visits the examples in order; each misclassified example moves the boundary towards
    it: ``w += lr (y_i - yhat_i) x_i``. Stops after the first epoch without a mistake,
    which happens in finitely many steps when the data are linearly separable.
    ``mistakes`` holds the number of updates in each epoch. Starts from zero weights.
    Differs from sklearn.linear_model.Perceptron, which shuffles the examples each epoch,
    stops on a loss tolerance rather than after an epoch without mistakes, takes any two
    labels, and counts a point on the boundary (z = 0) as a mistake for both classes
    (here it is predicted 0, a mistake only for class 1).
    """
    X, y = check_data(X, y, labels="binary")
    check_schedule(lr, max_epochs)
    return core.perceptron_fit(X, y, lr, max_epochs)


def perceptron_predict(X, w, b):
    """Step-activation predictions 1[X w + b > 0] as int64, shape (m,)."""
    X, _ = check_data(X)
    w, b = check_params(X, w, b, ndim=1)
    return (X @ w + b > 0).astype(np.int64)


def linear_regression_normal_equations(X, y):
    """Least-squares weights and bias in closed form; return ``(w, b)``.

    Appends a column of ones to ``X`` and solves the normal equations
    ``Xb^T Xb theta = Xb^T y`` (a linear solve, never an explicit inverse). Needs
    ``Xb^T Xb`` invertible (m >= d + 1, independent columns). Matches
    numpy.linalg.lstsq and sklearn.linear_model.LinearRegression on such data.
    """
    X, y = check_data(X, y, labels="real")
    return core.linear_regression_normal_equations(X, y)


def linear_regression_grads(X, y, w, b):
    """Mean squared error of ``X w + b`` and its gradients; return ``(loss, dw, db)``.

    ``J = mean((X w + b - y)^2)``, as torch.nn.functional.mse_loss, so
    ``dw = 2 X^T r / m`` and ``db = 2 mean(r)`` with residuals ``r = X w + b - y``.
    """
    X, y = check_data(X, y, labels="real")
    w, b = check_params(X, w, b, ndim=1)
    return core.linear_regression_grads(X, y, w, b)


def linear_regression_fit(X, y, lr=0.1, epochs=100, w=None, b=0.0):
    """Full-batch gradient descent on the mean squared error; return ``(w, b, losses)``.

    Starts from ``w`` (zeros if None) and ``b``.
    """
    X, y = check_data(X, y, labels="real")
    check_schedule(lr, epochs)
    w, b = check_params(X, np.zeros(X.shape[1]) if w is None else w, b, ndim=1)
    return core.linear_regression_fit(X, y, lr, epochs, w, b)


def logistic_regression_grads(X, y, w, b):
    """Binary cross-entropy of ``sigmoid(X w + b)`` and its gradients: ``(loss, dw, db)``.

    The loss is computed from the logits, so it stays finite however large they are.
    With ``dz = sigmoid(z) - y`` (the "dZ = A - Y" rule): ``dw = X^T dz / m``,
    ``db = mean(dz)``. Matches torch.nn.functional.binary_cross_entropy_with_logits and
    its autograd gradients.
    """
    X, y = check_data(X, y, labels="binary")
    w, b = check_params(X, w, b, ndim=1)
    return core.logistic_regression_grads(X, y, w, b)


def logistic_regression_fit(X, y, lr=0.1, epochs=100, w=None, b=0.0):
    """Full-batch gradient descent on the binary cross-entropy; return ``(w, b, losses)``.

    Starts from ``w`` (zeros if None) and ``b``. Labels are 0 or 1.
    """
    X, y = check_data(X, y, labels="binary")
    check_schedule(lr, epochs)
    w, b = check_params(X, np.zeros(X.shape[1]) if w is None else w, b, ndim=1)
    return core.logistic_regression_fit(X, y, lr, epochs, w, b)


def logistic_regression_predict_proba(X, w, b):
    """Probability of class 1, ``sigmoid(X w + b)``, shape (m,)."""
    X, _ = check_data(X)
    w, b = check_params(X, w, b, ndim=1)
    return sigmoid(X @ w + b)


def logistic_regression_predict(X, w, b):
    """Class 0 or 1 as int64, shape (m,): 1 where the probability exceeds 1/2 (z > 0)."""
    X, _ = check_data(X)
    w, b = check_params(X, w, b, ndim=1)
    return (X @ w + b > 0).astype(np.int64)


def softmax_regression_grads(X, y, W, b):
    """Cross-entropy of ``softmax(X W^T + b)`` and its gradients: ``(loss, dW, db)``.

    ``W`` is (K, d) and ``b`` (K,), as in torch.nn.Linear(d, K); labels are class indices
    in [0, K). With ``dZ = softmax(Z) - one_hot(y)`` of shape (m, K): ``dW = dZ^T X / m``
    and ``db`` the column means of ``dZ``. Matches torch.nn.functional.cross_entropy and
    its autograd gradients.
    """
    X, y = check_data(X, y, labels="classes")
    W, b = check_params(X, W, b, ndim=2)
    _check_labels_below(y, len(W))
    return core.softmax_regression_grads(X, y, W, b)


def softmax_regression_fit(X, y, lr=0.1, epochs=100, W=None, b=None):
    """Full-batch gradient descent on the cross-entropy; return ``(W, b, losses)``.

    Starts from ``W`` (K, d) and ``b`` (K,), zeros if None. Without ``W``, the number of
    classes K is ``y.max() + 1``; pass ``W`` to have more classes than ``y`` shows.
    """
    X, y = check_data(X, y, labels="classes")
    check_schedule(lr, epochs)
    W = np.zeros((int(y.max()) + 1, X.shape[1])) if W is None else W
    b = np.zeros(len(W)) if b is None else b
    W, b = check_params(X, W, b, ndim=2)
    _check_labels_below(y, len(W))
    return core.softmax_regression_fit(X, y, lr, epochs, W, b)


def softmax_regression_predict_proba(X, W, b):
    """Class probabilities ``softmax(X W^T + b)``, shape (m, K); each row sums to 1."""
    X, _ = check_data(X)
    W, b = check_params(X, W, b, ndim=2)
    return softmax(X @ W.T + b, axis=1)


def softmax_regression_predict(X, W, b):
    """The most probable class, the argmax of the logits, as int64, shape (m,)."""
    X, _ = check_data(X)
    W, b = check_params(X, W, b, ndim=2)
    return np.argmax(X @ W.T + b, axis=1).astype(np.int64)
