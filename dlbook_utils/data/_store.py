"""The data cache: where files live, how they are verified, downloaded and extracted.

Every loader in :mod:`dlbook_utils.data` goes through :func:`fetch`, which looks in the cache
(``DLBOOK_DATA``), then in known system folders, then downloads from the canonical source.
A file is only ever used after its SHA-256 matched; downloads are written to a temporary file
and renamed into place, so the cache never holds a half-written or unverified file.
"""

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DataUnavailableError",
    "ChecksumError",
    "RemoteFile",
    "cache_dir",
    "standins_allowed",
    "downloads_allowed",
    "announce_standin",
    "standins_used",
    "sha256sum",
    "download",
    "fetch",
    "safe_extract",
]

DATA_ENV = "DLBOOK_DATA"
STANDIN_ENV = "DLBOOK_STANDIN"
OFFLINE_ENV = "DLBOOK_OFFLINE"


class DataUnavailableError(RuntimeError):
    """A dataset is neither cached nor installed and could not be downloaded."""


class ChecksumError(ValueError):
    """A file's SHA-256 does not match the published one."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: its name, canonical URL and SHA-256.

    ``alt_sha256`` lists digests of other known-good packagings of the same content, such as
    Debian's re-compressed copy of Fashion-MNIST (same bytes inside, no file name in the gzip
    header).
    """

    filename: str
    url: str
    sha256: str
    alt_sha256: tuple[str, ...] = field(default=())

    @property
    def accepted(self):
        return {self.sha256, *self.alt_sha256}


def cache_dir():
    """The data cache: ``$DLBOOK_DATA`` if set, else ``~/.cache/dlbook`` (XDG aware)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg) / "dlbook"


def standins_allowed():
    """True when ``DLBOOK_STANDIN=1``: missing datasets may be replaced by labelled stand-ins."""
    return os.environ.get(STANDIN_ENV, "").strip().lower() in {"1", "true", "yes"}


def downloads_allowed():
    """False when ``DLBOOK_OFFLINE=1``: loaders use local copies only and never try the network.

    CI sets it, so that a missing dataset fails at once instead of waiting for a timeout.
    """
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in {"1", "true", "yes"}


# Every stand-in handed out in this process (a chapter runs in one kernel), in order: the
# chapter's provenance record carries it, and the book's Sphinx extension turns it into the
# warning box at the top of the page and the build's stand-in summary.
_STANDINS_USED = []


def standins_used():
    """The stand-ins handed out in this process so far: dicts with ``dataset``, ``why`` and
    ``how_to_get`` (a one-line remedy), one per dataset, in the order they were first used."""
    return [dict(entry) for entry in _STANDINS_USED]


def announce_standin(name, why, how_to_get=""):
    """Record that ``name`` is a stand-in and print a banner that cannot be missed."""
    if all(entry["dataset"] != name for entry in _STANDINS_USED):
        _STANDINS_USED.append({"dataset": name, "why": why, "how_to_get": how_to_get})
    bar = "!" * 78
    print(
        f"{bar}\n!! STAND-IN DATA for {name}: {why}\n"
        f"!! {STANDIN_ENV}=1 allows a deterministic synthetic stand-in of the same shape.\n"
        f"!! Results computed from it say nothing about the real {name}.\n{bar}",
        file=sys.stdout,
        flush=True,
    )


def sha256sum(path, chunk_size=1 << 20):
    """Return the hexadecimal SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(path, remote):
    actual = sha256sum(path)
    if actual not in remote.accepted:
        raise ChecksumError(
            f"{path} has SHA-256 {actual}, expected {remote.sha256}: the file is corrupted "
            f"or not the published {remote.filename}. Delete it and try again."
        )


def _umask_mode(mode):
    """``mode`` as the user's umask would leave it (mkstemp/mkdtemp create 0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def download(url, dest, sha256, *, accepted=(), timeout=60):
    """Download ``url`` to ``dest``, keeping it only if its SHA-256 is ``sha256``.

    The bytes go to a temporary file in ``dest``'s folder, are verified, then renamed into
    place; on any failure nothing is left behind.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as r:
            shutil.copyfileobj(r, out, length=1 << 20)
        actual = sha256sum(tmp)
        if actual not in {sha256, *accepted}:
            raise ChecksumError(
                f"download of {url} has SHA-256 {actual}, expected {sha256}; "
                "it was discarded (a truncated or tampered transfer). Try again later."
            )
        os.chmod(tmp, _umask_mode(0o666))
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def fetch(remote, dataset, *, system_dirs=(), how_to_get=""):
    """Return a verified local path for ``remote``, downloading it if needed.

    Looks in ``cache_dir()/dataset``, then in ``system_dirs``, then downloads into the cache.

    Raises:
        ChecksumError: a cached or installed copy exists but is not the published file.
        DataUnavailableError: no copy exists and the download failed (for example offline).
    """
    cached = cache_dir() / dataset / remote.filename
    if cached.exists():
        _verify(cached, remote)
        return cached
    for folder in system_dirs:
        candidate = Path(folder) / remote.filename
        if candidate.exists():
            _verify(candidate, remote)
            return candidate
    hint = f" {how_to_get}" if how_to_get else ""
    remedy = (
        f"{hint} You can also copy the file into {cached.parent}, or set {STANDIN_ENV}=1 "
        "to run on a labelled synthetic stand-in."
    )
    if not downloads_allowed():
        raise DataUnavailableError(
            f"{dataset}: {remote.filename} is not in the cache ({cached.parent}) and "
            f"downloads are off ({OFFLINE_ENV}=1); unset it to download {remote.url}.{remedy}"
        )
    try:
        return download(remote.url, cached, remote.sha256, accepted=remote.alt_sha256)
    except (urllib.error.URLError, OSError) as err:
        raise DataUnavailableError(
            f"{dataset}: {remote.filename} is not in the cache ({cached.parent}) and could not "
            f"be downloaded from {remote.url} ({err}).{remedy}"
        ) from err


def _check_member(member, root):
    """Reject archive members that could write outside ``root`` or are not plain files."""
    target = (root / member.name).resolve()
    if not target.is_relative_to(root):
        raise ValueError(f"archive member {member.name!r} would be written outside {root}")
    if not (member.isfile() or member.isdir()):
        raise ValueError(f"archive member {member.name!r} is a link or device; refused")


def safe_extract(archive, dest):
    """Extract a tar archive into ``dest`` safely and atomically; return ``dest``.

    Every member is checked first (no absolute paths, no ``..``, no links or devices); the
    archive is unpacked into a temporary sibling folder that is renamed to ``dest`` only
    when extraction finished, so an interrupted run leaves nothing half-extracted.
    """
    dest = Path(dest)
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        root = tmp.resolve()
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, root)
            tar.extractall(root, members=members, filter="data")
        os.chmod(tmp, _umask_mode(0o777))
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
