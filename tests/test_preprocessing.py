"""Scalers and splits against their scikit-learn twins, plus edge cases and bad input."""

import math

import numpy as np
import pytest
import torch
from sklearn import model_selection as skm
from sklearn import preprocessing as skp

from dlbook_utils.preprocessing import (
    KFold,
    MinMaxScaler,
    NotFittedError,
    StandardScaler,
    TimeSeriesSplit,
    forward_chaining_indices,
    handle_zeros_in_scale,
    holdout_split,
    kfold_indices,
    n_test_samples,
    stratified_test_mask,
)
from dlbook_utils.validation import as_generator


def _data(seed, n=40, constant=True):
    """Features on very different scales, one of them constant if ``constant``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 10.0, 1e3, 1e-3] + [0.0, -5.0, 1e4, 2.0]
    if constant:
        X[:, 3] = 0.1  # not exactly representable: its computed variance is not 0
    return X


SCALERS = [
    (lambda: MinMaxScaler(), lambda: skp.MinMaxScaler()),
    (lambda: MinMaxScaler((-1, 1)), lambda: skp.MinMaxScaler(feature_range=(-1, 1))),
    (lambda: MinMaxScaler((2.5, 7)), lambda: skp.MinMaxScaler(feature_range=(2.5, 7))),
    (lambda: StandardScaler(), lambda: skp.StandardScaler()),
]
ATTRIBUTES = {
    MinMaxScaler: ["data_min_", "data_max_", "data_range_", "scale_", "min_"],
    StandardScaler: ["mean_", "var_", "scale_"],
}


# --- scalers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("ours", "theirs"), SCALERS)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("constant", [False, True])
def test_scalers_match_sklearn(ours, theirs, seed, constant):
    X_train, X_test = _data(seed, constant=constant), _data(seed + 100, n=9)
    a, b = ours().fit(X_train), theirs().fit(X_train)
    for name in ATTRIBUTES[type(a)]:
        # atol: a constant column's variance is ~1e-33 here and exactly 0 in sklearn
        np.testing.assert_allclose(
            getattr(a, name), getattr(b, name), rtol=1e-12, atol=1e-30
        )
    assert a.n_features_in_ == b.n_features_in_ == 4
    assert a.n_samples_seen_ == len(X_train)
    for X in (X_train, X_test):
        np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-9, atol=1e-12)
        Z = a.transform(X)
        np.testing.assert_allclose(a.inverse_transform(Z), b.inverse_transform(Z))
        np.testing.assert_allclose(a.inverse_transform(Z), X, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        ours().fit_transform(X_train), b.transform(X_train), atol=1e-12
    )


@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 1)])
def test_min_max_maps_training_data_onto_the_range(feature_range):
    X = _data(3, constant=False)
    Z = MinMaxScaler(feature_range).fit_transform(X)
    np.testing.assert_allclose(Z.min(axis=0), feature_range[0], atol=1e-12)
    np.testing.assert_allclose(Z.max(axis=0), feature_range[1], atol=1e-12)


def test_minus_one_one_is_twice_zero_one_minus_one():
    X = _data(4, constant=False)
    np.testing.assert_allclose(
        MinMaxScaler((-1, 1)).fit_transform(X), 2 * MinMaxScaler().fit_transform(X) - 1
    )


def test_standard_scaler_gives_zero_mean_unit_variance():
    Z = StandardScaler().fit_transform(_data(5, constant=False))
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-12)


@pytest.mark.parametrize("value", [0.0, 0.1, -3.7, 1e8])
def test_constant_feature_is_handled_as_sklearn(value):
    X = np.column_stack([np.full(13, value), np.arange(13.0)])
    for ours, theirs in SCALERS:
        a, b = ours().fit(X), theirs().fit(X)
        assert np.all(np.isfinite(a.transform(X)))
        assert a.scale_[0] == pytest.approx(b.scale_[0])
        np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-12)
    # the constant column maps to `low` (min-max) or to 0 (z-score)
    np.testing.assert_allclose(MinMaxScaler((-1, 1)).fit_transform(X)[:, 0], -1)
    np.testing.assert_allclose(StandardScaler().fit_transform(X)[:, 0], 0, atol=1e-12)


def test_handle_zeros_in_scale():
    out = handle_zeros_in_scale(np.array([0.0, 1e-20, 2.0]))
    np.testing.assert_array_equal(out, [1.0, 1.0, 2.0])
    out = handle_zeros_in_scale([3.0, 2.0], constant=np.array([True, False]))
    np.testing.assert_array_equal(out, [1.0, 2.0])


def test_single_sample_and_integer_input():
    X = np.array([[1, 2, 3]])
    for ours, theirs in SCALERS:
        np.testing.assert_allclose(ours().fit_transform(X), theirs().fit_transform(X))
    Z = StandardScaler().fit_transform(np.arange(12).reshape(4, 3))
    assert Z.dtype == np.float64


@pytest.mark.parametrize("make", [MinMaxScaler, StandardScaler])
def test_fit_uses_the_training_set_only(make):
    """Transforming test data must not change the statistics fitted on the training data."""
    X_train, X_test = _data(6, constant=False), 100 + 50 * _data(7, n=20, constant=False)
    scaler = make().fit(X_train)
    before = {k: np.copy(v) for k, v in vars(scaler).items() if k.endswith("_")}
    Z_test = scaler.transform(X_test)
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(scaler, k), v)
    reference = make().fit(X_train)
    np.testing.assert_array_equal(Z_test, reference.transform(X_test))
    # ...and the statistics really are the training set's, not those of train + test
    both = make().fit(np.vstack([X_train, X_test]))
    assert not np.allclose(both.transform(X_test), Z_test)


@pytest.mark.parametrize("make", [MinMaxScaler, StandardScaler])
def test_transform_before_fit_raises(make):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        make().transform(np.zeros((2, 3)))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        make().inverse_transform(np.zeros((2, 3)))
    assert issubclass(NotFittedError, ValueError)


@pytest.mark.parametrize("make", [MinMaxScaler, StandardScaler])
def test_wrong_number_of_features_raises(make):
    scaler = make().fit(np.zeros((5, 3)) + np.arange(5)[:, None])
    with pytest.raises(ValueError, match="X has 2 features, but .* fitted with 3"):
        scaler.transform(np.zeros((4, 2)))


@pytest.mark.parametrize("make", [MinMaxScaler, StandardScaler])
@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.arange(5.0), "expected a 2-D array"),
        (np.zeros((2, 2, 2)), "expected a 2-D array"),
        (np.zeros((0, 3)), "at least one sample"),
        (np.array([[1.0, np.nan]]), "NaN or infinity"),
        (np.array([[1.0, np.inf]]), "NaN or infinity"),
    ],
)
def test_bad_arrays_raise(make, X, match):
    with pytest.raises(ValueError, match=match):
        make().fit(X)


@pytest.mark.parametrize("feature_range", [(1, 0), (0.5, 0.5), (2, -1)])
def test_bad_feature_range_raises(feature_range):
    with pytest.raises(ValueError, match="low < high"):
        MinMaxScaler(feature_range).fit(np.eye(3))


# --- hold-out split -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [10, 30, 101, 569])
@pytest.mark.parametrize("test_size", [0.1, 0.2, 0.25, 0.33, 0.5, 0.7, 3])
def test_holdout_sizes_match_train_test_split(n, test_size):
    X, y = np.arange(2 * n).reshape(n, 2), np.arange(n)
    X_tr, X_te, y_tr, y_te = holdout_split(X, y, test_size=test_size, rng=0)
    sk = skm.train_test_split(X, y, test_size=test_size, random_state=0)
    assert [len(p) for p in (X_tr, X_te, y_tr, y_te)] == [len(p) for p in sk]
    if isinstance(test_size, float):
        assert len(y_te) == math.ceil(test_size * n)
    # disjoint, complete, and rows stay aligned across arrays
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(n))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(X_te[:, 0], 2 * y_te)


def test_holdout_is_seeded_and_shuffled():
    y = np.arange(100)
    a = holdout_split(y, test_size=0.3, rng=1)
    b = holdout_split(y, test_size=0.3, rng=np.random.default_rng(1))
    c = holdout_split(y, test_size=0.3, rng=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    assert not np.array_equal(np.sort(a[1]), np.arange(70, 100))


def test_holdout_accepts_tensors_and_lists_of_arrays():
    X, y = torch.arange(20.0).reshape(10, 2), np.arange(10)
    X_tr, X_te, y_tr, y_te = holdout_split(X, y, test_size=0.2, rng=0)
    assert isinstance(X_tr, torch.Tensor) and X_te.shape == (2, 2)
    np.testing.assert_array_equal(X_te[:, 0].numpy(), 2 * y_te)


@pytest.mark.parametrize("seed", range(6))
def test_stratified_proportions_match_sklearn_within_one(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(2, 60, size=rng.integers(2, 6))
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    n = len(y)
    for test_size in (0.2, 0.25, 0.5):
        _, y_te = holdout_split(y, test_size=test_size, rng=seed, stratify=y)
        _, _, _, sk_te = skm.train_test_split(
            y, y, test_size=test_size, random_state=seed, stratify=y
        )
        ours = np.bincount(y_te, minlength=len(counts))
        theirs = np.bincount(sk_te, minlength=len(counts))
        assert ours.sum() == theirs.sum() == math.ceil(test_size * n)
        assert np.all(np.abs(ours - theirs) <= 1)
        assert np.all(np.abs(ours - test_size * counts) < 1)


def test_stratified_mask_largest_remainders():
    labels = np.repeat([0, 1, 2], [5, 3, 2])
    mask = stratified_test_mask(labels, 5)  # quotas 2.5, 1.5, 1.0: a tie for the last
    assert np.bincount(labels[mask]).tolist() == [3, 1, 1]  # ties: lowest class first
    # the first members of each class in the given order are the ones taken
    assert np.flatnonzero(mask).tolist() == [0, 1, 2, 5, 8]


@pytest.mark.parametrize(
    ("test_size", "match"),
    [(0.0, r"\(0, 1\)"), (1.0, r"\(0, 1\)"), (10, "non-empty"), (0, "non-empty")],
)
def test_bad_test_size_raises(test_size, match):
    with pytest.raises(ValueError, match=match):
        holdout_split(np.arange(10), test_size=test_size, rng=0)


def test_bad_holdout_input_raises():
    with pytest.raises(ValueError, match="same number of samples"):
        holdout_split(np.arange(10), np.arange(9), test_size=0.2)
    with pytest.raises(ValueError, match="at least one array"):
        holdout_split(test_size=0.2)
    with pytest.raises(TypeError, match="test_size"):
        n_test_samples("0.2", 10)
    with pytest.raises(ValueError, match="at least 2"):
        holdout_split(np.arange(5), test_size=0.4, stratify=[0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="cannot hold all 3 classes"):
        holdout_split(np.arange(9), test_size=2, stratify=np.repeat([0, 1, 2], 3))
    with pytest.raises(TypeError, match="Generator or an int"):
        as_generator(0.5)


# --- k-fold -------------------------------------------------------------------------------


def _as_lists(splits):
    return [(train.tolist(), test.tolist()) for train, test in splits]


@pytest.mark.parametrize(
    ("n", "k"),
    [(n, k) for n in (2, 5, 10, 11, 13, 97) for k in (2, 3, 5, 10) if k <= n],
)
def test_kfold_matches_sklearn(n, k):
    X = np.zeros((n, 2))
    ours = _as_lists(KFold(k).split(X))
    assert ours == _as_lists(skm.KFold(k).split(X))
    sizes = [len(test) for _, test in ours]
    assert sizes == [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    assert KFold(k).get_n_splits() == k


@pytest.mark.parametrize("rng", [0, np.random.default_rng(3)])
def test_shuffled_kfold_partitions_the_indices(rng):
    n, k = 23, 4
    folds = list(KFold(k, shuffle=True, rng=rng).split(np.zeros(n)))
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(n))
    assert not np.array_equal(tests, np.arange(n))  # shuffled
    for (train, test), size in zip(folds, [6, 6, 6, 5], strict=True):
        assert len(test) == size and len(train) == n - size
        assert np.all(np.diff(train) > 0)  # sorted, as sklearn's
        assert not set(train.tolist()) & set(test.tolist())


def test_shuffled_kfold_with_int_seed_repeats():
    kf = KFold(3, shuffle=True, rng=7)
    assert _as_lists(kf.split(np.zeros(10))) == _as_lists(kf.split(np.zeros(10)))


def test_kfold_bad_input():
    with pytest.raises(ValueError, match="n_splits=6 greater than n_samples=5"):
        list(KFold(6).split(np.zeros(5)))
    with pytest.raises(ValueError, match="at least 2"):
        KFold(1)
    with pytest.raises(TypeError, match="integer"):
        KFold(2.5)
    with pytest.raises(ValueError, match="shuffle=False"):
        KFold(3, rng=0)


# --- time-series split --------------------------------------------------------------------


@pytest.mark.parametrize("n", [6, 10, 23, 100])
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("test_size", [None, 1, 3])
@pytest.mark.parametrize("gap", [0, 2])
@pytest.mark.parametrize("max_train_size", [None, 4])
def test_time_series_split_matches_sklearn(n, k, test_size, gap, max_train_size):
    X = np.zeros((n, 1))
    kwargs = dict(test_size=test_size, gap=gap, max_train_size=max_train_size)
    try:
        theirs = _as_lists(skm.TimeSeriesSplit(k, **kwargs).split(X))
    except ValueError:
        with pytest.raises(ValueError):
            list(TimeSeriesSplit(k, **kwargs).split(X))
        return
    ours = _as_lists(TimeSeriesSplit(k, **kwargs).split(X))
    assert ours == theirs
    for train, test in ours:  # the training indices always precede the test block
        assert max(train) + gap < min(test)


def test_time_series_split_bad_input():
    with pytest.raises(ValueError, match="folds > 3 samples"):
        list(TimeSeriesSplit(3).split(np.zeros(3)))
    with pytest.raises(ValueError, match="too many splits"):
        list(TimeSeriesSplit(3, test_size=3).split(np.zeros(9)))
    with pytest.raises(ValueError, match="gap must be an integer >= 0"):
        TimeSeriesSplit(3, gap=-1)
    with pytest.raises(ValueError, match="test_size must be an integer >= 1"):
        TimeSeriesSplit(3, test_size=0)
    with pytest.raises(ValueError, match="max_train_size must be an integer >= 1"):
        TimeSeriesSplit(3, max_train_size=0)
    with pytest.raises(ValueError, match="at least 2"):
        TimeSeriesSplit(1)


@pytest.mark.parametrize("seed", range(3))
def test_stratified_parts_are_mixed_from_their_first_rows(seed):
    """The stratified mask takes each class's first positions; both parts are then
    shuffled again, so a prefix of either part is a fair sample of its classes. (Before,
    the first 100 training rows missed some of ten balanced classes altogether.)"""
    y = np.repeat(np.arange(10), 1000)
    y_tr, y_te = holdout_split(y, test_size=0.25, rng=seed, stratify=y)
    for part in (y_tr, y_te):
        assert np.bincount(part[:100], minlength=10).min() >= 1, part[:100]
    assert np.array_equal(np.bincount(y_te), np.full(10, 250))


@pytest.mark.parametrize(("n", "k"), [(569, 5), (569, 10), (23, 4), (7, 7), (2, 2)])
def test_kfold_core_matches_sklearn_and_permutes(n, k):
    for (tr, te), (sk_tr, sk_te) in zip(
        kfold_indices(np.arange(n), k), skm.KFold(k).split(np.zeros(n)), strict=True
    ):
        np.testing.assert_array_equal(tr, sk_tr)
        np.testing.assert_array_equal(te, sk_te)
    # a permuted order: the test folds are consecutive blocks of it
    order = np.random.default_rng(n).permutation(n)
    tests = [te for _, te in kfold_indices(order, k)]
    np.testing.assert_array_equal(np.concatenate(tests), order)


@pytest.mark.parametrize(
    ("n", "k", "test_size", "gap", "max_train_size"),
    [(100, 5, 16, 0, None), (100, 3, 7, 2, None), (100, 4, 10, 3, 40), (20, 4, 4, 2, 5)],
)
def test_forward_chaining_core_matches_sklearn(n, k, test_size, gap, max_train_size):
    ref = skm.TimeSeriesSplit(
        k, test_size=test_size, gap=gap, max_train_size=max_train_size
    )
    ours = forward_chaining_indices(n, k, test_size, gap, max_train_size)
    for (tr, te), (sk_tr, sk_te) in zip(ours, ref.split(np.zeros(n)), strict=True):
        np.testing.assert_array_equal(tr, sk_tr)
        np.testing.assert_array_equal(te, sk_te)
