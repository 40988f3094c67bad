"""Image datasets: Fashion-MNIST and MNIST (IDX format) and CIFAR-10 (binary format).

CIFAR-10 is read from its *binary* distribution: the Python distribution is a pickle, and
this book never unpickles downloaded files.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np

from ._store import RemoteFile, cache_dir, fetch, or_standin, remedy, safe_extract
from .base import Dataset

__all__ = [
    "read_idx",
    "read_cifar10_binary",
    "load_fashion_mnist",
    "load_mnist",
    "load_cifar10",
    "standin_images",
    "FASHION_MNIST_CLASSES",
    "CIFAR10_CLASSES",
]

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

_FMNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
# Upstream SHA-256s, then Debian's re-compressed copies (same IDX bytes inside).
FASHION_MNIST_FILES = {
    "train_images": RemoteFile(
        "train-images-idx3-ubyte.gz", _FMNIST_URL + "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",),
    ),
    "train_labels": RemoteFile(
        "train-labels-idx1-ubyte.gz", _FMNIST_URL + "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",),
    ),
    "test_images": RemoteFile(
        "t10k-images-idx3-ubyte.gz", _FMNIST_URL + "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",),
    ),
    "test_labels": RemoteFile(
        "t10k-labels-idx1-ubyte.gz", _FMNIST_URL + "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",),
    ),
}  # fmt: skip
FASHION_MNIST_SYSTEM_DIRS = ("/usr/share/datasets/fashion-mnist",)

_MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = {
    "train_images": RemoteFile(
        "train-images-idx3-ubyte.gz", _MNIST_URL + "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    "train_labels": RemoteFile(
        "train-labels-idx1-ubyte.gz", _MNIST_URL + "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    "test_images": RemoteFile(
        "t10k-images-idx3-ubyte.gz", _MNIST_URL + "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "test_labels": RemoteFile(
        "t10k-labels-idx1-ubyte.gz", _MNIST_URL + "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}  # fmt: skip

CIFAR10_FILE = RemoteFile(
    "cifar-10-binary.tar.gz",
    "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
)

_MAKE_DATA = "Run `make data` with internet access."

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtypes.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read an IDX file (optionally gzipped) into a NumPy array.

    The format: two zero bytes, a type code, the number of dimensions, each dimension as a
    big-endian int32, then the data in C order.

    Raises:
        ValueError: the header is not IDX, or the file is shorter or longer than its header
            says (a truncated download).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(
            f"{path}: truncated or corrupted gzip file ({err}); delete it and fetch it again"
        ) from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    dtype, ndim = np.dtype(_IDX_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">i4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{path}: IDX header says shape {shape} ({expected} bytes) but the file has "
            f"{len(raw)} bytes: it is truncated or corrupted; delete it and fetch it again"
        )
    data = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def read_cifar10_binary(path):
    """Read one CIFAR-10 binary batch: records of 1 label byte + 3072 pixel bytes.

    Returns:
        ``(images, labels)``: uint8 array of shape (N, 3, 32, 32) (channels first, as torch
        expects) and int64 labels of shape (N,).
    """
    raw = np.fromfile(path, dtype=np.uint8)
    record = 1 + 3 * 32 * 32
    if raw.size == 0 or raw.size % record:
        raise ValueError(
            f"{path}: {raw.size} bytes is not a whole number of {record}-byte CIFAR-10 "
            "records; the file is truncated or not a CIFAR-10 binary batch"
        )
    raw = raw.reshape(-1, record)
    labels = raw[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"{path}: label {labels.max()} out of range 0..9")
    return raw[:, 1:].reshape(-1, 3, 32, 32), labels


def standin_images(name, shape, n_train, n_test, classes, seed=0):
    """A deterministic, learnable stand-in: one smooth template per class plus noise.

    Args:
        shape: one image's shape, e.g. ``(28, 28)`` or ``(3, 32, 32)``.
    """
    rng = np.random.default_rng(seed)
    k = len(classes)
    coarse = rng.uniform(0, 1, size=(k, *shape[:-2], 7, 7))
    reps = (shape[-2] + 6) // 7, (shape[-1] + 6) // 7
    templates = coarse.repeat(reps[0], axis=-2).repeat(reps[1], axis=-1)
    templates = templates[..., : shape[-2], : shape[-1]]

    templates = templates.astype(np.float32)

    def draw(n, chunk=4096):
        # Built in chunks of float32 so that 50,000 colour images need little memory.
        y = rng.integers(0, k, size=n)
        x = np.empty((n, *shape), dtype=np.uint8)
        for start in range(0, n, chunk):
            part = y[start : start + chunk]
            noise = rng.standard_normal((len(part), *shape), dtype=np.float32) * 0.35
            x[start : start + chunk] = np.clip((templates[part] + noise) * 255, 0, 255)
        return x, y.astype(np.int64)

    X_train, y_train = draw(n_train)
    X_test, y_test = draw(n_test)
    return Dataset(name, X_train, y_train, X_test, y_test, tuple(classes), "stand-in", True)


def _idx_dataset(name, files, classes, system_dirs, how_to_get):
    paths = {
        key: fetch(f, name, system_dirs=system_dirs, how_to_get=how_to_get)
        for key, f in files.items()
    }
    arrays = {key: read_idx(p) for key, p in paths.items()}
    return Dataset(
        name,
        arrays["train_images"],
        arrays["train_labels"].astype(np.int64),
        arrays["test_images"],
        arrays["test_labels"].astype(np.int64),
        classes,
        str(paths["train_images"].parent),
    )


def load_fashion_mnist(allow_standin=None):
    """Fashion-MNIST: 60,000 + 10,000 grey 28×28 images of clothes, 10 classes.

    Returns a :class:`Dataset` with uint8 images of shape (N, 28, 28).
    Looks in the cache, then Debian's ``dataset-fashion-mnist`` package, then downloads.
    ``allow_standin``: None follows ``DLBOOK_STANDIN``; False never substitutes (raises).
    """
    how = (
        "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or run "
        "`make data` with internet access"
    )
    return or_standin(
        lambda: _idx_dataset(
            "fashion_mnist", FASHION_MNIST_FILES, FASHION_MNIST_CLASSES,
            FASHION_MNIST_SYSTEM_DIRS, how + ".",
        ),
        "fashion_mnist",
        lambda: standin_images(
            "fashion_mnist", (28, 28), 60_000, 10_000, FASHION_MNIST_CLASSES, seed=1
        ),
        how,
        allow_standin,
    )  # fmt: skip


def load_mnist(allow_standin=None):
    """MNIST: 60,000 + 10,000 grey 28×28 handwritten digits.

    Returns a :class:`Dataset` with uint8 images of shape (N, 28, 28).
    ``allow_standin``: None follows ``DLBOOK_STANDIN``; False never substitutes (raises).
    """
    classes = tuple(str(d) for d in range(10))
    how = remedy("the four MNIST .gz files", "mnist")
    return or_standin(
        lambda: _idx_dataset("mnist", MNIST_FILES, classes, (), _MAKE_DATA),
        "mnist",
        lambda: standin_images("mnist", (28, 28), 60_000, 10_000, classes, seed=2),
        how,
        allow_standin,
    )


def _load_cifar10_real():
    archive = fetch(CIFAR10_FILE, "cifar10", how_to_get=_MAKE_DATA)
    folder = safe_extract(archive, cache_dir() / "cifar10" / "extracted")
    batches = folder / "cifar-10-batches-bin"
    train = [read_cifar10_binary(batches / f"data_batch_{i}.bin") for i in range(1, 6)]
    X_test, y_test = read_cifar10_binary(batches / "test_batch.bin")
    return Dataset(
        "cifar10",
        np.concatenate([x for x, _ in train]),
        np.concatenate([y for _, y in train]),
        X_test,
        y_test,
        CIFAR10_CLASSES,
        str(batches),
    )


def load_cifar10(allow_standin=None):
    """CIFAR-10: 50,000 + 10,000 colour 32×32 images, 10 classes (binary distribution).

    Returns a :class:`Dataset` with uint8 images of shape (N, 3, 32, 32).
    ``allow_standin``: None follows ``DLBOOK_STANDIN``; False never substitutes (raises).
    """
    return or_standin(
        _load_cifar10_real,
        "cifar10",
        lambda: standin_images("cifar10", (3, 32, 32), 50_000, 10_000, CIFAR10_CLASSES, 3),
        remedy(CIFAR10_FILE.filename, "cifar10"),
        allow_standin,
    )
