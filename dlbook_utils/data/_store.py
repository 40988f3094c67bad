"""The data cache: where files live, how they are verified, downloaded and extracted.

Every loader in :mod:`dlbook_utils.data` goes through :func:`fetch`, which looks in the cache
(``DLBOOK_DATA``), then in known system folders, then downloads from the canonical source.
A file is only ever used after its SHA-256 matched; downloads are written to a temporary file
and renamed into place, so the cache never holds a half-written or unverified file. A cached
file that no longer matches is moved aside (``<name>.corrupt``) and downloaded again.

Two switches, read when a loader runs: ``DLBOOK_OFFLINE=1`` turns downloads off, and
``DLBOOK_STANDIN`` says whether a dataset that cannot be had may be replaced by a labelled
synthetic stand-in (unset or ``1``: yes, the default; ``0``: no, it is an error).
"""

import os
import shutil
import sys
import tarfile
import tempfile
import textwrap
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

from ._download import ChecksumError, download, sha256sum, umask_mode

__all__ = [
    "DataUnavailableError",
    "ChecksumError",
    "RemoteFile",
    "cache_dir",
    "standins_allowed",
    "downloads_allowed",
    "announce_standin",
    "standins_used",
    "or_standin",
    "remedy",
    "fetched_files",
    "sha256sum",
    "download",
    "fetch",
    "safe_extract",
]

DATA_ENV = "DLBOOK_DATA"
STANDIN_ENV = "DLBOOK_STANDIN"
OFFLINE_ENV = "DLBOOK_OFFLINE"


_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off"}


class DataUnavailableError(RuntimeError):
    """A dataset is neither cached nor installed and could not be downloaded.

    ``reason`` is a short summary without file paths, for the stand-in banner and the
    page's warning box; the message itself says where the file was looked for.
    """

    def __init__(self, message, reason="the real data could not be found or downloaded"):
        super().__init__(message)
        self.reason = reason


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
    """Whether a dataset that cannot be had may be replaced by a labelled stand-in.

    ``DLBOOK_STANDIN`` unset, empty or ``1``: yes (the default, so that the book builds on
    any machine, each stand-in announced on its page); ``0``: no, a missing dataset is an
    error (for publishing the book). ``true``/``yes`` and ``false``/``no`` work too.

    Raises:
        ValueError: any other value, rather than guessing what it meant.
    """
    value = os.environ.get(STANDIN_ENV, "").strip().lower()
    if value == "" or value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(
        f"{STANDIN_ENV}={value!r}: expected 1 (stand-ins allowed, the default when unset) "
        "or 0 (a missing dataset is an error)"
    )


def downloads_allowed():
    """False when ``DLBOOK_OFFLINE=1``: loaders use local copies only and never try the network.

    CI sets it, so that a missing dataset fails at once instead of waiting for a timeout.
    """
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in _YES


# Every stand-in handed out in this process (a chapter runs in one kernel), in order: the
# chapter's provenance record carries it, and the book's Sphinx extension turns it into the
# warning box at the top of the page and the build's stand-in summary.
_STANDINS_USED = []


def standins_used():
    """The stand-ins handed out in this process so far: dicts with ``dataset``, ``why`` and
    ``how_to_get`` (a one-line remedy), one per dataset, in the order they were first used."""
    return [dict(entry) for entry in _STANDINS_USED]


def announce_standin(name, why, how_to_get=""):
    """Record that ``name`` is a stand-in and print a banner that cannot be missed.

    Args:
        why: a short reason without file paths (it is shown on the built page).
        how_to_get: a one-line remedy, e.g. "run `make data` with internet access".
    """
    if all(entry["dataset"] != name for entry in _STANDINS_USED):
        _STANDINS_USED.append({"dataset": name, "why": why, "how_to_get": how_to_get})
    lines = [
        f"STAND-IN DATA for {name}: {why}.",
        "This is a deterministic synthetic stand-in of the same shape; results computed "
        f"from it say nothing about the real {name}.",
    ]
    if how_to_get:
        lines.append(f"To get the real data: {how_to_get}.")
    lines.append(f"{STANDIN_ENV}=0 makes a missing dataset an error instead.")
    bar = "!" * 78
    wrapped = [
        "!! " + part
        for line in lines
        for part in textwrap.wrap(line, 75, break_on_hyphens=False)
    ]
    print("\n".join([bar, *wrapped, bar]), file=sys.stdout, flush=True)


