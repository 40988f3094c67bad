"""The one door to every dataset in the book.

Loaders look in the cache (``DLBOOK_DATA``), then in system folders, then download with a
SHA-256 check. A dataset that cannot be had is replaced by a loudly announced, labelled
stand-in (recorded in :func:`standins_used`), unless ``DLBOOK_STANDIN=0``: then the loader
raises :class:`DataUnavailableError` saying how to get it.
"""

from ._store import (
    ChecksumError,
    DataUnavailableError,
    RemoteFile,
    cache_dir,
    download,
    downloads_allowed,
    fetch,
    fetched_files,
    safe_extract,
    sha256sum,
    standins_allowed,
    standins_used,
)
from .base import DATASETS, Dataset
from .batching import BatchLoader, iterate_minibatches
from .hub import prepare_hf_hub
from .images import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    read_cifar10_binary,
    read_idx,
)
from .mnist5k import load_mnist_5k
from .shapes import SHAPE_CLASSES, make_shapes
from .synthetic import make_gaussian_mixture, make_moons, make_spirals
from .tabular import TABULAR, TabularDataset, load_tabular
from .text import WORDLISTS, load_imdb, load_wordlist, read_imdb_folder
from .timeseries import TIMESERIES, TimeSeries, load_co2, load_timeseries

__all__ = [
    "SHAPE_CLASSES",
    "make_shapes",
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
    "downloads_allowed",
    "fetch",
    "fetched_files",
    "iterate_minibatches",
    "load",
    "load_first_available",
    "load_cifar10",
    "load_fashion_mnist",
    "load_imdb",
    "load_mnist",
    "load_mnist_5k",
    "load_tabular",
    "load_timeseries",
    "load_co2",
    "load_wordlist",
    "make_gaussian_mixture",
    "make_moons",
    "make_spirals",
    "prepare_hf_hub",
    "read_cifar10_binary",
    "read_idx",
    "read_imdb_folder",
    "safe_extract",
    "sha256sum",
    "standins_allowed",
    "standins_used",
]

_LOADERS = {
    "fashion_mnist": load_fashion_mnist,
    "mnist": load_mnist,
    "mnist_5k": load_mnist_5k,
    "cifar10": load_cifar10,
    "imdb": load_imdb,
}


def load(name, allow_standin=None):
    """Load a dataset by name: one of :data:`DATASETS`.

    ``allow_standin`` is passed to the image and text loaders (None follows
    ``DLBOOK_STANDIN``); scikit-learn's bundled tables are always real.
    """
    if name in _LOADERS:
        return _LOADERS[name](allow_standin=allow_standin)
    if name in TABULAR:
        return load_tabular(name)
    raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(DATASETS)}")


def load_first_available(*names):
    """Load the first of the image datasets ``names`` whose real data can be had.

    Each but the last is tried without stand-ins; the last is loaded as :func:`load` would,
    so unless ``DLBOOK_STANDIN=0`` it may still be a (loudly announced) stand-in. Prints
    which dataset it returns: ``load_first_available("mnist", "mnist_5k", "fashion_mnist")``
    takes full MNIST, else the 5,000 real digits of MNIST 5k, else Fashion-MNIST.
    """
    unknown = [n for n in names if n not in _LOADERS]
    if not names or unknown:
        raise ValueError(
            f"expected one or more of {', '.join(_LOADERS)}, got {list(names)}"
        )
    for name in names[:-1]:
        try:
            dataset = _LOADERS[name](allow_standin=False)
        except DataUnavailableError as err:
            print(f"{name} is not available ({type(err).__name__}); trying the next")
            continue
        print(f"using {name} (real data)")
        return dataset
    dataset = _LOADERS[names[-1]]()
    print(f"using {names[-1]}")
    return dataset
