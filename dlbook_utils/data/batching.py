"""Mini-batches straight from tensors already in memory: the book's default way to iterate.

For datasets that fit in memory, gathering a whole batch with one vectorised index is much
faster than ``DataLoader(TensorDataset(...))``, which fetches one sample at a time and then
stacks them. Measured by ``scripts/benchmark.py``.
"""

import torch

__all__ = ["iterate_minibatches", "BatchLoader"]


def iterate_minibatches(
    *tensors, batch_size, shuffle=True, generator=None, drop_last=False
):
    """Yield tuples of aligned mini-batches from tensors with the same first dimension.

    Shuffling draws one permutation of the indices per epoch; each batch is then gathered
    with one ``index_select`` (a small copy that is still in cache when the model reads it,
    rather than a shuffled copy of the whole dataset). Without shuffling, batches are views.

    Args:
        *tensors: tensors of shape (N, ...), e.g. ``X`` (N, 784) and ``y`` (N,).
        batch_size: samples per batch; the last batch may be smaller unless ``drop_last``.
        shuffle: draw a fresh order from ``generator`` before iterating.
        generator: the ``torch.Generator`` that makes shuffling reproducible.
    """
    if not tensors:
        raise ValueError("iterate_minibatches needs at least one tensor")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n = tensors[0].shape[0]
    if any(t.shape[0] != n for t in tensors):
        sizes = [tuple(t.shape) for t in tensors]
        raise ValueError(f"all tensors need the same first dimension, got shapes {sizes}")
    order = None
    if shuffle:
        order = torch.randperm(n, generator=generator).to(tensors[0].device)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if order is None:
            yield tuple(t[start : start + batch_size] for t in tensors)
        else:
            rows = order[start : start + batch_size]
            yield tuple(t.index_select(0, rows) for t in tensors)


class BatchLoader:
    """A re-iterable :func:`iterate_minibatches`: each ``for`` loop is one epoch.

    A drop-in for ``DataLoader`` over in-memory tensors: ``len()`` is the number of batches.
    """

    def __init__(self, *tensors, batch_size, shuffle=True, generator=None, drop_last=False):
        # Running the generator to its first batch validates the arguments now.
        next(iterate_minibatches(*tensors, batch_size=batch_size, shuffle=False), None)
        self.tensors = tensors
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.drop_last = drop_last

    def __iter__(self):
        return iterate_minibatches(
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
