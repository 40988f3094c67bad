"""Gradient descent in NumPy: full-batch, stochastic and mini-batch (chapter 4).

Every method here repeats one update, ``theta <- theta - lr * gradient``:

- :func:`gradient_descent` applies it to a deterministic function (a quadratic, a loss
  surface) and returns the whole path;
- :func:`minibatch_gradient_descent` applies it to a loss that is a mean over examples,
  estimating the gradient on ``batch_size`` examples at a time, in a fresh random order
  every epoch: ``batch_size=len(X)`` is batch gradient descent, ``batch_size=1`` is
  stochastic gradient descent, anything between is mini-batch gradient descent.

One step equals one step of ``torch.optim.SGD(params, lr=lr)`` (no momentum, no weight
decay). Arguments are checked by ``dlbook_utils.validation`` and by ``check_xy``, whose
errors say what was expected; chapter 4 calls them too.
"""

from dataclasses import dataclass, field

import numpy as np

from .validation import check_count, check_generator, check_lr

__all__ = [
    "GDHistory",
    "check_xy",
    "batch_indices",
    "gradient_descent",
    "minibatch_gradient_descent",
]


# ------------------------------------------------------------------------------ validation


def check_xy(X, y):
    """Return the number of examples n; raise ``ValueError`` unless X and y both have n > 0 rows."""
    shape_X, shape_y = np.shape(X), np.shape(y)
    if not shape_X or not shape_y or shape_X[0] != shape_y[0] or shape_X[0] == 0:
        raise ValueError(
            "X and y must have the same number of examples (first dimension, > 0), "
            f"got shapes {shape_X} and {shape_y}"
        )
    return shape_X[0]


# ------------------------------------------------------------------------------- history


@dataclass
class GDHistory:
    """What :func:`minibatch_gradient_descent` records at each update, in order.

    ``loss[k]`` is the mean loss of the k-th update's batch at the parameters *before* that
    update (what ``loss.item()`` gives in a PyTorch loop), ``batch_size[k]`` the number of
    examples in it and ``epoch[k]`` its epoch, counted from 0.
    """

    loss: list = field(default_factory=list)
    batch_size: list = field(default_factory=list)
    epoch: list = field(default_factory=list)

    def record(self, epoch, batch_size, loss):
        """Append one update's epoch, batch size and batch loss."""
        self.epoch.append(int(epoch))
        self.batch_size.append(int(batch_size))
        self.loss.append(float(loss))

    @property
    def updates(self):
        """Number of parameter updates made."""
        return len(self.loss)

    def samples_seen(self):
        """Array (updates,): examples whose gradient was computed up to each update."""
        return np.cumsum(np.asarray(self.batch_size, dtype=np.int64))

    def epoch_loss(self):
        """Array (epochs,): each epoch's batch losses averaged with weights = batch sizes.

        This is the running training loss that ``dlbook_utils.train.train_epoch`` reports:
        measured while the parameters move, not at the end of the epoch.
        """
        if not self.loss:
            return np.zeros(0)
        epoch = np.asarray(self.epoch)
        sizes = np.asarray(self.batch_size, dtype=float)
        total = np.bincount(epoch, weights=sizes * np.asarray(self.loss))
        return total / np.bincount(epoch, weights=sizes)


# ------------------------------------------------------------------------------ methods


def batch_indices(n, batch_size, rng, drop_last=False):
    """The row indices of one epoch's mini-batches, in a fresh random order.

    Args:
        n: number of examples.
        batch_size: examples per batch, 1 <= batch_size <= n. The last batch holds the
            n % batch_size leftover examples, unless ``drop_last``, which leaves them out
            of this epoch (a different random few every epoch).
        rng: the ``numpy.random.Generator`` that draws the order (one permutation).
    Returns:
        list of integer arrays; without ``drop_last`` their concatenation is a permutation
        of range(n), so each epoch visits every example exactly once.
    Matches the order-then-slice batching of ``torch.utils.data.DataLoader(shuffle=True)``
    and ``dlbook_utils.data.iterate_minibatches`` (which draw from a torch.Generator).
    Taught in chapter 4.
    """
    check_count("n", n, minimum=1)
    check_count("batch_size", batch_size, minimum=1, maximum=n)
    check_generator(rng)
    order = rng.permutation(n)  # a new random order every epoch
    stop = n - n % batch_size if drop_last else n
    starts = range(0, stop, batch_size)
    return [order[start : start + batch_size] for start in starts]


def gradient_descent(grad_fn, theta0, lr, steps):
    """Take ``steps`` steps theta <- theta - lr * grad_fn(theta) from theta0; return the path.

    Args:
        grad_fn: function of theta returning the gradient, an array of theta's shape.
        theta0: starting parameters, any shape (copied, never modified).
        lr: learning rate, a finite number > 0.
        steps: number of updates, an integer >= 0.
    Returns:
        array (steps + 1, *theta0.shape): theta0, then the parameters after each step.
    Matches ``torch.optim.SGD([theta], lr=lr)`` stepped ``steps`` times on a deterministic
    loss. Taught in chapter 4.
    """
    check_lr(lr)
    check_count("steps", steps)
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)  # a new array: the path keeps every point
        path.append(theta)
    return np.stack(path)


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
    (see :func:`batch_indices`) and, for each batch B of b examples, updates
    theta <- theta - lr * (1/b) sum_{i in B} grad loss_i(theta).

    Args:
        loss_and_grad: function ``(theta, X_batch, y_batch) -> (loss, grad)`` returning the
            *mean* loss over the batch and its gradient (theta's shape).
        theta0: starting parameters, any shape (copied, never modified).
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
    Matches ``torch.optim.SGD(params, lr=lr)`` fed the same batches (tested step for step).
    Taught in chapter 4.
    """
    n = check_xy(X, y)
    check_lr(lr)
    check_count("batch_size", batch_size, minimum=1, maximum=n)
    check_count("epochs", epochs)
    check_generator(rng)
    theta = np.array(theta0, dtype=float)
    history = GDHistory()
    for epoch in range(epochs):
        for rows in batch_indices(n, batch_size, rng, drop_last):
            loss, grad = loss_and_grad(theta, X[rows], y[rows])  # means over the batch
            theta = theta - lr * grad
            history.record(epoch, len(rows), loss)
            if callback is not None:
                callback(theta)
    return theta, history
