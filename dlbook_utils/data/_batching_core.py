"""The mini-batch iterator exactly as chapter 2 shows it: the idea, without argument checks.

Call it through :func:`dlbook_utils.data.iterate_minibatches` or
:class:`dlbook_utils.data.BatchLoader`, which check their arguments first and say what they
expected. ``tests/test_chapter_sync.py`` keeps this code identical to the chapter's cell.
"""

import torch

__all__ = ["iterate_minibatches"]


def iterate_minibatches(
    *tensors, batch_size, shuffle=True, generator=None, drop_last=False
):
    """Yield aligned mini-batches of tensors sharing their first dimension."""
    n = tensors[0].shape[0]
    order = None
    if shuffle:  # one random permutation per epoch, on the data's device
        order = torch.randperm(n, generator=generator).to(tensors[0].device)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if order is None:  # in order: slices are views, free
            yield tuple(t[start : start + batch_size] for t in tensors)
        else:  # shuffled: one vectorised gather per tensor
            rows = order[start : start + batch_size]
            yield tuple(t.index_select(0, rows) for t in tensors)
