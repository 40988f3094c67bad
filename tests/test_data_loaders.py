"""Dataset loaders end to end, run offline on tiny fixture files in the true formats.

Nothing here touches the network or the real data cache (see ``conftest.py``).
"""

import os
from pathlib import Path

import numpy as np
import pytest
from fixtures_formats import (
    remote_for,
    tiny_images,
    write_cifar_archive,
    write_idx,
    write_imdb_archive,
    write_wordlist,
)

import dlbook_utils.data as data
from dlbook_utils.data import (
    CIFAR10_CLASSES,
    DATASETS,
    FASHION_MNIST_CLASSES,
    ChecksumError,
    Dataset,
    DataUnavailableError,
    load_cifar10,
    load_fashion_mnist,
    load_imdb,
    load_mnist,
    load_tabular,
    load_timeseries,
    load_wordlist,
    read_imdb_folder,
)
from dlbook_utils.data import images as images_module
from dlbook_utils.data import text as text_module

# ---------------------------------------------------------------- MNIST end to end


@pytest.fixture
def mnist_fixture(tmp_path, monkeypatch):
    """Four tiny gzipped IDX files on a file:// "server", patched in as MNIST_FILES."""
    server = tmp_path / "mnist-server"
    train_x, train_y = tiny_images(6, seed=1)
    test_x, test_y = tiny_images(4, seed=2)
    arrays = {
        "train_images": ("train-images-idx3-ubyte.gz", train_x),
        "train_labels": ("train-labels-idx1-ubyte.gz", train_y),
        "test_images": ("t10k-images-idx3-ubyte.gz", test_x),
        "test_labels": ("t10k-labels-idx1-ubyte.gz", test_y),
    }
    files = {k: remote_for(write_idx(server / name, a)) for k, (name, a) in arrays.items()}
    monkeypatch.setattr(images_module, "MNIST_FILES", files)
    return server, {key: a for key, (_, a) in arrays.items()}


def test_load_mnist_from_fixture(mnist_fixture, cache):
    server, arrays = mnist_fixture
    ds = load_mnist()
    assert isinstance(ds, Dataset) and ds.name == "mnist" and ds.standin is False
    assert ds.X_train.shape == (6, 28, 28) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (4, 28, 28)
    assert ds.y_train.dtype == np.int64 and ds.y_test.dtype == np.int64
    np.testing.assert_array_equal(ds.X_train, arrays["train_images"])
    np.testing.assert_array_equal(ds.y_train, arrays["train_labels"])
    np.testing.assert_array_equal(ds.X_test, arrays["test_images"])
    np.testing.assert_array_equal(ds.y_test, arrays["test_labels"])
    assert ds.classes == tuple("0123456789")
    assert Path(ds.source) == cache / "mnist"
    assert sorted(os.listdir(cache / "mnist")) == sorted(
        p.name for p in server.iterdir()
    )  # exactly the four files, no temp files
    assert "real" in repr(ds)

    for p in server.iterdir():  # the second load is served from the cache
        p.unlink()
    again = load_mnist()
    np.testing.assert_array_equal(again.X_train, ds.X_train)


def test_load_by_name_dispatches(mnist_fixture):
    ds = data.load("mnist")
    assert ds.name == "mnist" and ds.X_train.shape == (6, 28, 28)


def test_load_mnist_corrupted_download_is_loud_even_with_standins(
    mnist_fixture, monkeypatch, capsys
):
    server, _ = mnist_fixture
    (server / "t10k-labels-idx1-ubyte.gz").write_bytes(b"tampered")
    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    with pytest.raises(ChecksumError):
        load_mnist()
    assert "STAND-IN" not in capsys.readouterr().out


# ---------------------------------------------------------------- CIFAR-10 end to end


