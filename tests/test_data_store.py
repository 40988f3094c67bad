"""The data cache: digests, verified downloads, fetch order and safe archive extraction."""

import hashlib
import os
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fixtures_formats import remote_for, write_tar

from dlbook_utils.data import (
    ChecksumError,
    DataUnavailableError,
    RemoteFile,
    cache_dir,
    download,
    fetch,
    safe_extract,
    sha256sum,
    standins_allowed,
)

PAYLOAD = b"the published bytes\n" * 100
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


def listing(folder):
    """Every path under ``folder`` (relative, sorted), hidden ones included."""
    folder = Path(folder)
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def source(tmp_path):
    """A "server" folder holding the published file; its ``file://`` URL is the download."""
    path = tmp_path / "server" / "data.bin"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    return path


# ---------------------------------------------------------------- sha256sum


def test_sha256sum_matches_hashlib(tmp_path):
    path = tmp_path / "f.bin"
    data = bytes(range(256)) * 1000
    path.write_bytes(data)
    assert sha256sum(path) == hashlib.sha256(data).hexdigest()
    # Several chunks, including a short last one, give the same digest.
    assert sha256sum(path, chunk_size=1000) == hashlib.sha256(data).hexdigest()


def test_sha256sum_of_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert sha256sum(path) == hashlib.sha256(b"").hexdigest()


def test_remote_file_accepts_alternative_digests():
    remote = RemoteFile("f", "file:///nowhere", "a" * 64, ("b" * 64,))
    assert remote.accepted == {"a" * 64, "b" * 64}


# ---------------------------------------------------------------- download


def test_download_keeps_a_good_file(tmp_path, source):
    dest = tmp_path / "out" / "sub" / "data.bin"
    result = download(source.as_uri(), dest, PAYLOAD_SHA)
    assert Path(result) == dest
    assert dest.read_bytes() == PAYLOAD
    assert listing(dest.parent) == ["data.bin"]  # no *.part left behind


def test_download_accepts_an_alternative_digest(tmp_path, source):
    dest = tmp_path / "out" / "data.bin"
    download(source.as_uri(), dest, "0" * 64, accepted=(PAYLOAD_SHA,))
    assert dest.read_bytes() == PAYLOAD


def test_download_rejects_a_corrupted_file_and_leaves_nothing(tmp_path, source):
    source.write_bytes(PAYLOAD[:-7])  # a truncated transfer
    dest = tmp_path / "out" / "data.bin"
    with pytest.raises(ChecksumError, match="discarded"):
        download(source.as_uri(), dest, PAYLOAD_SHA)
    assert not dest.exists()
    assert listing(dest.parent) == []  # neither the final file nor a *.part temp file


def test_download_replaces_nothing_when_corrupted(tmp_path, source):
    dest = tmp_path / "out" / "data.bin"
    dest.parent.mkdir()
    dest.write_bytes(b"an older good copy")
    source.write_bytes(b"tampered")
    with pytest.raises(ChecksumError):
        download(source.as_uri(), dest, PAYLOAD_SHA)
    assert dest.read_bytes() == b"an older good copy"
    assert listing(dest.parent) == ["data.bin"]


def test_download_of_a_missing_url_leaves_nothing(tmp_path):
    dest = tmp_path / "out" / "data.bin"
    missing = (tmp_path / "server" / "missing.bin").as_uri()
    with pytest.raises(urllib.error.URLError):
        download(missing, dest, PAYLOAD_SHA)
    assert listing(dest.parent) == []


# ---------------------------------------------------------- cache_dir, standins_allowed


def test_cache_dir_honours_dlbook_data(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere"


def test_cache_dir_expands_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DLBOOK_DATA", "~/my-data")
    assert cache_dir() == tmp_path / "my-data"


def test_cache_dir_is_set_by_the_autouse_fixture(cache):
    assert cache_dir() == cache


def test_cache_dir_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("DLBOOK_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "dlbook"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "dlbook"
    monkeypatch.setenv("DLBOOK_DATA", "")  # empty means unset
    assert cache_dir() == tmp_path / "home" / ".cache" / "dlbook"


# Changed on purpose: unset now ALLOWS labelled stand-ins; 0 makes a missing dataset an error.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        (" YES ", True),
        ("on", True),
        ("", True),
        ("0", False),
        ("no", False),
        ("false", False),
        (" OFF ", False),
    ],
)
def test_standins_allowed(monkeypatch, value, expected):
    monkeypatch.setenv("DLBOOK_STANDIN", value)
    assert standins_allowed() is expected


