"""scripts/system_packages.sh: what the README commands need from the system, checked first.

Run with ``DLBOOK_NO_APT=1`` (never install anything here), a PATH that holds only the
tools the script needs, and Fashion-MNIST's system folder moved to a test folder.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "system_packages.sh"
FMNIST = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]
WORDLISTS = ["american-english", "french", "ngerman", "italian", "spanish"]


@pytest.fixture
def run(tmp_path):
    """run(target, chromium=False, fmnist_in_cache=False, wordlists=True) -> result."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "tr", "id"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    cache = tmp_path / "cache"

    dict_dir = tmp_path / "dict"

    def run_script(target, chromium=False, fmnist_in_cache=False, wordlists=True):
        dict_dir.mkdir(exist_ok=True)
        if wordlists:
            for name in WORDLISTS:
                (dict_dir / name).write_text("word\n")
        if chromium:
            fake = bin_dir / "chromium"
            fake.write_text("#!/bin/sh\n")
            fake.chmod(0o755)
        if fmnist_in_cache:
            (cache / "fashion_mnist").mkdir(parents=True, exist_ok=True)
            for name in FMNIST:
                (cache / "fashion_mnist" / name).write_bytes(b"")
        env = {
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            "DLBOOK_NO_APT": "1",
            "DLBOOK_DATA": str(cache),
            "_DLBOOK_FMNIST_SYSTEM": str(tmp_path / "no-such-package"),
            "_DLBOOK_DICT_DIR": str(dict_dir),
            "PYTHON": sys.executable,
        }
        start = time.monotonic()
        done = subprocess.run(
            [str(bin_dir / "bash"), str(SCRIPT), target],
            env=env, capture_output=True, text=True, cwd=tmp_path,
        )  # fmt: skip
        assert time.monotonic() - start < 10  # "at once", before any other work
        return done

    return run_script


def test_missing_packages_stop_at_once_with_the_lines_to_run(run):
    done = run("test")
    assert done.returncode == 1
    assert "sudo apt-get install dataset-fashion-mnist chromium" in done.stderr
    assert "brew install --cask chromium" in done.stderr
    assert "make data" in done.stderr  # Fashion-MNIST without the Debian package
    assert "DLBOOK_SKIP_SYSTEM=1 make test" in done.stderr


def test_book_needs_no_browser(run):
    done = run("book", fmnist_in_cache=True)
    assert done.returncode == 0, done.stderr
    assert "present" in done.stdout and "Chromium" not in done.stdout


def test_nothing_missing_means_no_apt_work(run):
    done = run("test", chromium=True, fmnist_in_cache=True)
    assert done.returncode == 0, done.stderr
    assert "present" in done.stdout and "apt-get" not in done.stdout + done.stderr


def test_only_the_browser_missing(run):
    done = run("test", fmnist_in_cache=True)
    assert done.returncode == 1
    assert "sudo apt-get install chromium" in done.stderr
    assert "dataset-fashion-mnist" not in done.stderr


def test_unknown_target(run):
    assert run("everything").returncode == 2


def test_word_lists_missing(run):
    done = run("book", fmnist_in_cache=True, wordlists=False)
    assert done.returncode == 1
    line = "sudo apt-get install wamerican wfrench wngerman witalian wspanish"
    assert line in done.stderr
    assert "chapter 10" in done.stderr
