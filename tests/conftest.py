"""Shared fixtures: every test runs with its own empty data cache and without the network.

The fixture-file writers (IDX, CIFAR-10 binary, aclImdb archives, hostile tars) live in
``fixtures_formats.py`` beside this file, as plain functions.
"""

import urllib.error
import urllib.parse
import urllib.request

import pytest

DATA_ENV = "DLBOOK_DATA"
LOOPBACK = {"localhost", "127.0.0.1", "::1"}  # local test servers are not "the network"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point ``DLBOOK_DATA`` at a fresh folder; unset the stand-in, offline and profile switches.

    Returns the cache folder (it does not exist yet: the code under test creates it).
    """
    cache = tmp_path / "dlbook-cache"
    monkeypatch.setenv(DATA_ENV, str(cache))
    monkeypatch.delenv("DLBOOK_STANDIN", raising=False)
    monkeypatch.delenv("DLBOOK_OFFLINE", raising=False)
    monkeypatch.delenv("DLBOOK_PROFILE", raising=False)
    return cache


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Let ``urllib.request.urlopen`` open ``file:`` and loopback URLs only: "offline".

    A test that forgets to point a loader at a fixture then fails fast and deterministically
    (``URLError`` -> ``DataUnavailableError``) instead of downloading gigabytes.
    """
    real_urlopen = urllib.request.urlopen
    attempts = []

    def guarded_urlopen(url, *args, **kwargs):
        full_url = getattr(url, "full_url", url)
        attempts.append(full_url)
        parsed = urllib.parse.urlparse(str(full_url))
        if parsed.scheme == "file" or parsed.hostname in LOOPBACK:
            return real_urlopen(url, *args, **kwargs)
        raise urllib.error.URLError(f"network disabled in tests: {full_url}")

    monkeypatch.setattr(urllib.request, "urlopen", guarded_urlopen)
    return attempts


@pytest.fixture
def cache(isolated_env):
    """The test's data cache folder (``$DLBOOK_DATA``)."""
    return isolated_env