def test_standins_allowed_when_unset():
    assert "DLBOOK_STANDIN" not in os.environ  # the autouse fixture removed it
    assert standins_allowed() is True


def test_standins_allowed_rejects_an_unclear_value(monkeypatch):
    monkeypatch.setenv("DLBOOK_STANDIN", "maybe")
    with pytest.raises(ValueError, match="expected 1 .* or 0"):
        standins_allowed()


# ---------------------------------------------------------------- fetch


def test_fetch_downloads_into_the_cache(cache, source):
    remote = remote_for(source)
    path = fetch(remote, "toy")
    assert path == cache / "toy" / "data.bin"
    assert path.read_bytes() == PAYLOAD
    assert listing(cache / "toy") == ["data.bin"]


def test_fetch_prefers_the_cached_copy(cache, source, no_network, monkeypatch):
    remote = remote_for(source)
    cached = cache / "toy" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(PAYLOAD)
    source.unlink()  # the "server" is gone: only the cache can answer

    def refuse(*args, **kwargs):
        raise AssertionError("fetch must not download a file that is cached")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert fetch(remote, "toy") == cached


def test_fetch_second_call_uses_the_cache(cache, source):
    remote = remote_for(source)
    first = fetch(remote, "toy")
    source.unlink()
    assert fetch(remote, "toy") == first


def test_fetch_accepts_a_cached_alternative_packaging(cache):
    other = b"same content, other packaging"
    other_sha = hashlib.sha256(other).hexdigest()
    remote = RemoteFile("data.bin", "file:///nowhere/data.bin", PAYLOAD_SHA, (other_sha,))
    cached = cache / "toy" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(other)
    assert fetch(remote, "toy") == cached


def test_fetch_falls_back_to_system_dirs(cache, tmp_path, source):
    remote = remote_for(source)
    source.unlink()  # no download possible
    empty_dir = tmp_path / "sys-empty"
    empty_dir.mkdir()
    system = tmp_path / "sys"
    system.mkdir()
    (system / "data.bin").write_bytes(PAYLOAD)
    path = fetch(remote, "toy", system_dirs=(tmp_path / "absent", empty_dir, system))
    assert path == system / "data.bin"
    assert not (cache / "toy" / "data.bin").exists()  # used in place, not copied


def test_fetch_verifies_a_system_copy(cache, tmp_path, source):
    remote = remote_for(source)
    system = tmp_path / "sys"
    system.mkdir()
    (system / "data.bin").write_bytes(b"not the published file")
    with pytest.raises(ChecksumError):
        fetch(remote, "toy", system_dirs=(system,))


def test_fetch_cache_wins_over_system_dirs(cache, tmp_path, source):
    remote = remote_for(source)
    cached = cache / "toy" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(PAYLOAD)
    system = tmp_path / "sys"
    system.mkdir()
    (system / "data.bin").write_bytes(PAYLOAD)
    assert fetch(remote, "toy", system_dirs=(system,)) == cached


def test_fetch_rejects_a_corrupted_download(cache, source):
    remote = remote_for(source)
    source.write_bytes(b"tampered in transit")
    with pytest.raises(ChecksumError):
        fetch(remote, "toy")
    assert listing(cache / "toy") == []


def _assert_helpful(message, remote, cache, how):
    assert how in message
    assert "DLBOOK_STANDIN=1" in message
    assert remote.url in message
    assert str(cache / "toy") in message  # where to copy the file by hand


def test_fetch_unreachable_file_url(cache, tmp_path):
    missing = tmp_path / "server" / "missing.bin"
    remote = RemoteFile("missing.bin", missing.as_uri(), PAYLOAD_SHA)
    how = "Get it with `make toy-data`."
    with pytest.raises(DataUnavailableError) as info:
        fetch(remote, "toy", how_to_get=how)
    _assert_helpful(str(info.value), remote, cache, how)
    assert isinstance(info.value.__cause__, urllib.error.URLError)
    assert listing(cache / "toy") == []


