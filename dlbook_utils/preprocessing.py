"""Feature scaling and data splitting: min-max and z-score scalers, hold-out, k-fold and
time-series splits, with scikit-learn's names wherever scikit-learn has a twin.

Taught in chapter 7 ("Preparing data and evaluating models"). Scalers are fitted on the
training set only and then applied, unchanged, to validation and test data.
"""

import math

import numpy as np

from ._preprocessing_checks import (
    NotFittedError,
    check_array,
    check_feature_range,
    check_kfold,
    check_kfold_samples,
    check_n_splits,
    check_same_length,
    check_time_series_samples,
    check_time_series_split,
)
from .validation import as_generator

__all__ = [
    "NotFittedError",
    "check_array",
    "check_n_splits",
    "check_feature_range",
    "check_same_length",
    "check_kfold",
    "check_kfold_samples",
    "check_time_series_split",
    "check_time_series_samples",
    "handle_zeros_in_scale",
    "is_constant_feature",
    "MinMaxScaler",
    "StandardScaler",
    "n_test_samples",
    "stratified_test_mask",
    "holdout_split",
    "kfold_indices",
    "forward_chaining_indices",
    "KFold",
    "TimeSeriesSplit",
]


def handle_zeros_in_scale(scale, constant=None):
    """Replace the scale of constant features by 1, so that dividing by it is harmless.

    Args:
        scale: (n_features,) ranges or standard deviations.
        constant: (n_features,) boolean mask of constant features; by default the
            features whose scale is below ten machine epsilons.
    Matches sklearn.preprocessing._data._handle_zeros_in_scale (for arrays).
    """
    scale = np.array(scale, dtype=np.float64)
    if constant is None:
        constant = scale < 10 * np.finfo(np.float64).eps
    scale[constant] = 1.0
    return scale


def is_constant_feature(var, mean, n_samples):
    """Mask of features whose variance is within rounding error of zero.

    The bound is the error of the two-pass variance algorithm (Chan, Golub and LeVeque),
    ``var <= n eps var + (n mean eps)^2``. Matches sklearn's ``_is_constant_feature``.
    """
    eps = np.finfo(np.float64).eps
    return var <= n_samples * eps * var + (n_samples * mean * eps) ** 2


# --- scalers ----------------------------------------------------------------------------


class MinMaxScaler:
    """Map each feature linearly onto ``feature_range`` using the training min and max.

    ``transform(X) = X * scale_ + min_`` with ``scale_ = (high - low) / (max - min)`` and
    ``min_ = low - data_min_ * scale_``. A constant feature gets ``scale_ = high - low``
    (its range is replaced by 1), so it maps to ``low`` without dividing by zero.

    Fitted attributes: ``data_min_``, ``data_max_``, ``data_range_``, ``scale_``, ``min_``
    (each (n_features,)), ``n_features_in_``, ``n_samples_seen_``.

    Matches sklearn.preprocessing.MinMaxScaler; differs in that it has no ``clip`` or
    ``partial_fit``, computes in float64, and rejects NaN instead of ignoring it.
    Chapter 7.
    """

    def __init__(self, feature_range=(0, 1)):
        self.feature_range = feature_range

    def fit(self, X, y=None):
        X = check_array(X)  # y is ignored, as in sklearn
        low, high = check_feature_range(self.feature_range)
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        range_ = handle_zeros_in_scale(self.data_range_)  # constant feature: 0 -> 1
        self.scale_ = (high - low) / range_
        self.min_ = low - self.data_min_ * self.scale_
        self.n_features_in_, self.n_samples_seen_ = X.shape[1], X.shape[0]
        return self

    def transform(self, X):
        X = check_array(X, fitted=self)
        return X * self.scale_ + self.min_

    def inverse_transform(self, X):
        X = check_array(X, fitted=self)
        return (X - self.min_) / self.scale_

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


class StandardScaler:
    """Centre each feature on its training mean and divide by its training std (z-score).

    ``transform(X) = (X - mean_) / scale_`` with ``var_`` the population variance
    (divided by n, not n - 1) and ``scale_ = sqrt(var_)``, replaced by 1 for a constant
    feature, which then maps to 0.

    Fitted attributes: ``mean_``, ``var_``, ``scale_`` (each (n_features,)),
    ``n_features_in_``, ``n_samples_seen_``.

    Matches sklearn.preprocessing.StandardScaler (default ``with_mean=True,
    with_std=True``); differs in that it has no ``with_mean``/``with_std``, sample weights,
    sparse input or ``partial_fit``, and rejects NaN. Chapter 7.
    """

    def fit(self, X, y=None):
        X = check_array(X)  # y is ignored, as in sklearn
        self.mean_ = X.mean(axis=0)
        self.var_ = X.var(axis=0)  # population variance: divide by n
        constant = is_constant_feature(self.var_, self.mean_, len(X))
        self.scale_ = handle_zeros_in_scale(np.sqrt(self.var_), constant)
        self.n_features_in_, self.n_samples_seen_ = X.shape[1], X.shape[0]
        return self

    def transform(self, X):
        X = check_array(X, fitted=self)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X):
        X = check_array(X, fitted=self)
        return X * self.scale_ + self.mean_

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


# --- splits -----------------------------------------------------------------------------


def n_test_samples(test_size, n_samples):
    """Number of test samples: ``ceil(test_size * n)`` for a fraction, or ``test_size``.

    Matches the rounding of sklearn.model_selection.train_test_split.
    """
    if isinstance(test_size, bool) or not isinstance(test_size, int | float | np.number):
        raise TypeError(f"test_size must be a float in (0, 1) or an int, got {test_size!r}")
    if isinstance(test_size, int | np.integer):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = math.ceil(test_size * n_samples)
    else:
        raise ValueError(f"a fractional test_size must lie in (0, 1), got {test_size}")
    if not 0 < n_test < n_samples:
        raise ValueError(
            f"test_size={test_size} leaves {n_test} test and {n_samples - n_test} "
            f"training samples out of {n_samples}: both sets must be non-empty"
        )
    return n_test


def stratified_test_mask(labels, n_test):
    """Boolean mask picking ``n_test`` positions, each class in proportion to its size.

    Each class gets ``floor(n_test * n_c / n)`` test positions, and the positions still
    missing go to the classes with the largest remainders (ties: lowest class first).
    Within a class, the first positions in the given order are taken, so shuffle the
    labels first for a random pick.
    """
    classes, y = np.unique(labels, return_inverse=True)
    counts = np.bincount(y)
    if counts.min() < 2:
        raise ValueError(
            f"stratify: the least populated class has {counts.min()} member; "
            "every class needs at least 2 (one for each set)"
        )
    if n_test < len(classes):
        raise ValueError(
            f"stratify: {n_test} test samples cannot hold all {len(classes)} classes"
        )
    quota = n_test * counts / len(y)
    per_class = np.floor(quota).astype(int)
    missing = n_test - per_class.sum()
    per_class[np.argsort(per_class - quota, kind="stable")[:missing]] += 1
    by_class = np.argsort(y, kind="stable")  # positions grouped by class, order kept
    rank = np.empty(len(y), dtype=int)  # rank of each position within its class
    rank[by_class] = np.arange(len(y)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rank < per_class[y]


def holdout_split(*arrays, test_size=0.25, rng=None, stratify=None):
    """Shuffle and split arrays into a training and a test part.

    Args:
        *arrays: arrays (or tensors) with the same first dimension n.
        test_size: fraction in (0, 1), rounded up as ``ceil(test_size * n)``, or a count.
        rng: numpy Generator or int seed for the shuffle.
        stratify: optional (n,) labels; each class then keeps its proportion in both
            parts, to within one sample.
    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``, two parts per array, both shuffled.

    Matches the sizes and the return order of sklearn.model_selection.train_test_split;
    the shuffle itself differs (it draws from a numpy Generator).
    """
    n = check_same_length(arrays)
    n_test = n_test_samples(test_size, n)
    gen = as_generator(rng)
    order = gen.permutation(n)
    if stratify is None:
        is_test = np.arange(n) < n_test
    else:
        is_test = stratified_test_mask(np.asarray(stratify)[order], n_test)
    train, test = order[~is_test], order[is_test]
    if stratify is not None:  # the mask took each class's first positions: mix again
        train, test = gen.permutation(train), gen.permutation(test)
    return [part for a in arrays for part in (a[train], a[test])]


def kfold_indices(indices, n_splits):
    """(train, test) index pairs of k-fold cross-validation, one per fold.

    Args: indices, shape (n,): the sample order (``np.arange(n)``, or a permutation of it
    to shuffle); n_splits: the number k of folds, 2 <= k <= n. The test folds are
    consecutive blocks of ``indices``; the first ``n % k`` hold one sample more. Train
    indices are sorted. The core of ``KFold.split``, which checks the arguments.
    Matches sklearn.model_selection.KFold(n_splits).split on ``np.arange(n)``.
    """
    n = len(indices)
    sizes = np.full(n_splits, n // n_splits)
    sizes[: n % n_splits] += 1  # spread the remainder over the first folds
    stop = np.cumsum(sizes)
    for start, end in zip(stop - sizes, stop, strict=True):
        test = indices[start:end]
        yield np.delete(np.arange(n), test), test  # train indices stay sorted


def forward_chaining_indices(n, n_splits, test_size, gap=0, max_train_size=None):
    """(train, test) index pairs of forward chaining over a series of n samples.

    The series ends with ``n_splits`` test blocks of ``test_size`` samples; each trains
    on the samples before it, leaving out the ``gap`` just before the block, and keeps
    at most the last ``max_train_size`` of them (a sliding window; None: all of them).
    The core of ``TimeSeriesSplit.split``, which checks the arguments. Matches
    sklearn.model_selection.TimeSeriesSplit with the same arguments.
    """
    for test_start in range(n - n_splits * test_size, n, test_size):
        train_end = test_start - gap
        train_start = 0
        if max_train_size is not None:  # a sliding instead of a growing window
            train_start = max(0, train_end - max_train_size)
        test = np.arange(test_start, test_start + test_size)
        yield np.arange(train_start, train_end), test


class KFold:
    """K-fold cross-validation: cut the indices into ``n_splits`` consecutive folds.

    Each fold is the test set once while the others train. The first ``n % n_splits``
    folds hold one sample more than the rest. With ``shuffle=True`` the indices are
    permuted first (``rng``: a numpy Generator, or an int seed for the same permutation
    at every call of ``split``).

    Matches sklearn.model_selection.KFold (``rng`` in place of ``random_state``); without
    shuffling the folds are identical to sklearn's. Chapter 7.
    """

    def __init__(self, n_splits=5, *, shuffle=False, rng=None):
        check_kfold(n_splits, shuffle, rng)
        self.n_splits, self.shuffle, self.rng = n_splits, shuffle, rng

    def get_n_splits(self, X=None, y=None):
        return self.n_splits

    def split(self, X, y=None):
        n = len(X)
        check_kfold_samples(n, self.n_splits)
        indices = np.arange(n)
        if self.shuffle:
            indices = as_generator(self.rng).permutation(n)
        yield from kfold_indices(indices, self.n_splits)


class TimeSeriesSplit:
    """Forward-chaining splits: train on the past, test on the block that follows.

    ``n_splits`` test blocks of ``test_size`` samples (default ``n // (n_splits + 1)``)
    end the series; each trains on everything before its block minus ``gap`` samples,
    at most the last ``max_train_size`` of them. Nothing is shuffled.

    Matches sklearn.model_selection.TimeSeriesSplit (same arguments, same indices).
    Chapter 7.
    """

    def __init__(self, n_splits=5, *, max_train_size=None, test_size=None, gap=0):
        check_time_series_split(n_splits, max_train_size, test_size, gap)
        self.n_splits, self.max_train_size = n_splits, max_train_size
        self.test_size, self.gap = test_size, gap

    def get_n_splits(self, X=None, y=None):
        return self.n_splits

    def split(self, X, y=None):
        n, k, gap = len(X), self.n_splits, self.gap
        test_size = self.test_size or n // (k + 1)
        check_time_series_samples(n, k, test_size, gap)  # room for k test blocks
        yield from forward_chaining_indices(n, k, test_size, gap, self.max_train_size)
