"""Activation functions and their derivatives in NumPy, numerically stable (chapter 5).

Each activation ``f`` comes with ``f_grad(x)``, its derivative with respect to its input,
evaluated elementwise at ``x``. At the kinks (``x = 0``) the derivative takes the value
PyTorch's autograd uses, so the two can be compared everywhere. Softmax maps a vector to a
vector, so its derivative is a Jacobian; ``softmax_backward`` applies it to an upstream
gradient without building it.

Integer inputs are converted to float64; float32 stays float32.
"""

import numpy as np

__all__ = [
    "linear",
    "linear_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "swish",
    "swish_grad",
    "logsumexp",
    "softmax",
    "log_softmax",
    "softmax_jacobian",
    "softmax_backward",
    "ACTIVATIONS",
]


def _as_float(x):
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def linear(x):
    """Identity f(x) = x, the output activation for regression."""
    return _as_float(x)


def linear_grad(x):
    """Derivative of the identity: ones shaped like ``x``."""
    return np.ones_like(_as_float(x))


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), without overflow for large |x|.

    exp is only ever taken of -|x| <= 0, so it lies in (0, 1]. Matches torch.sigmoid.
    """
    x = _as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    """Derivative sigma(x) (1 - sigma(x)); at most 1/4, reached at x = 0."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """Hyperbolic tangent, equal to 2 sigma(2x) - 1. Matches torch.tanh."""
    return np.tanh(_as_float(x))


def tanh_grad(x):
    """Derivative 1 - tanh(x)^2; at most 1, reached at x = 0."""
    t = tanh(x)
    return 1 - t * t


def relu(x):
    """Rectified linear unit max(0, x). Matches torch.relu."""
    x = _as_float(x)
    return np.maximum(x, 0)


def relu_grad(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (0 at x = 0, as autograd uses)."""
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, negative_slope * x otherwise. Matches torch.nn.functional.leaky_relu."""
    x = _as_float(x)
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of leaky ReLU: 1 where x > 0, else negative_slope (also at 0, as autograd)."""
    x = _as_float(x)
    return np.where(x > 0, 1, negative_slope).astype(x.dtype)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (exp(x) - 1) otherwise. Matches torch.nn.functional.elu.

    ``expm1`` of min(x, 0) keeps small negative inputs accurate and never overflows.
    """
    x = _as_float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    """Derivative of ELU: 1 where x > 0, else alpha exp(x) (alpha at 0, as autograd)."""
    x = _as_float(x)
    return np.where(x > 0, 1, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


def swish(x):
    """Swish x sigma(x), also called SiLU. Matches torch.nn.functional.silu."""
    x = _as_float(x)
    return x * sigmoid(x)


def swish_grad(x):
    """Derivative sigma(x) (1 + x (1 - sigma(x))) of swish."""
    x = _as_float(x)
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def logsumexp(x, axis=-1, keepdims=False):
    """log(sum(exp(x))) along ``axis``, shifted by the maximum so exp never overflows.

    Matches torch.logsumexp. Rows that are entirely -inf give -inf.
    """
    x = _as_float(x)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # an all -inf row: shift by 0, not by -inf
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(x, axis=-1):
    """exp(x_i) / sum_j exp(x_j) along ``axis``, computed as exp(x - max(x)).

    Subtracting the row maximum changes nothing mathematically and keeps every exponent
    <= 0. Matches torch.softmax(x, dim=axis).
    """
    x = _as_float(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``: finite even where softmax underflows to 0.

    Matches torch.log_softmax(x, dim=axis).
    """
    x = _as_float(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax_jacobian(x):
    """Jacobian diag(s) - s s^T of the softmax s of a single vector ``x`` of shape (K,)."""
    x = _as_float(x)
    if x.ndim != 1:
        raise ValueError(f"softmax_jacobian takes one vector of shape (K,), got {x.shape}")
    s = softmax(x)
    return np.diag(s) - np.outer(s, s)


def softmax_backward(x, grad_output, axis=-1):
    """Gradient with respect to ``x`` of a loss whose gradient at softmax(x) is grad_output.

    Applies the Jacobian of each slice without forming it: s * (g - sum(g * s)).
    Equals autograd's ``x.grad`` after ``torch.softmax(x, axis).backward(grad_output)``.
    """
    s = softmax(x, axis=axis)
    g = _as_float(grad_output)
    if g.shape != s.shape:
        raise ValueError(f"grad_output must have the shape of x, {s.shape}, got {g.shape}")
    return s * (g - np.sum(g * s, axis=axis, keepdims=True))


# name -> (function, derivative) for the elementwise activations, in the chapter's order
ACTIVATIONS = {
    "linear": (linear, linear_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "swish": (swish, swish_grad),
}