def test_fetch_offline(cache, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    remote = RemoteFile("data.bin", "https://example.invalid/data.bin", PAYLOAD_SHA)
    how = "On Debian: `sudo apt-get install toy-data`."
    with pytest.raises(DataUnavailableError, match="name resolution") as info:
        fetch(remote, "toy", how_to_get=how)
    _assert_helpful(str(info.value), remote, cache, how)
    assert listing(cache / "toy") == []


def test_network_guard_makes_https_unreachable(cache, no_network):
    remote = RemoteFile("data.bin", "https://example.invalid/data.bin", PAYLOAD_SHA)
    with pytest.raises(DataUnavailableError, match="DLBOOK_STANDIN"):
        fetch(remote, "toy")
    assert no_network == ["https://example.invalid/data.bin"]


# ---------------------------------------------------------------- safe_extract


def test_safe_extract_extracts_a_normal_archive(tmp_path):
    archive = write_tar(
        tmp_path / "archives" / "good.tar.gz",
        [
            ("top", "dir"),
            ("top/a.txt", b"alpha"),
            ("top/sub/b.txt", b"beta"),
            ("c.txt", b"gamma"),
        ],
        mode="w:gz",
    )
    dest = tmp_path / "out" / "extracted"
    assert safe_extract(archive, dest) == dest
    assert (dest / "top" / "a.txt").read_bytes() == b"alpha"
    assert (dest / "top" / "sub" / "b.txt").read_bytes() == b"beta"
    assert (dest / "c.txt").read_bytes() == b"gamma"
    assert listing(dest.parent) == sorted(
        ["extracted", *(f"extracted/{p}" for p in listing(dest))]
    )  # no *.part folder left beside it


def test_safe_extract_is_a_no_op_when_dest_exists(tmp_path):
    archive = write_tar(tmp_path / "a.tar", [("new.txt", b"new")])
    dest = tmp_path / "out" / "extracted"
    dest.mkdir(parents=True)
    (dest / "old.txt").write_bytes(b"old")
    assert safe_extract(archive, dest) == dest
    assert listing(dest) == ["old.txt"]


HOSTILE = {
    "dotdot": lambda outside: [("ok.txt", b"fine"), ("../evil.txt", b"pwned")],
    "nested-dotdot": lambda outside: [("a/../../evil.txt", b"pwned")],
    "absolute": lambda outside: [("ok.txt", b"ok"), (str(outside / "evil.txt"), b"pwned")],
    "symlink-out": lambda outside: [("link", ("symlink", str(outside)))],
    "symlink-relative-out": lambda outside: [("link", ("symlink", "../../escape"))],
    "symlink-then-write": lambda outside: [
        ("link", ("symlink", str(outside))),
        ("link/evil.txt", b"pwned"),
    ],
    "hardlink-out": lambda outside: [("hl", ("hardlink", str(outside / "victim.txt")))],
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("compression", ["w", "w:gz"])
def test_safe_extract_refuses_hostile_archives(tmp_path, kind, compression):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_bytes(b"precious")
    members = HOSTILE[kind](outside)
    archive = write_tar(tmp_path / "archives" / "evil.tar", members, compression)
    parent = tmp_path / "work" / "parent"
    dest = parent / "extracted"
    with pytest.raises(ValueError, match="archive member"):
        safe_extract(archive, dest)
    assert not dest.exists()
    assert listing(parent) == []  # no dest and no .part temp folder
    assert listing(outside) == ["victim.txt"]  # nothing escaped ...
    assert (outside / "victim.txt").read_bytes() == b"precious"  # ... or was overwritten
    assert not (tmp_path / "work" / "evil.txt").exists()
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "escape").exists()


def test_safe_extract_refuses_a_device_member(tmp_path):
    archive = tmp_path / "dev.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("null")
        info.type = tarfile.CHRTYPE
        info.devmajor, info.devminor = 1, 3
        tar.addfile(info)
    parent = tmp_path / "parent"
    with pytest.raises(ValueError, match="link or device"):
        safe_extract(archive, parent / "extracted")
    assert listing(parent) == []


def test_safe_extract_cleans_up_on_a_corrupt_archive(tmp_path):
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(b"this is not a tar file at all" * 10)
    parent = tmp_path / "parent"
    with pytest.raises(tarfile.TarError):
        safe_extract(archive, parent / "extracted")
    assert listing(parent) == []


def test_cached_files_follow_the_umask(tmp_path):
    """mkstemp/mkdtemp create private files; the cache must be readable as umask allows."""
    src = tmp_path / "payload.bin"
    src.write_bytes(b"data")
    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(src, arcname="payload.bin")
    old = os.umask(0o022)
    try:
        digest = hashlib.sha256(b"data").hexdigest()
        dest = download(src.as_uri(), tmp_path / "cache" / "payload.bin", digest)
        assert dest.stat().st_mode & 0o777 == 0o644
        folder = safe_extract(archive, tmp_path / "out")
        assert folder.stat().st_mode & 0o777 == 0o755
    finally:
        os.umask(old)
