"""Argument checks for :mod:`dlbook_utils.preprocessing`: the errors a wrong call gets.

Kept apart so that the scalers and splitters read like chapter 7's cells: each check is
one call at the start of ``fit``, ``__init__`` or ``split``, and says what was expected.
Import them from :mod:`dlbook_utils.preprocessing`, which re-exports every name here.
"""

import numpy as np

from .validation import check_count

__all__ = [
    "NotFittedError",
    "check_array",
    "check_n_splits",
    "check_kfold",
    "check_kfold_samples",
    "check_time_series_split",
    "check_time_series_samples",
    "check_feature_range",
    "check_same_length",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``transform`` is called before ``fit`` (as sklearn's NotFittedError)."""


def check_array(X, *, fitted=None):
    """Return ``X`` as a finite float64 array of shape (n_samples, n_features).

    Args:
        X: array-like of shape (n_samples, n_features), at least one sample.
        fitted: optionally a fitted scaler; then also check that it has been fitted and
            that ``X`` has as many features as the data it was fitted on.
    Raises:
        NotFittedError: ``fitted`` has not been fitted yet.
        ValueError: ``X`` is not 2-D, is empty, holds NaN/inf, or has the wrong width.
    """
    if fitted is not None and not hasattr(fitted, "n_features_in_"):
        name = type(fitted).__name__
        raise NotFittedError(
            f"This {name} is not fitted yet: call fit(X_train) before transforming data"
        )
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(
            f"expected a 2-D array (n_samples, n_features), got shape {X.shape}; "
            "reshape a single feature with X.reshape(-1, 1)"
        )
    if X.shape[0] == 0:
        raise ValueError(f"expected at least one sample, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity")
    if fitted is not None and X.shape[1] != fitted.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(fitted).__name__} was fitted "
            f"with {fitted.n_features_in_} features"
        )
    return X


def check_n_splits(n_splits, minimum):
    """Raise unless ``n_splits`` is an integer >= ``minimum``."""
    if isinstance(n_splits, bool) or not isinstance(n_splits, int | np.integer):
        raise TypeError(f"n_splits must be an integer, got {n_splits!r}")
    if n_splits < minimum:
        raise ValueError(f"n_splits must be at least {minimum}, got {n_splits}")


def check_kfold(n_splits, shuffle, rng):
    """Raise unless ``n_splits`` is an integer >= 2 and ``rng`` comes with ``shuffle``."""
    check_n_splits(n_splits, minimum=2)
    if rng is not None and not shuffle:
        raise ValueError("rng has no effect when shuffle=False: pass shuffle=True")


def check_kfold_samples(n_samples, n_splits):
    """Raise unless there are at least ``n_splits`` samples, one per fold."""
    if n_splits > n_samples:
        raise ValueError(
            f"cannot have n_splits={n_splits} greater than n_samples={n_samples}"
        )


def check_time_series_split(n_splits, max_train_size, test_size, gap):
    """Raise unless ``n_splits`` >= 2, ``max_train_size`` and ``test_size`` are None or
    integers >= 1, and ``gap`` is an integer >= 0."""
    check_n_splits(n_splits, minimum=2)
    check_count("max_train_size", max_train_size, minimum=1, optional=True)
    check_count("test_size", test_size, minimum=1, optional=True)
    check_count("gap", gap, minimum=0)


def check_time_series_samples(n_samples, n_splits, test_size, gap):
    """Raise unless ``n_splits`` test blocks of ``test_size`` samples, after ``gap``
    samples, leave at least one training sample."""
    if n_splits + 1 > n_samples:
        raise ValueError(
            f"cannot have n_splits + 1 = {n_splits + 1} folds > {n_samples} samples"
        )
    if n_samples - gap - n_splits * test_size <= 0:
        raise ValueError(
            f"too many splits ({n_splits}) for {n_samples} samples "
            f"with test_size={test_size} and gap={gap}"
        )


def check_feature_range(feature_range):
    """Return ``(low, high)`` as floats; raise unless ``low < high``."""
    low, high = feature_range
    if not low < high:
        raise ValueError(
            f"feature_range must be (low, high) with low < high, got {feature_range!r}"
        )
    return float(low), float(high)


def check_same_length(arrays):
    """Return the common length of ``arrays``; raise if there are none or lengths differ."""
    if not arrays:
        raise ValueError("holdout_split needs at least one array")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"all arrays need the same number of samples, got {lengths}")
    return lengths[0]