def or_standin(load, name, make_standin, how_to_get, allow_standin=None):
    """``load()``, or, if the data cannot be had and stand-ins are allowed, an announced
    ``make_standin()``. ``allow_standin``: None follows ``DLBOOK_STANDIN``."""
    try:
        return load()
    except DataUnavailableError as err:
        allowed = standins_allowed() if allow_standin is None else allow_standin
        if not allowed:
            raise
        announce_standin(name, err.reason, how_to_get)
        return make_standin()


def remedy(files, dataset):
    """The one-line way to get a downloadable dataset, for errors and the warning box."""
    return (
        f"run `make data` with internet access, or copy {files} into "
        f"~/.cache/dlbook/{dataset} (or $DLBOOK_DATA/{dataset})"
    )


# Every file fetch() handed out in this process, with where it came from: `make data`
# prints its table from it.
_FETCHED = []


def fetched_files():
    """The files :func:`fetch` returned so far: dicts with ``dataset``, ``filename``,
    ``origin`` ("cache", "system" or "download"), ``path`` and ``bytes``."""
    return [dict(entry) for entry in _FETCHED]


def _record(dataset, remote, path, origin):
    path = Path(path)
    _FETCHED.append(
        {
            "dataset": dataset,
            "filename": remote.filename,
            "origin": origin,
            "path": str(path),
            "bytes": path.stat().st_size,
        }
    )
    return path


def _verify(path, remote, remedy="Delete it and try again."):
    actual = sha256sum(path)
    if actual not in remote.accepted:
        raise ChecksumError(
            f"{path} has SHA-256 {actual}, expected {remote.sha256}: the file is corrupted "
            f"or not the published {remote.filename}. {remedy}"
        )


def _move_aside(path):
    """Rename a corrupted ``path`` to ``<name>.corrupt`` (replacing an older one)."""
    aside = path.with_name(path.name + ".corrupt")
    os.replace(path, aside)
    return aside


def fetch(remote, dataset, *, system_dirs=(), how_to_get=""):
    """Return a verified local path for ``remote``, downloading it if needed.

    Looks in ``cache_dir()/dataset``, then in ``system_dirs``, then downloads into the cache.
    A cached copy whose SHA-256 does not match is moved aside to ``<name>.corrupt`` (saying
    so) and fetched again: from a system folder, or downloaded unless downloads are off.

    Raises:
        ChecksumError: a corrupted cached copy was moved aside and downloads are off; an
            installed (system) copy is corrupted; or the download is not the published file.
        DataUnavailableError: no copy exists and the download failed (for example offline).
    """
    cached = cache_dir() / dataset / remote.filename
    corrupted = None  # (the moved-aside copy, the checksum error)
    if cached.exists():
        try:
            _verify(cached, remote)
        except ChecksumError as err:
            corrupted = _move_aside(cached), err
            print(
                f"{dataset}: the cached {remote.filename} is corrupted (SHA-256 mismatch); "
                f"moved it aside to {corrupted[0].name}, fetching it again",
                flush=True,
            )
        else:
            return _record(dataset, remote, cached, "cache")
    for folder in system_dirs:
        candidate = Path(folder) / remote.filename
        if candidate.exists():
            _verify(candidate, remote, "Reinstall the package that provides it.")
            return _record(dataset, remote, candidate, "system")
    if corrupted and not downloads_allowed():
        aside, err = corrupted
        raise ChecksumError(
            f"{err} It was moved aside to {aside.name}; downloads are off "
            f"({OFFLINE_ENV}=1), so unset {OFFLINE_ENV} (or run `make data`) to download "
            f"it again from {remote.url}, or copy the published file into {cached.parent}."
        ) from err
    hint = f" {how_to_get}" if how_to_get else ""
    advice = (
        f"{hint} You can also copy the file into {cached.parent}; or unset {STANDIN_ENV} "
        f"(or set {STANDIN_ENV}=1) to run on a labelled synthetic stand-in."
    )
    if not downloads_allowed():
        raise DataUnavailableError(
            f"{dataset}: {remote.filename} is not in the cache ({cached.parent}) and "
            f"downloads are off ({OFFLINE_ENV}=1); unset it to download {remote.url}.{advice}",
            reason=f"not in the data cache, and downloads are off ({OFFLINE_ENV}=1)",
        )
    try:
        path = download(remote.url, cached, remote.sha256, accepted=remote.alt_sha256)
    except (urllib.error.URLError, OSError) as err:
        raise DataUnavailableError(
            f"{dataset}: {remote.filename} is not in the cache ({cached.parent}) and could not "
            f"be downloaded from {remote.url} ({err}).{advice}",
            reason=f"not in the data cache, and downloading it failed ({type(err).__name__})",
        ) from err
    return _record(dataset, remote, path, "download")


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
        os.chmod(tmp, umask_mode(0o777))
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
