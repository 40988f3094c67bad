"""The one door to every dataset in the book.

Loaders look in the cache (``DLBOOK_DATA``), then in system folders, then download with a
SHA-256 check. Offline and without the data, they raise :class:`DataUnavailableError`
saying how to get it, unless ``DLBOOK_STANDIN=1`` allows a loudly announced stand-in.
"""

from ._store import (
    ChecksumError,
    DataUnavailableError,
    RemoteFile,
    cache_dir,
    download,
    fetch,
    safe_extract,
    sha256sum,
    standins_allowed,
)
from .base import DATASETS, Dataset
from .batching import BatchLoader, iterate_minibatches
from .images import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    read_cifar10_binary,
    read_idx,
)
from .synthetic import make_gaussian_mixture, make_moons, make_spirals
from .tabular import TABULAR, TabularDataset, load_tabular
from .text import WORDLISTS, load_imdb, load_wordlist, read_imdb_folder
from .timeseries import TIMESERIES, TimeSeries, load_timeseries

__all__ = [
    "BatchLoader",
    "CIFAR10_CLASSES",
    "ChecksumError",
    "DATASETS",
    "DataUnavailableError",
    "Dataset",
    "FASHION_MNIST_CLASSES",
    "RemoteFile",
    "TABULAR",
    "TIMESERIES",
    "TabularDataset",
    "TimeSeries",
    "WORDLISTS",
    "cache_dir",
    "download",
    "fetch",
    "iterate_minibatches",
    "load",
    "load_cifar10",
    "load_fashion_mnist",
    "load_imdb",
    "load_mnist",
    "load_tabular",
    "load_timeseries",
    "load_wordlist",
    "make_gaussian_mixture",
    "make_moons",
    "make_spirals",
    "read_cifar10_binary",
    "read_idx",
    "read_imdb_folder",
    "safe_extract",
    "sha256sum",
    "standins_allowed",
]

_LOADERS = {
    "fashion_mnist": load_fashion_mnist,
    "mnist": load_mnist,
    "cifar10": load_cifar10,
    "imdb": load_imdb,
}


def load(name):
    """Load a dataset by name: one of :data:`DATASETS`."""
    if name in _LOADERS:
        return _LOADERS[name]()
    if name in TABULAR:
        return load_tabular(name)
    raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(DATASETS)}")
