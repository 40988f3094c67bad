"""Mini-batches from in-memory tensors: iterate_minibatches and BatchLoader."""

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from dlbook_utils.data import BatchLoader, iterate_minibatches


def toy(n=10, d=3):
    """Features whose row i is all i (so rows identify samples) and labels 100 + i."""
    X = torch.arange(n, dtype=torch.float32).unsqueeze(1).repeat(1, d)
    y = torch.arange(n) + 100
    return X, y


# ---------------------------------------------------------------- iterate_minibatches


def test_without_shuffle_yields_consecutive_slices():
    X, y = toy(10)
    batches = list(iterate_minibatches(X, y, batch_size=4, shuffle=False))
    assert len(batches) == 3
    for k, (xb, yb) in enumerate(batches):
        torch.testing.assert_close(xb, X[4 * k : 4 * k + 4], rtol=0, atol=0)
        torch.testing.assert_close(yb, y[4 * k : 4 * k + 4], rtol=0, atol=0)
    assert [len(yb) for _, yb in batches] == [4, 4, 2]  # the last partial batch is kept


def test_without_shuffle_batches_are_views():
    X, y = toy(6)
    (xb, _), *_ = iterate_minibatches(X, y, batch_size=4, shuffle=False)
    assert xb.data_ptr() == X.data_ptr()  # a slice, no copy


def test_single_tensor_yields_one_tuples():
    X, _ = toy(5)
    batches = list(iterate_minibatches(X, batch_size=2, shuffle=False))
    assert all(isinstance(b, tuple) and len(b) == 1 for b in batches)
    assert torch.equal(torch.cat([b[0] for b in batches]), X)


def test_shuffle_visits_every_sample_once_and_keeps_alignment():
    X, y = toy(23)
    gen = torch.Generator().manual_seed(0)
    for _ in range(3):  # three epochs
        seen = []
        for xb, yb in iterate_minibatches(X, y, batch_size=5, shuffle=True, generator=gen):
            assert torch.equal(yb - 100, xb[:, 0].long())  # X and y stay aligned
            assert torch.all(xb == xb[:, :1])
            seen.extend(yb.tolist())
        assert sorted(seen) == list(range(100, 123))


def test_shuffle_actually_permutes():
    X, y = toy(50)
    gen = torch.Generator().manual_seed(1)
    batches = iterate_minibatches(X, y, batch_size=7, generator=gen)
    order = torch.cat([yb for _, yb in batches])
    assert not torch.equal(order, y)


def test_same_seed_same_order():
    X, y = toy(31)

    def order(seed):
        gen = torch.Generator().manual_seed(seed)
        batches = iterate_minibatches(X, y, batch_size=4, generator=gen)
        return torch.cat([yb for _, yb in batches])

    assert torch.equal(order(7), order(7))
    assert not torch.equal(order(7), order(8))


def test_drop_last():
    X, y = toy(10)
    batches = list(iterate_minibatches(X, y, batch_size=4, shuffle=False, drop_last=True))
    assert [len(yb) for _, yb in batches] == [4, 4]
    assert torch.equal(torch.cat([yb for _, yb in batches]), y[:8])


def test_drop_last_with_exact_multiple_keeps_everything():
    X, y = toy(12)
    batches = list(iterate_minibatches(X, y, batch_size=4, shuffle=False, drop_last=True))
    assert [len(yb) for _, yb in batches] == [4, 4, 4]


def test_drop_last_when_batch_larger_than_data():
    X, y = toy(3)
    assert list(iterate_minibatches(X, y, batch_size=4, drop_last=True)) == []
    (only,) = list(iterate_minibatches(X, y, batch_size=4, shuffle=False))
    assert torch.equal(only[1], y)


def test_last_partial_batch_with_shuffle():
    X, y = toy(10)
    gen = torch.Generator().manual_seed(3)
    sizes = [len(yb) for _, yb in iterate_minibatches(X, y, batch_size=3, generator=gen)]
    assert sizes == [3, 3, 3, 1]


def test_mismatched_first_dimension():
    X, y = toy(10)
    with pytest.raises(ValueError, match="first dimension"):
        list(iterate_minibatches(X, y[:9], batch_size=2))


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, "4", None])
def test_bad_batch_size(batch_size):
    X, y = toy(4)
    with pytest.raises(ValueError, match="batch_size"):
        list(iterate_minibatches(X, y, batch_size=batch_size))


def test_no_tensors():
    with pytest.raises(ValueError, match="at least one tensor"):
        list(iterate_minibatches(batch_size=2))


def test_batch_size_is_keyword_only():
    X, y = toy(4)
    with pytest.raises(TypeError):
        iterate_minibatches(X, y, 2)  # noqa: B018 - the call itself must fail


# ---------------------------------------------------------------- BatchLoader


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "expected"),
    [
        (10, 4, False, 3),
        (10, 4, True, 2),
        (12, 4, False, 3),
        (12, 4, True, 3),
        (3, 4, False, 1),
        (3, 4, True, 0),
        (1, 1, False, 1),
    ],
)
def test_batch_loader_len(n, batch_size, drop_last, expected):
    X, y = toy(n)
    loader = BatchLoader(X, y, batch_size=batch_size, drop_last=drop_last, shuffle=False)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_batch_loader_is_reiterable_with_fresh_orders():
    X, y = toy(40)
    loader = BatchLoader(X, y, batch_size=8, generator=torch.Generator().manual_seed(0))
    epochs = [torch.cat([yb for _, yb in loader]) for _ in range(2)]
    for order in epochs:
        assert sorted(order.tolist()) == y.tolist()
    assert not torch.equal(epochs[0], epochs[1])


def test_batch_loader_reproducible_from_the_seed():
    X, y = toy(40)

    def two_epochs():
        loader = BatchLoader(X, y, batch_size=8, generator=torch.Generator().manual_seed(5))
        return [torch.cat([yb for _, yb in loader]) for _ in range(2)]

    first, second = two_epochs(), two_epochs()
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_loader_matches_dataloader_without_shuffle(drop_last):
    X = torch.randn(37, 5, generator=torch.Generator().manual_seed(0))
    y = torch.arange(37)
    ours = list(BatchLoader(X, y, batch_size=8, shuffle=False, drop_last=drop_last))
    dataset = TensorDataset(X, y)
    ref = list(DataLoader(dataset, batch_size=8, shuffle=False, drop_last=drop_last))
    assert len(ours) == len(ref)
    for (xb, yb), (xr, yr) in zip(ours, ref, strict=True):
        torch.testing.assert_close(xb, xr, rtol=0, atol=0)
        torch.testing.assert_close(yb, yr, rtol=0, atol=0)


def test_batch_loader_validates_eagerly():
    X, y = toy(10)
    with pytest.raises(ValueError, match="first dimension"):
        BatchLoader(X, y[:5], batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        BatchLoader(X, y, batch_size=0)
    with pytest.raises(ValueError, match="at least one tensor"):
        BatchLoader(batch_size=2)


def test_batch_loader_on_empty_tensors():
    X, y = torch.empty(0, 3), torch.empty(0, dtype=torch.long)
    assert list(iterate_minibatches(X, y, batch_size=4)) == []  # fine: zero batches
    try:
        loader = BatchLoader(X, y, batch_size=4)
    except ValueError:
        return  # an explicit refusal would be acceptable too
    assert len(loader) == 0 and list(loader) == []
