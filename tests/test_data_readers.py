"""The file readers (IDX, CIFAR-10 binary) on tiny fixture files in the true formats."""

import numpy as np
import pytest
from fixtures_formats import (
    cifar_record,
    gzip_bytes,
    idx_bytes,
    tiny_images,
    write_cifar_batch,
    write_idx,
)

from dlbook_utils.data import read_cifar10_binary, read_idx

# ---------------------------------------------------------------- read_idx


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_read_idx_round_trips_images_and_labels(tmp_path, suffix):
    images, labels = tiny_images(5)
    img_path = write_idx(tmp_path / f"images-idx3-ubyte{suffix}", images)
    lbl_path = write_idx(tmp_path / f"labels-idx1-ubyte{suffix}", labels)
    got_images, got_labels = read_idx(img_path), read_idx(lbl_path)
    assert got_images.shape == (5, 28, 28) and got_images.dtype == np.uint8
    assert got_labels.shape == (5,) and got_labels.dtype == np.uint8
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_write_idx_produces_the_published_header(tmp_path):
    # MNIST's training-label header: 0x00000801, then 60000 as a big-endian int32.
    raw = idx_bytes(np.zeros(60000, np.uint8))
    assert raw[:8] == bytes.fromhex("00000801 0000ea60")
    path = write_idx(tmp_path / "x.gz", np.zeros((2, 3), np.uint8))
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip magic


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_read_idx_other_types_come_back_native_endian(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 7).astype(dtype)
    got = read_idx(write_idx(tmp_path / "x.idx", array))
    assert got.dtype == np.dtype(dtype)  # native byte order, not big-endian
    assert got.dtype.isnative
    np.testing.assert_array_equal(got, array)


def test_read_idx_truncated_raw_file(tmp_path):
    images, _ = tiny_images(3)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_bytes(images)[:-10])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


def test_read_idx_truncated_content_inside_a_complete_gzip(tmp_path):
    images, _ = tiny_images(3)
    path = tmp_path / "images-idx3-ubyte.gz"
    path.write_bytes(gzip_bytes(idx_bytes(images)[:-1]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


def test_read_idx_truncated_gzip_stream(tmp_path):
    images, _ = tiny_images(3)
    path = write_idx(tmp_path / "images-idx3-ubyte.gz", images)
    path.write_bytes(path.read_bytes()[:-20])  # an interrupted download of the .gz
    with pytest.raises(ValueError, match="gzip"):
        read_idx(path)


def test_read_idx_corrupted_gzip_stream_raises_value_error(tmp_path):
    images, _ = tiny_images(3)
    path = write_idx(tmp_path / "images-idx3-ubyte.gz", images)
    raw = bytearray(path.read_bytes())
    raw[10] ^= 0xFF  # first byte of the deflate stream: "invalid block type"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="gzip"):
        read_idx(path)


def test_read_idx_truncated_header(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(bytes([0, 0, 0x08, 3]) + b"\x00\x00\x00\x05")  # 1 of 3 dimensions
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


def test_read_idx_rejects_trailing_bytes(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(idx_bytes(np.zeros((2, 2), np.uint8)) + b"\x00")
    with pytest.raises(ValueError, match="corrupted"):
        read_idx(path)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x00",
        b"\x01\x00\x08\x01\x00\x00\x00\x01\x00",  # first byte not zero
        b"\x00\x00\x07\x01\x00\x00\x00\x01\x00",  # unknown type code
        b"PK\x03\x04 a zip file, not IDX",
    ],
)
def test_read_idx_bad_magic(tmp_path, raw):
    path = tmp_path / "x.idx"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match="magic"):
        read_idx(path)


# ---------------------------------------------------------------- read_cifar10_binary


def test_read_cifar10_binary_layout(tmp_path):
    # Record 0: constant planes R=10, G=20, B=30.
    planes = np.stack([np.full((32, 32), v, np.uint8) for v in (10, 20, 30)])
    # Record 1: every byte distinct along a row and a column, so transposes would show.
    rows, cols = np.meshgrid(np.arange(32), np.arange(32), indexing="ij")
    gradient = np.stack([(c * 64 + rows * 2 + cols) % 256 for c in range(3)])
    gradient = gradient.astype(np.uint8)
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar_record(7, planes) + cifar_record(0, gradient))

    images, labels = read_cifar10_binary(path)
    assert images.shape == (2, 3, 32, 32) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    assert labels.tolist() == [7, 0]
    assert images[0, 0].min() == images[0, 0].max() == 10  # red plane first
    assert images[0, 1].min() == images[0, 1].max() == 20
    assert images[0, 2].min() == images[0, 2].max() == 30
    # The file stores each plane row-major: byte 1 + c*1024 + i*32 + j is pixel (c, i, j).
    raw = path.read_bytes()
    offset = 3073
    for c, i, j in [(0, 0, 1), (0, 1, 0), (1, 5, 17), (2, 31, 30)]:
        assert images[1, c, i, j] == raw[offset + 1 + c * 1024 + i * 32 + j]
        assert images[1, c, i, j] == (c * 64 + i * 2 + j) % 256


def test_read_cifar10_binary_truncated(tmp_path):
    path = write_cifar_batch(
        tmp_path / "b.bin", np.zeros((2, 3, 32, 32), np.uint8), np.array([1, 2])
    )
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="truncated"):
        read_cifar10_binary(path)


def test_read_cifar10_binary_empty_file(tmp_path):
    path = tmp_path / "b.bin"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="truncated"):
        read_cifar10_binary(path)


def test_read_cifar10_binary_label_out_of_range(tmp_path):
    path = tmp_path / "b.bin"
    path.write_bytes(cifar_record(10, np.zeros((3, 32, 32), np.uint8)))
    with pytest.raises(ValueError, match="out of range"):
        read_cifar10_binary(path)
