"""Verified downloads with plain-text progress lines (no progress bar: see DESIGN.md).

A large download prints a line at each tenth of the file, or every few seconds when the
server does not say how large the file is, so that a built page or a terminal shows that
work is going on without redrawing anything.
"""

import hashlib
import os
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["ChecksumError", "download", "sha256sum", "umask_mode"]

CHUNK = 1 << 18  # 256 KiB: fine enough to report a slow link every few seconds
QUIET_BELOW = 4_000_000  # bytes: smaller files get a start and an end line only
EVERY_SECONDS = 5.0


class ChecksumError(ValueError):
    """A file's SHA-256 does not match the published one."""


def sha256sum(path, chunk_size=1 << 20):
    """Return the hexadecimal SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def umask_mode(mode):
    """``mode`` as the user's umask would leave it (mkstemp/mkdtemp create 0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def _mb(n):
    if n < 1000:
        return f"{n} B"
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


class _Progress:
    """Prints ``name: 40% (65.4 of 163.1 MB, 12.3 MB/s)`` at each tenth, or every 5 s."""

    def __init__(self, name, total, out):
        self.name, self.total, self.out = name, total, out
        self.done, self.start = 0, time.monotonic()
        self.last_time, self.last_tenth = self.start, 0
        self.verbose = total is None or total >= QUIET_BELOW

    def say(self, text):
        if self.out is not None:
            print(text, file=self.out, flush=True)

    def update(self, n):
        self.done += n
        now = time.monotonic()
        if not self.verbose:
            return
        tenth = 10 * self.done // self.total if self.total else 0
        if tenth > self.last_tenth or now - self.last_time >= EVERY_SECONDS:
            self.last_tenth, self.last_time = tenth, now
            rate = self.done / max(now - self.start, 1e-9) / 1e6
            if self.total:
                share = f"{100 * self.done / self.total:3.0f}% ({_mb(self.done)} of "
                self.say(f"  {self.name}: {share}{_mb(self.total)}, {rate:.1f} MB/s)")
            else:
                self.say(f"  {self.name}: {_mb(self.done)} so far, {rate:.1f} MB/s")

    def finish(self):
        seconds = time.monotonic() - self.start
        self.say(f"  {self.name}: {_mb(self.done)} in {seconds:.1f} s, SHA-256 ok")


def download(url, dest, sha256, *, accepted=(), timeout=60, progress=True):
    """Download ``url`` to ``dest``, keeping it only if its SHA-256 is ``sha256``.

    The bytes go to a temporary file in ``dest``'s folder, are verified, then renamed into
    place; on any failure nothing is left behind. With ``progress`` (the default) it prints
    where it downloads from, a line per tenth of a large file (or every 5 s if its size is
    unknown), and a last line once the digest matched.

    Args:
        accepted: other SHA-256 digests to accept (other packagings of the same data).

    Raises:
        ChecksumError: the downloaded bytes are not the published file.
        urllib.error.URLError, OSError: the download failed.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    out = sys.stdout if progress else None
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f, urllib.request.urlopen(url, timeout=timeout) as r:
            length = getattr(r, "headers", {}).get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            size = f" ({_mb(total)})" if total else ""
            host = urllib.parse.urlparse(url).hostname or "a local file"
            meter = _Progress(dest.name, total, out)
            meter.say(f"downloading {dest.name}{size} from {host}")
            while chunk := r.read(CHUNK):
                f.write(chunk)
                meter.update(len(chunk))
        actual = sha256sum(tmp)
        if actual not in {sha256, *accepted}:
            raise ChecksumError(
                f"download of {url} has SHA-256 {actual}, expected {sha256}; "
                "it was discarded (a truncated or tampered transfer). Try again later."
            )
        os.chmod(tmp, umask_mode(0o666))
        os.replace(tmp, dest)
        meter.finish()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest
