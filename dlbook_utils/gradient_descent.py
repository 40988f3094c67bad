"""Gradient descent in NumPy: full-batch, stochastic and mini-batch (chapter 4).

Every method here repeats one update, ``theta <- theta - lr * gradient``:

- :func:`gradient_descent` applies it to a deterministic function (a quadratic, a loss
  surface) and returns the whole path;
- :func:`minibatch_gradient_descent` applies it to a loss that is a mean over examples,
  estimating the gradient on ``batch_size`` examples at a time, in a fresh random order
  every epoch: ``batch_size=len(X)`` is batch gradient descent, ``batch_size=1`` is
  stochastic gradient descent, anything between is mini-batch gradient descent.

One step equals one step of ``torch.optim.SGD(params, lr=lr)`` (no momentum, no weight
decay). The updates themselves are chapter 4's code, kept in
:mod:`._gradient_descent_core`; the functions here check their arguments first (with
``dlbook_utils.validation`` and :func:`check_xy`), so that a wrong call fails at once with
an error that says what was expected.
"""

import numpy as np

from . import _gradient_descent_core as core
from ._gradient_descent_core import GDHistory
from .validation import check_count, check_generator, check_lr

__all__ = [
    "GDHistory",
    "check_xy",
    "batch_indices",
    "gradient_descent",
    "minibatch_gradient_descent",
]


def check_xy(X, y):
    """Return the number of examples n; raise ``ValueError`` unless X and y both have n > 0 rows."""
    shape_X, shape_y = np.shape(X), np.shape(y)
    if not shape_X or not shape_y or shape_X[0] != shape_y[0] or shape_X[0] == 0:
        raise ValueError(
            "X and y must have the same number of examples (first dimension, > 0), "
            f"got shapes {shape_X} and {shape_y}"
        )
    return shape_X[0]


def batch_indices(n, batch_size, rng, drop_last=False):
    """The row indices of one epoch's mini-batches, in a fresh random order.

    Args:
        n: number of examples, an integer >= 1.
        batch_size: examples per batch, 1 <= batch_size <= n. The last batch holds the
            n % batch_size leftover examples, unless ``drop_last``, which leaves them out
            of this epoch (a different random few every epoch).
        rng: the ``numpy.random.Generator`` that draws the order (one permutation).
    Returns:
        list of integer arrays; without ``drop_last`` their concatenation is a permutation
        of range(n), so each epoch visits every example exactly once.
    Raises:
        ValueError: ``n`` or ``batch_size`` is not an integer in range.
        TypeError: ``rng`` is not a ``numpy.random.Generator``.
    Matches the order-then-slice batching of ``torch.utils.data.DataLoader(shuffle=True)``
    and ``dlbook_utils.data.iterate_minibatches`` (which draw from a torch.Generator).
    Taught in chapter 4.
    """
    check_count("n", n, minimum=1)
    check_count("batch_size", batch_size, minimum=1, maximum=n)
    check_generator(rng)
    return core.batch_indices(n, batch_size, rng, drop_last)


def gradient_descent(grad_fn, theta0, lr, steps):
    """Take ``steps`` steps theta <- theta - lr * grad_fn(theta) from theta0; return the path.

    Args:
        grad_fn: function of theta returning the gradient, an array of theta's shape.
        theta0: starting parameters, any shape (copied, never modified).
        lr: learning rate, a finite number > 0.
        steps: number of updates, an integer >= 0.
    Returns:
        array (steps + 1, *theta0.shape): theta0, then the parameters after each step.
    Raises:
        ValueError: ``lr`` or ``steps`` out of range.
    Matches ``torch.optim.SGD([theta], lr=lr)`` stepped ``steps`` times on a deterministic
    loss. Taught in chapter 4.
    """
    check_lr(lr)
    check_count("steps", steps)
    return core.gradient_descent(grad_fn, theta0, lr, steps)


def minibatch_gradient_descent(
    loss_and_grad,
    theta0,
    X,
    y,
    *,
    lr,
    batch_size,
    epochs,
    rng,
    drop_last=False,
    callback=None,
):
    """Mini-batch gradient descent on a loss that is a mean over the examples (X, y).

    Each epoch shuffles the examples with ``rng``, cuts them into batches of ``batch_size``
    (see :func:`batch_indices`) and, for each mini-batch of B examples, updates
    theta <- theta - lr * (1/B) sum_{i in batch} grad loss_i(theta) (chapter 4's
    notation: B the batch size, never a count of batches).

    Args:
        loss_and_grad: function ``(theta, X_batch, y_batch) -> (loss, grad)`` returning the
            *mean* loss over the batch and its gradient (theta's shape).
        theta0: starting parameters, any shape (copied, never modified); for a
            linear layer, its weight in torch's (out_features, in_features) layout.
        X, y: examples (n, ...) and targets (n, ...), indexed by NumPy integer arrays.
        lr: learning rate, a finite number > 0.
        batch_size: 1 (stochastic), n (batch gradient descent) or anything between.
        epochs: number of passes over the data, an integer >= 0.
        rng: ``numpy.random.Generator`` that shuffles; the only source of randomness.
        drop_last: skip the n % batch_size examples left over by each epoch's order.
        callback: called as ``callback(theta)`` after every update, e.g. ``path.append``
            to keep the trajectory (each theta is a new array).
    Returns:
        (theta, history): the final parameters and a :class:`GDHistory`.
    Raises:
        ValueError: X and y of different or zero lengths; ``lr``, ``batch_size`` or
            ``epochs`` out of range.
        TypeError: ``rng`` is not a ``numpy.random.Generator``.
    Matches ``torch.optim.SGD(params, lr=lr)`` fed the same batches (tested step for step).
    Taught in chapter 4.
    """
    n = check_xy(X, y)
    check_lr(lr)
    check_count("batch_size", batch_size, minimum=1, maximum=n)
    check_count("epochs", epochs)
    check_generator(rng)
    return core.minibatch_gradient_descent(
        loss_and_grad,
        theta0,
        X,
        y,
        lr=lr,
        batch_size=batch_size,
        epochs=epochs,
        rng=rng,
        drop_last=drop_last,
        callback=callback,
    )
