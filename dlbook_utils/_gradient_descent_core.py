"""Chapter 4's gradient descent exactly as the chapter shows it: the updates, no checks.

Call the methods through :mod:`dlbook_utils.gradient_descent`, whose functions of the same
names check their arguments (data shapes, learning rate, batch size, counts, generator)
and then run this code. ``tests/test_chapter_sync.py`` keeps the three functions identical
to the chapter's cells. :class:`GDHistory`, the record that
:func:`minibatch_gradient_descent` writes, lives here with it; chapter 4 imports it from
:mod:`dlbook_utils.gradient_descent`.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "GDHistory",
    "batch_indices",
    "gradient_descent",
    "minibatch_gradient_descent",
]


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


def gradient_descent(grad_fn, theta0, lr, steps):
    """Take ``steps`` steps theta <- theta - lr * grad_fn(theta); return the path."""
    theta = np.array(theta0, dtype=float)  # a copy: theta0 is never modified
    path = [theta]
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)  # a new array: path keeps all
        path.append(theta)
    return np.stack(path)  # (steps + 1, *theta0.shape)


def batch_indices(n, batch_size, rng, drop_last=False):
    """The row indices of one epoch's mini-batches, in a fresh random order."""
    order = rng.permutation(n)  # a new random order every epoch
    stop = n - n % batch_size if drop_last else n
    starts = range(0, stop, batch_size)
    return [order[start : start + batch_size] for start in starts]


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
    """Mini-batch gradient descent on a loss that is a mean over (X, y)."""
    n = len(X)  # examples; y has as many
    theta = np.array(theta0, dtype=float)
    history = GDHistory()
    for epoch in range(epochs):
        for rows in batch_indices(n, batch_size, rng, drop_last):
            # the batch's mean loss and its gradient: the 1/B average
            loss, grad = loss_and_grad(theta, X[rows], y[rows])
            theta = theta - lr * grad
            history.record(epoch, len(rows), loss)
            if callback is not None:
                callback(theta)
    return theta, history