@pytest.fixture
def cifar_fixture(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    batches = {}
    for i in range(1, 6):
        x = rng.integers(0, 256, size=(2, 3, 32, 32), dtype=np.uint8)
        batches[f"data_batch_{i}.bin"] = (x, np.array([i, (i + 5) % 10]))
    batches["test_batch.bin"] = (
        rng.integers(0, 256, size=(3, 3, 32, 32), dtype=np.uint8),
        np.array([9, 0, 4]),
    )
    archive = write_cifar_archive(tmp_path / "server" / "cifar-10-binary.tar.gz", batches)
    monkeypatch.setattr(images_module, "CIFAR10_FILE", remote_for(archive))
    return archive, batches


def test_load_cifar10_from_fixture(cifar_fixture, cache):
    archive, batches = cifar_fixture
    ds = load_cifar10()
    assert ds.name == "cifar10" and ds.standin is False
    assert ds.X_train.shape == (10, 3, 32, 32) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (3, 3, 32, 32)
    assert ds.y_train.dtype == np.int64
    train = [batches[f"data_batch_{i}.bin"] for i in range(1, 6)]  # in batch order
    np.testing.assert_array_equal(ds.X_train, np.concatenate([x for x, _ in train]))
    np.testing.assert_array_equal(ds.y_train, np.concatenate([y for _, y in train]))
    np.testing.assert_array_equal(ds.X_test, batches["test_batch.bin"][0])
    assert ds.y_test.tolist() == [9, 0, 4]
    assert ds.classes == CIFAR10_CLASSES
    batches_dir = cache / "cifar10" / "extracted" / "cifar-10-batches-bin"
    assert Path(ds.source) == batches_dir
    assert (cache / "cifar10" / archive.name).exists()
    assert sorted(os.listdir(cache / "cifar10")) == [archive.name, "extracted"]

    archive.unlink()  # cached archive and extracted folder suffice from now on
    assert load_cifar10().X_train.shape == (10, 3, 32, 32)


# ---------------------------------------------------------------- IMDb end to end

IMDB_REVIEWS = {
    "train": {
        "neg": {"1_2.txt": "Dull and wooden.", "0_1.txt": "The worst <br />film."},
        "pos": {"2_9.txt": "Superb!", "10_10.txt": "Wonderful, moving — café scene."},
    },
    "test": {
        "neg": {"0_3.txt": "Boring."},
        "pos": {"0_8.txt": "Great.", "1_7.txt": "Funny."},
    },
}


@pytest.fixture
def imdb_fixture(tmp_path, monkeypatch):
    archive = write_imdb_archive(tmp_path / "server" / "aclImdb_v1.tar.gz", IMDB_REVIEWS)
    monkeypatch.setattr(text_module, "IMDB_FILE", remote_for(archive))
    return archive


def test_load_imdb_from_fixture(imdb_fixture, cache):
    ds = load_imdb()
    assert ds.name == "imdb" and ds.standin is False
    # Sorted file names within neg, then pos; labels 0 = negative, 1 = positive.
    assert ds.X_train == [
        "The worst <br />film.",
        "Dull and wooden.",
        "Wonderful, moving — café scene.",
        "Superb!",
    ]
    assert ds.y_train.tolist() == [0, 0, 1, 1] and ds.y_train.dtype == np.int64
    assert ds.X_test == ["Boring.", "Great.", "Funny."]
    assert ds.y_test.tolist() == [0, 1, 1]
    assert ds.classes == ("negative", "positive")
    assert Path(ds.source) == cache / "imdb" / "extracted" / "aclImdb"


def test_read_imdb_folder_requires_both_labels(tmp_path):
    (tmp_path / "split" / "neg").mkdir(parents=True)
    with pytest.raises(ValueError, match="pos"):
        read_imdb_folder(tmp_path / "split")


# ---------------------------------------------------------------- offline, no data


@pytest.mark.parametrize("loader", [load_mnist, load_cifar10, load_imdb])
def test_loaders_offline_without_data_raise(loader, no_network, capsys, monkeypatch):
    monkeypatch.setenv("DLBOOK_STANDIN", "0")  # unset allows stand-ins (the default)
    with pytest.raises(DataUnavailableError, match="DLBOOK_STANDIN=1"):
        loader()
    assert no_network and all(url.startswith("https://") for url in no_network)
    assert "STAND-IN" not in capsys.readouterr().out


def test_mnist_standin(monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    first = load_mnist()
    banner = capsys.readouterr().out
    assert "STAND-IN" in banner and "mnist" in banner
    assert first.standin is True and first.source == "stand-in"
    assert "STAND-IN" in repr(first)
    assert first.X_train.shape == (60000, 28, 28) and first.X_train.dtype == np.uint8
    assert first.X_test.shape == (10000, 28, 28) and first.X_test.dtype == np.uint8
    assert first.y_train.shape == (60000,) and first.y_test.shape == (10000,)
    assert first.y_train.dtype == np.int64
    assert set(np.unique(first.y_train)) == set(range(10))
    second = load_mnist()
    assert "STAND-IN" in capsys.readouterr().out  # announced every time
    # np.array_equal, not assert_array_equal: 50x faster on 47 MB, and a bool suffices.
    for attr in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(getattr(first, attr), getattr(second, attr)), attr


def test_cifar10_standin(monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    ds = load_cifar10()
    assert "STAND-IN" in capsys.readouterr().out
    assert ds.standin is True and ds.classes == CIFAR10_CLASSES
    assert ds.X_train.shape == (50000, 3, 32, 32) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (10000, 3, 32, 32) and ds.X_test.dtype == np.uint8
    assert ds.y_train.shape == (50000,) and ds.y_test.shape == (10000,)
    assert 0 <= ds.y_train.min() and ds.y_train.max() <= 9
    del ds


def test_imdb_standin(monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    ds = load_imdb()
    assert "STAND-IN" in capsys.readouterr().out
    assert ds.standin is True
    assert len(ds.X_train) == 25_000 and len(ds.X_test) == 25_000
    assert all(isinstance(t, str) and t for t in ds.X_train[:100])
    assert ds.y_train.shape == (25_000,) and set(np.unique(ds.y_train)) == {0, 1}


# ---------------------------------------------------------------- Fashion-MNIST (real)

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def test_load_fashion_mnist_real():
    if not FASHION_DIR.is_dir():
        pytest.skip(f"{FASHION_DIR} not installed (apt-get install dataset-fashion-mnist)")
    ds = load_fashion_mnist()
    assert ds.standin is False and ds.classes == FASHION_MNIST_CLASSES
    assert Path(ds.source) == FASHION_DIR
    assert ds.X_train.shape == (60000, 28, 28) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (10000, 28, 28) and ds.X_test.dtype == np.uint8
    assert ds.y_train.shape == (60000,) and ds.y_test.shape == (10000,)
    assert set(np.unique(ds.y_train)) == set(range(10))
    assert set(np.unique(ds.y_test)) == set(range(10))
    assert np.bincount(ds.y_test).tolist() == [1000] * 10  # the published balance


# ---------------------------------------------------------------- word lists


def test_load_wordlist_from_dict_dir(tmp_path):
    folder = tmp_path / "dict"
    write_wordlist(folder, "french", ["été", "  chat ", "", "chien", "A"])
    assert load_wordlist("french", dict_dir=folder) == ["été", "chat", "chien", "A"]


def test_load_wordlist_unknown_language():
    with pytest.raises(ValueError, match="klingon") as info:
        load_wordlist("klingon")
    for choice in ("english", "french", "german"):
        assert choice in str(info.value)


def test_load_wordlist_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_STANDIN", "0")
    with pytest.raises(DataUnavailableError, match="apt-get install wngerman"):
        load_wordlist("german", dict_dir=tmp_path)


def test_load_wordlist_standin(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    words = load_wordlist("german", dict_dir=tmp_path)
    assert "STAND-IN" in capsys.readouterr().out
    assert len(words) == 5000 and all(w.isalpha() and w.islower() for w in words)
    assert load_wordlist("german", dict_dir=tmp_path) == words


# ---------------------------------------------------------- tabular, time series, load


def test_load_tabular_iris():
    ds = load_tabular("iris")
    assert ds.X.shape == (150, 4) and ds.X.dtype == np.float64
    assert ds.y.shape == (150,) and ds.y.dtype == np.int64
    assert np.bincount(ds.y).tolist() == [50, 50, 50]
    assert len(ds.feature_names) == 4 and len(ds.target_names) == 3


def test_load_tabular_unknown():
    with pytest.raises(ValueError, match="iris"):
        load_tabular("titanic")


def test_load_timeseries_sp500():
    ts = load_timeseries("sp500")
    assert ts.dates.dtype == np.dtype("datetime64[D]") and ts.values.dtype == np.float64
    assert len(ts.dates) == len(ts.values) > 100
    assert np.all(np.diff(ts.dates) > np.timedelta64(0, "D"))
    assert np.all(np.isfinite(ts.values)) and np.all(ts.values > 0)
    assert ts.dates[0] < np.datetime64("1991-01-01")
    assert ts.dates[-1] > np.datetime64("2016-01-01")


def test_load_timeseries_npz_series():
    ts = load_timeseries("goog")
    assert np.all(np.diff(ts.dates) > np.timedelta64(0, "D"))
    assert np.all(np.isfinite(ts.values))


def test_load_timeseries_unknown():
    with pytest.raises(ValueError, match="sp500"):
        load_timeseries("ftse")


def test_load_unknown_name_lists_the_datasets():
    with pytest.raises(ValueError, match="nope") as info:
        data.load("nope")
    for name in DATASETS:
        assert name in str(info.value)


def test_load_tabular_by_name():
    assert data.load("iris").X.shape == (150, 4)


def test_offline_switch_fails_fast_without_touching_the_network(monkeypatch):
    from dlbook_utils.data import DataUnavailableError, downloads_allowed

    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    monkeypatch.setenv("DLBOOK_STANDIN", "0")
    assert not downloads_allowed()
    with pytest.raises(DataUnavailableError, match="DLBOOK_OFFLINE=1"):
        load_mnist()


@pytest.mark.parametrize("loader", [load_mnist, load_cifar10, load_imdb])
def test_allow_standin_false_overrides_the_environment(loader, monkeypatch):
    from dlbook_utils.data import DataUnavailableError

    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    with pytest.raises(DataUnavailableError):
        loader(allow_standin=False)


def test_load_first_available_skips_missing_real_data(monkeypatch, tmp_path, capsys):
    from dlbook_utils.data import load_first_available

    monkeypatch.setenv("DLBOOK_STANDIN", "1")
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    # no real MNIST and no real CIFAR-10: the last one falls back to its stand-in
    ds = load_first_available("mnist", "cifar10")
    out = capsys.readouterr().out
    assert "mnist is not available" in out and "STAND-IN DATA for cifar10" in out
    assert ds.name == "cifar10"


def test_load_first_available_prefers_the_first_real_dataset(mnist_fixture, capsys):
    from dlbook_utils.data import load_first_available

    ds = load_first_available("mnist", "fashion_mnist")
    assert ds.name == "mnist" and not ds.standin
    assert "using mnist (real data)" in capsys.readouterr().out


def test_load_first_available_rejects_unknown_names():
    from dlbook_utils.data import load_first_available

    with pytest.raises(ValueError, match="expected one or more of"):
        load_first_available("mnits")
    with pytest.raises(ValueError):
        load_first_available()


def test_timeseries_repr_is_one_line():
    from dlbook_utils.data import load_timeseries

    text = repr(load_timeseries("sp500"))
    assert "\n" not in text and "from 1990-01-01 to 2022-06-28" in text
