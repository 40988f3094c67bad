"""Mini-batches straight from tensors already in memory: the book's default way to iterate.

For datasets that fit in memory, gathering a whole batch with one vectorised index is much
faster than ``DataLoader(TensorDataset(...))``, which fetches one sample at a time and then
stacks them. Measured by ``scripts/benchmark.py``.

The iteration itself is chapter 2's code, kept in :mod:`._batching_core`; the functions
here check their arguments first, so that a wrong call fails at once with an error that
says what was expected.
"""

from ..validation import check_count
from . import _batching_core

__all__ = ["iterate_minibatches", "BatchLoader"]


def _check_tensors(tensors, batch_size):
    """Raise ``ValueError`` unless ``tensors`` share one first dimension and ``batch_size``
    is an integer >= 1."""
    if not tensors:
        raise ValueError("iterate_minibatches needs at least one tensor")
    check_count("batch_size", batch_size, minimum=1)
    n = tensors[0].shape[0]
    if any(t.shape[0] != n for t in tensors):
        sizes = [tuple(t.shape) for t in tensors]
        raise ValueError(f"all tensors need the same first dimension, got shapes {sizes}")


def iterate_minibatches(
    *tensors, batch_size, shuffle=True, generator=None, drop_last=False
):
    """Return an iterator over tuples of aligned mini-batches of tensors (N, ...).

    Shuffling draws one permutation of the indices per epoch; each batch is then gathered
    with one ``index_select`` (a small copy that is still in cache when the model reads it,
    rather than a shuffled copy of the whole dataset). Without shuffling, batches are views.
    The arguments are checked when it is called, before the first batch.

    Args:
        *tensors: tensors of shape (N, ...), e.g. ``X`` (N, 784) and ``y`` (N,).
        batch_size: samples per batch; the last batch may be smaller unless ``drop_last``.
        shuffle: draw a fresh order from ``generator`` before iterating.
        generator: the ``torch.Generator`` that makes shuffling reproducible.
        drop_last: leave out the last batch if it is smaller than ``batch_size``.
    Raises:
        ValueError: no tensors, a ``batch_size`` that is not an integer >= 1, or tensors
            whose first dimensions differ.

    Matches iterating ``torch.utils.data.DataLoader(TensorDataset(*tensors))`` with the
    same ``batch_size`` and ``drop_last`` (the shuffled orders differ).
    """
    _check_tensors(tensors, batch_size)
    return _batching_core.iterate_minibatches(
        *tensors,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        drop_last=drop_last,
    )


class BatchLoader:
    """A re-iterable :func:`iterate_minibatches`: each ``for`` loop is one epoch.

    A drop-in for ``DataLoader`` over in-memory tensors: ``len()`` is the number of batches.
    The arguments are checked once, here.
    """

    def __init__(self, *tensors, batch_size, shuffle=True, generator=None, drop_last=False):
        _check_tensors(tensors, batch_size)
        self.tensors = tensors
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.drop_last = drop_last

    def __iter__(self):
        return _batching_core.iterate_minibatches(
            *self.tensors,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            generator=self.generator,
            drop_last=self.drop_last,
        )

    def __len__(self):
        n = self.tensors[0].shape[0]
        full, rest = divmod(n, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)
