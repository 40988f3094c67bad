"""What produced a page: profile, device, data, versions, run time, commit, headline numbers.

A chapter creates a :class:`ChapterRun` in its setup cell, calls :meth:`ChapterRun.record`
for every headline number it reports, and ends with :meth:`ChapterRun.finish`, whose output
is the page's provenance line. That output carries the records as metadata, which the book's
Sphinx extension gathers into the results ledger: no number is typed into the ledger by hand.
The record also lists the stand-ins the chapter's kernel handed out
(:func:`dlbook_utils.data._store.standins_used`): the extension turns them into a warning
box at the top of the page and a mark on the page's ledger rows.
"""

import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .profile import budget_in_force, get_profile

__all__ = [
    "LEDGER_KEY", "LedgerEntry", "ChapterRun", "git_commit", "cpu_name", "machine_summary",
    "gpu_name", "provenance_line",
]  # fmt: skip

# Key under which finish() attaches its records to the output's metadata.
LEDGER_KEY = "dlbook_ledger"


@dataclass(frozen=True)
class LedgerEntry:
    """One headline number: what was measured, its value, and what it cost."""

    metric: str
    value: float
    model: str = ""
    params: int | None = None
    seconds: float | None = None  # kept in the record; the ledger does not show it
    note: str = ""


def git_commit(cwd=None):
    """Short hash of the checked-out commit, ``+dirty`` if the tree has changes, or
    ``DLBOOK_COMMIT`` if set (builds from an archive have no ``.git``)."""
    if os.environ.get("DLBOOK_COMMIT"):
        return os.environ["DLBOOK_COMMIT"]
    try:
        run = dict(cwd=cwd, capture_output=True, text=True, timeout=10, check=True)
        head = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], **run
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], **run
        )
        return head + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_name():
    """The CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_summary():
    """One line describing this machine: CPU, cores, GPU if any, OS."""
    import torch

    parts = [f"{cpu_name()} ({os.cpu_count()} logical cores)"]
    if torch.cuda.is_available():
        parts.append(f"GPU {torch.cuda.get_device_name(0)}")
    parts.append(f"{platform.system()} {platform.release()}")
    return ", ".join(parts)


def gpu_name(device):
    """The GPU's model name if ``device`` is a CUDA device (``"NVIDIA H200"``), else ``None``."""
    import torch

    device = torch.device(device)
    if device.type != "cuda" or not torch.cuda.is_available():
        return None
    return torch.cuda.get_device_name(device)


def provenance_line(s):
    """The sentence ``finish`` shows, from a :meth:`ChapterRun.summary` dict."""
    if s["standins"]:
        names = ", ".join(entry["dataset"] for entry in s["standins"])
        data = f"on stand-in data for {names}"
    else:
        data = "on real data"
    # "full (GPU budget)" -> "`full` profile (GPU budget)"
    budget = s["budget"].replace(s["profile"], f"`{s['profile']}` profile", 1)
    device = f"`{s['device']}`" + (f" ({s['gpu']})" if s["gpu"] else "")
    # The time runs from the setup cell's ChapterRun to finish(): the chapter's own code.
    # The execution-statistics page times the whole notebook, kernel start-up included.
    return (
        f"**Provenance.** This page was executed {data}, in the {budget}, on {device} "
        f"of a machine with {s['machine']}, with torch {s['torch']} and Python "
        f"{s['python']}, from commit `{s['commit']}` on {s['date']}. Its code ran for "
        f"{s['seconds']:.1f} s, from the setup cell to this line (kernel start-up and the "
        "setup cell's imports not counted)."
    )


@dataclass
class ChapterRun:
    """The execution record of one chapter: create it first, ``finish()`` it last."""

    chapter: str
    device: str = "cpu"
    started: float = field(default_factory=time.perf_counter)
    entries: list = field(default_factory=list)

    def __post_init__(self):
        self.profile = get_profile()
        self.device = str(self.device)

    def record(self, metric, value, *, model="", params=None, seconds=None, note=""):
        """Add a headline number to the results ledger; return ``value`` unchanged."""
        entry = LedgerEntry(
            metric, float(value), model,
            None if params is None else int(params),
            None if seconds is None else float(seconds), note,
        )  # fmt: skip
        self.entries.append(entry)
        return value

    @property
    def seconds(self):
        """Seconds since this run was created (in the setup cell, after the imports)."""
        return time.perf_counter() - self.started

    def summary(self):
        """The provenance record as a plain dict (what ``finish`` attaches to its output).

        ``standins`` lists the stand-ins this kernel handed out, as dicts with ``dataset``,
        ``why`` and ``how_to_get``; ``data`` is ``"stand-in"`` if there is any, else
        ``"real"``; ``gpu`` is the GPU's model name when the device is CUDA, else ``None``.
        """
        import torch

        from .data._store import standins_used

        standins = standins_used()
        return {
            "chapter": self.chapter,
            "profile": self.profile,
            "budget": budget_in_force(profile=self.profile, device=self.device),
            "device": self.device,
            "gpu": gpu_name(self.device),
            "data": "stand-in" if standins else "real",
            "standins": standins,
            "torch": torch.__version__,
            "python": platform.python_version(),
            "seconds": round(self.seconds, 1),
            "commit": git_commit(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "machine": machine_summary(),
            "entries": [asdict(e) for e in self.entries],
        }

    def finish(self):
        """Display the provenance line, carrying the ledger records in its metadata."""
        from IPython.display import Markdown, display

        s = self.summary()
        display(Markdown(provenance_line(s)), metadata={LEDGER_KEY: s})
        return s
