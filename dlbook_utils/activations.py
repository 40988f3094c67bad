"""Activation functions and their derivatives in NumPy, numerically stable (chapter 5).

Each elementwise activation ``f(x)`` takes an array-like ``x`` of any shape and returns an
array of the same shape; ``f_grad(x)`` returns the derivative ``f'(x)``, elementwise, with
the same shape. At the kinks (``x = 0``) the derivative takes the value PyTorch's autograd
uses, so the two can be compared everywhere. Softmax maps a vector to a vector, so its
derivative is a Jacobian; ``softmax_backward`` applies it to an upstream gradient without
building it.

Integer inputs are converted to float64; float32 stays float32. No function overflows for
large finite inputs (for the softmax family: as long as differences between logits are
finite): exponentials are only ever taken of numbers <= 0, where underflow to 0 is the
correctly rounded answer. The one value that can lie beyond the largest float is leaky
ReLU's with ``|negative_slope| > 1`` (``1.5 * -1.7e308``): it is -inf (or +inf), as in
torch, without an overflow warning.
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
    """``x`` as a floating-point array: integers and booleans become float64."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def linear(x):
    """Identity f(x) = x, the output activation for regression. Matches torch.nn.Identity."""
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
    """Derivative sigma(x) (1 - sigma(x)); at most 1/4, reached at x = 0.

    Matches autograd's gradient of torch.sigmoid.
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """Hyperbolic tangent, equal to 2 sigma(2x) - 1. Matches torch.tanh."""
    return np.tanh(_as_float(x))


def tanh_grad(x):
    """Derivative 1 - tanh(x)^2; at most 1, reached at x = 0.

    Matches autograd's gradient of torch.tanh.
    """
    t = tanh(x)
    return 1 - t * t


def relu(x):
    """Rectified linear unit max(0, x). Matches torch.relu."""
    x = _as_float(x)
    return np.maximum(x, 0)


def relu_grad(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (0 at x = 0, as autograd uses).

    Matches autograd's gradient of torch.relu.
    """
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, negative_slope * x otherwise. Matches torch.nn.functional.leaky_relu.

    A slope with ``|negative_slope| > 1`` takes inputs near -1.7e308 past the largest
    float: the result is then -inf (+inf for a negative slope), as torch gives.
    """
    x = _as_float(x)
    # a slope > 1 takes -1.7e308 past the largest float: -inf, as in torch
    with np.errstate(over="ignore"):
        return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of leaky ReLU: 1 where x > 0, else negative_slope (also at 0).

    Matches autograd's gradient of torch.nn.functional.leaky_relu.
    """
    x = _as_float(x)
    return np.where(x > 0, 1, negative_slope).astype(x.dtype)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (exp(x) - 1) otherwise. Matches torch.nn.functional.elu.

    ``expm1`` of min(x, 0) keeps small negative inputs accurate and never overflows.
    """
    x = _as_float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    """Derivative of ELU: 1 where x > 0, else alpha exp(x) (alpha at 0).

    Matches autograd's gradient of torch.nn.functional.elu.
    """
    x = _as_float(x)
    negative_side = alpha * np.exp(np.minimum(x, 0))  # = elu(x) + alpha
    return np.where(x > 0, 1, negative_side).astype(x.dtype)


def swish(x):
    """Swish x sigma(x), also called SiLU. Matches torch.nn.functional.silu.

    At x = -inf it gives nan (inf * 0), as torch does; the limit is 0.
    """
    x = _as_float(x)
    return x * sigmoid(x)


def swish_grad(x):
    """Derivative sigma(x) (1 + x (1 - sigma(x))) of swish.

    Matches autograd's gradient of torch.nn.functional.silu.
    """
    x = _as_float(x)
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def logsumexp(x, axis=-1, keepdims=False):
    """log(sum(exp(x))) along ``axis``, shifted by the maximum so exp never overflows.

    Args:
        x: array-like of any shape with at least one dimension.
        axis: the dimension summed over; keepdims: keep it with size 1.
    Returns:
        array of x's shape without ``axis`` (or with size 1 there if ``keepdims``). Rows
        that are entirely -inf give -inf. Matches torch.logsumexp(x, dim=axis).
    """
    x = _as_float(x)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # an all -inf row: shift by 0, not by -inf
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer for such a row
        total = np.sum(np.exp(x - m), axis=axis, keepdims=True)
        out = np.log(total) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(x, axis=-1):
    """exp(x_i) / sum_j exp(x_j) along ``axis``, computed as exp(x - max(x)).

    Subtracting the maximum changes nothing mathematically and keeps every exponent <= 0.
    Entries equal to -inf (masked logits) get probability 0; a slice that is entirely
    -inf gives nan, as in torch.

    Args:
        x: array-like of logits of any shape with at least one dimension.
        axis: the dimension that sums to 1.
    Returns:
        array of x's shape. Matches torch.softmax(x, dim=axis).
    """
    x = _as_float(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``: finite even where softmax underflows to 0.

    Args:
        x: array-like of logits of any shape with at least one dimension.
        axis: the dimension normalised over.
    Returns:
        array of x's shape. Matches torch.log_softmax(x, dim=axis).
    """
    x = _as_float(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax_jacobian(x):
    """Jacobian diag(s) - s s^T of the softmax s of a single vector ``x`` of shape (K,).

    Returns:
        array (K, K) whose entry [i, j] is d s_i / d x_j. Matches
        torch.autograd.functional.jacobian of torch.softmax(x, dim=0).
    Raises:
        ValueError: if ``x`` is not one-dimensional.
    """
    x = _as_float(x)
    if x.ndim != 1:
        raise ValueError(f"softmax_jacobian takes one vector of shape (K,), got {x.shape}")
    s = softmax(x)
    return np.diag(s) - np.outer(s, s)


def softmax_backward(x, grad_output, axis=-1):
    """Gradient with respect to ``x`` of a loss whose gradient at softmax(x) is grad_output.

    Applies the Jacobian of each slice without forming it: s * (g - sum(g * s)).

    Args:
        x: logits of any shape; grad_output: dL/ds, the same shape; axis: as in softmax.
    Returns:
        dL/dx, x's shape. Equals autograd's ``x.grad`` after
        ``torch.softmax(x, axis).backward(grad_output)``.
    Raises:
        ValueError: if grad_output's shape differs from x's.
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
