"""scikit-learn's bundled tabular datasets (no download needed)."""

from dataclasses import dataclass

import numpy as np

__all__ = ["TabularDataset", "load_tabular", "TABULAR"]

TABULAR = ("iris", "digits", "breast_cancer", "wine")


@dataclass(frozen=True)
class TabularDataset:
    """Features ``X`` (n_samples, n_features), integer labels ``y`` and their names."""

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_names: tuple


def load_tabular(name):
    """Load one of scikit-learn's bundled sets: ``iris``, ``digits``, ``breast_cancer``, ``wine``.

    The data ships inside scikit-learn, so this works offline.
    """
    if name not in TABULAR:
        raise ValueError(f"unknown tabular dataset {name!r}: expected one of {TABULAR}")
    from sklearn import datasets  # imported here: scikit-learn is slow to import

    bunch = getattr(datasets, f"load_{name}")()
    return TabularDataset(
        name,
        np.asarray(bunch.data, dtype=np.float64),
        np.asarray(bunch.target, dtype=np.int64),
        tuple(str(f) for f in bunch.feature_names),
        tuple(str(t) for t in bunch.target_names),
    )
