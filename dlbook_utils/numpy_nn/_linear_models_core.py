"""Chapter 3's linear models exactly as the chapter shows them: the rules, no argument checks.

Call them through :mod:`dlbook_utils.numpy_nn.linear_models`, whose functions of the same
names check their arguments (shapes, labels, learning rate, number of epochs), convert them
to float64, and then run this code. ``tests/test_chapter_sync.py`` keeps this code
identical to the chapter's cells. Shapes: ``X`` (m, d), ``y`` (m,), ``w`` (d,) with a
scalar ``b``, or ``W`` (K, d) with ``b`` (K,).
"""

import numpy as np

from ..activations import sigmoid, softmax
from ._losses_core import binary_cross_entropy_with_logits, cross_entropy
from .losses import mse_loss, one_hot

__all__ = [
    "perceptron_fit",
    "linear_regression_normal_equations",
    "linear_regression_grads",
    "linear_regression_fit",
    "logistic_regression_grads",
    "logistic_regression_fit",
    "softmax_regression_grads",
    "softmax_regression_fit",
]


def perceptron_fit(X, y, lr=1.0, max_epochs=100):
    """The perceptron rule for labels 0/1: ``(w, b, mistakes per epoch)``."""
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes = []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(X, y, strict=True):
            y_hat = float(x_i @ w + b > 0)  # the step activation
            if y_hat != y_i:  # y_i - y_hat is +1 or -1
                w = w + lr * (y_i - y_hat) * x_i
                b = b + lr * (y_i - y_hat)
                errors += 1
        mistakes.append(errors)
        if errors == 0:  # a whole epoch without a mistake: done
            break
    return w, b, mistakes


def linear_regression_normal_equations(X, y):
    """Least-squares ``(w, b)`` from the normal equations."""
    Xb = np.hstack([X, np.ones((X.shape[0], 1))])  # (m, d + 1): bias as feature
    theta = np.linalg.solve(Xb.T @ Xb, Xb.T @ y)  # (d + 1,)
    return theta[:-1], float(theta[-1])


def linear_regression_grads(X, y, w, b):
    """Mean squared error of ``X w + b`` and its gradients: ``(loss, dw, db)``."""
    y_hat = X @ w + b  # (m,)
    loss = mse_loss(y_hat, y)
    r = y_hat - y  # (m,) residuals
    dw = 2 * X.T @ r / X.shape[0]  # (d,): the shape of w
    db = 2 * r.mean()
    return loss, dw, float(db)


def linear_regression_fit(X, y, lr=0.1, epochs=100, w=None, b=0.0):
    """Full-batch gradient descent on the mean squared error: ``(w, b, losses)``."""
    w = np.zeros(X.shape[1]) if w is None else w
    losses = []
    for _ in range(epochs):
        loss, dw, db = linear_regression_grads(X, y, w, b)
        w, b = w - lr * dw, b - lr * db  # new arrays, inputs untouched
        losses.append(loss)  # the loss before this epoch's step
    return w, b, losses


def logistic_regression_grads(X, y, w, b):
    """Binary cross-entropy of ``sigmoid(X w + b)`` and its gradients: ``(loss, dw, db)``."""
    z = X @ w + b  # (m,) logits
    loss = binary_cross_entropy_with_logits(z, y)
    dz = sigmoid(z) - y  # (m,): dL_i/dz_i, the "dZ = A - Y" rule
    dw = X.T @ dz / X.shape[0]  # (d,)
    db = dz.mean()
    return loss, dw, float(db)


def logistic_regression_fit(X, y, lr=0.1, epochs=100, w=None, b=0.0):
    """Full-batch gradient descent on the binary cross-entropy: ``(w, b, losses)``."""
    w = np.zeros(X.shape[1]) if w is None else w
    losses = []
    for _ in range(epochs):
        loss, dw, db = logistic_regression_grads(X, y, w, b)
        w, b = w - lr * dw, b - lr * db
        losses.append(loss)
    return w, b, losses


def softmax_regression_grads(X, y, W, b):
    """Cross-entropy of ``softmax(X W^T + b)`` and its gradients: ``(loss, dW, db)``."""
    Z = X @ W.T + b  # (m, K) logits
    loss = cross_entropy(Z, y)
    dZ = softmax(Z, axis=1) - one_hot(y, W.shape[0])  # (m, K): P - Y
    dW = dZ.T @ X / X.shape[0]  # (K, d), the shape of W
    db = dZ.mean(axis=0)  # (K,)
    return loss, dW, db


def softmax_regression_fit(X, y, lr=0.1, epochs=100, W=None, b=None):
    """Full-batch gradient descent on the cross-entropy: ``(W, b, losses)``."""
    W = np.zeros((int(y.max()) + 1, X.shape[1])) if W is None else W
    b = np.zeros(len(W)) if b is None else b
    losses = []
    for _ in range(epochs):
        loss, dW, db = softmax_regression_grads(X, y, W, b)
        W, b = W - lr * dW, b - lr * db
        losses.append(loss)
    return W, b, losses
