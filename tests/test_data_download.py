"""Download progress, repair of a corrupted cache, where fetched files came from."""

import hashlib
import re
import urllib.request

import pytest
from fixtures_formats import remote_for

from dlbook_utils.data import ChecksumError, download, fetch, fetched_files
from dlbook_utils.data import _download as download_module
from dlbook_utils.data import _store as store

PAYLOAD = b"the published bytes\n" * 100
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "server" / "data.bin"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    return path


@pytest.fixture
def corrupted_cache(cache, source):
    """A cached data.bin whose bytes no longer match the published digest."""
    cached = cache / "toy" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(PAYLOAD[:-1] + b"X")
    return remote_for(source), cached


@pytest.fixture
def fake_download(monkeypatch):
    """Replace the network by a function that writes the published bytes; record calls."""
    calls = []

    def fake(url, dest, sha256, **kwargs):
        calls.append(url)
        dest.write_bytes(PAYLOAD)
        return dest

    monkeypatch.setattr(store, "download", fake)
    return calls


# ---------------------------------------------------------------- progress lines


def test_download_reports_progress_every_tenth(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(download_module, "CHUNK", 100_000)
    payload = bytes(range(256)) * 20_000  # 5.12 MB: above the quiet threshold
    src = tmp_path / "big.bin"
    src.write_bytes(payload)
    download(
        src.as_uri(), tmp_path / "out" / "big.bin", hashlib.sha256(payload).hexdigest()
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "downloading big.bin (5.1 MB) from a local file"
    shares = [int(m.group(1)) for line in lines if (m := re.search(r"(\d+)% \(", line))]
    assert shares[-1] == 100 and len(shares) >= 10  # at least one line per tenth
    assert all(b > a for a, b in zip(shares, shares[1:], strict=False))
    assert lines[-1].endswith("SHA-256 ok") and all(len(line) <= 80 for line in lines)


def test_download_of_a_small_file_prints_two_lines(tmp_path, source, capsys):
    download(source.as_uri(), tmp_path / "out" / "data.bin", PAYLOAD_SHA)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "(2.0 kB)" in lines[0] and "SHA-256 ok" in lines[1]


def test_download_without_a_known_size_reports_every_few_seconds(
    tmp_path, capsys, monkeypatch
):
    class Response:  # a server that sends no Content-Length
        headers = {}
        chunks = [b"x" * 1000] * 3

        def read(self, n):
            return self.chunks.pop() if self.chunks else b""

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    clock = iter(range(0, 1000, 6))  # 6 s pass between reads
    monkeypatch.setattr(download_module.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response())
    sha = hashlib.sha256(b"x" * 3000).hexdigest()
    download("https://example.invalid/f.bin", tmp_path / "f.bin", sha)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "downloading f.bin from example.invalid"
    assert sum("so far" in line for line in lines) == 3


def test_download_can_be_quiet(tmp_path, source, capsys):
    download(source.as_uri(), tmp_path / "out" / "data.bin", PAYLOAD_SHA, progress=False)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- corrupted cache


def test_corrupted_cache_file_is_moved_aside_and_downloaded_again(
    corrupted_cache, fake_download, capsys
):
    remote, cached = corrupted_cache
    assert fetch(remote, "toy") == cached
    assert cached.read_bytes() == PAYLOAD
    assert fake_download == [remote.url]
    aside = cached.with_name("data.bin.corrupt")
    assert aside.read_bytes() == PAYLOAD[:-1] + b"X"  # kept for inspection, not used
    out = capsys.readouterr().out
    assert "corrupted" in out and "data.bin.corrupt" in out and "fetching it again" in out
    assert fetched_files()[-1]["origin"] == "download"


def test_corrupted_cache_file_offline_is_moved_aside_and_explained(
    corrupted_cache, fake_download, monkeypatch
):
    remote, cached = corrupted_cache
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    with pytest.raises(ChecksumError) as info:
        fetch(remote, "toy")
    message = str(info.value)
    assert "moved aside to data.bin.corrupt" in message
    assert "DLBOOK_OFFLINE" in message and remote.url in message
    assert str(cached.parent) in message  # where to copy a good file by hand
    assert not cached.exists() and cached.with_name("data.bin.corrupt").exists()
    assert fake_download == []  # offline: no download attempted


def test_corrupted_cache_file_is_replaced_by_a_system_copy_even_offline(
    corrupted_cache, fake_download, tmp_path, monkeypatch
):
    remote, cached = corrupted_cache
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    system = tmp_path / "sys"
    system.mkdir()
    (system / "data.bin").write_bytes(PAYLOAD)
    assert fetch(remote, "toy", system_dirs=(system,)) == system / "data.bin"
    assert cached.with_name("data.bin.corrupt").exists() and fake_download == []


def test_a_second_corruption_replaces_the_first_aside(corrupted_cache, fake_download):
    remote, cached = corrupted_cache
    aside = cached.with_name("data.bin.corrupt")
    aside.write_bytes(b"an older corrupted copy")
    fetch(remote, "toy")
    assert aside.read_bytes() == PAYLOAD[:-1] + b"X"


def test_a_corrupted_system_copy_is_refused_in_place(cache, tmp_path, source):
    system = tmp_path / "sys"
    system.mkdir()
    (system / "data.bin").write_bytes(b"not the published file")
    with pytest.raises(ChecksumError, match="Reinstall"):
        fetch(remote_for(source), "toy", system_dirs=(system,))
    assert (system / "data.bin").exists()  # a package's file is not ours to move


# ---------------------------------------------------------------- fetched_files


def test_fetched_files_records_each_origin(cache, tmp_path, source, monkeypatch):
    monkeypatch.setattr(store, "_FETCHED", [])
    remote = remote_for(source)
    fetch(remote, "toy")  # downloaded
    fetch(remote, "toy")  # then from the cache
    system = tmp_path / "sys"
    system.mkdir()
    (system / "data.bin").write_bytes(PAYLOAD)
    fetch(remote, "other", system_dirs=(system,))
    origins = [(e["dataset"], e["origin"], e["bytes"]) for e in fetched_files()]
    assert origins == [
        ("toy", "download", len(PAYLOAD)),
        ("toy", "cache", len(PAYLOAD)),
        ("other", "system", len(PAYLOAD)),
    ]
