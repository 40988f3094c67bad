"""The containers the loaders return."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Dataset", "DATASETS"]

# Every dataset name the loaders accept, for error messages and the datasets appendix.
DATASETS = (
    "fashion_mnist",
    "mnist",
    "mnist_5k",
    "cifar10",
    "imdb",
    "iris",
    "digits",
    "breast_cancer",
    "wine",
)


@dataclass(frozen=True, repr=False, eq=False)  # arrays have no single truth value
class Dataset:
    """A train/test dataset as NumPy arrays (images) or lists (text).

    Attributes:
        name: the dataset's name, e.g. ``"fashion_mnist"``.
        X_train, y_train, X_test, y_test: inputs and integer labels.
        classes: class names, indexed by label.
        source: where the data came from (a folder), or ``"stand-in"``.
        standin: True when this is a synthetic stand-in, not the real dataset.
    """

    name: str
    X_train: object
    y_train: np.ndarray
    X_test: object
    y_test: np.ndarray
    classes: tuple
    source: str
    standin: bool = False

    def __repr__(self):
        def shape(x):
            return tuple(x.shape) if hasattr(x, "shape") else (len(x),)

        kind = "STAND-IN" if self.standin else "real"
        # The home folder as ~: a printed dataset must not show whose machine built a page.
        source = self.source.replace(str(Path.home()), "~", 1)
        # Two lines, each within the 80 characters of a page's output box.
        return (
            f"Dataset({self.name!r}, {kind}, train {shape(self.X_train)}, "
            f"test {shape(self.X_test)},\n        {len(self.classes)} classes, from {source})"
        )
