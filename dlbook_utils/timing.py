"""An honest timer: warm-up calls, device synchronisation, the median of repeats.

Three rules make a timing worth reporting (chapter 15 teaches them): run the job a few
times untimed first (the first call pays for memory allocation, caches, kernel selection
or compilation); wait for the device before reading the clock (CUDA kernels run
asynchronously, so without ``torch.cuda.synchronize`` the clock measures only the
launch); and report the median of several repeats with their spread, since one run on a
shared machine says little. :func:`compare` times several jobs *interleaved*, one call of
each per round, so that a slow spell of the machine hits every job alike, and gives
their ratios round by round. The clock is an argument, so that tests can use a fake one.
"""

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

__all__ = [
    "Timing", "Comparison", "synchronize", "seconds", "measure", "compare",
    "native_bf16_flags",
]  # fmt: skip

BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # /proc/cpuinfo flags of native bf16 support


@dataclass(frozen=True)
class Timing:
    """The seconds of one job's timed repeats (in order) and of its untimed warm-ups."""

    name: str
    times: tuple
    warmup: tuple = ()

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def min(self):
        return min(self.times)

    @property
    def max(self):
        return max(self.times)

    def rate(self, items):
        """Items per second at the median time, e.g. images/s for a batch of ``items``."""
        return items / self.median

    def __str__(self):
        ms = [1000 * t for t in (self.median, self.min, self.max)]
        return (
            f"{self.name}: median {ms[0]:.3g} ms of {len(self.times)} "
            f"(min {ms[1]:.3g}, max {ms[2]:.3g})"
        )


@dataclass(frozen=True)
class Comparison:
    """Interleaved timings of several jobs, and the jobs that failed (name -> error)."""

    timings: dict
    errors: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.timings[name]

    def medians(self):
        """Return {job name: median seconds} for the jobs that ran."""
        return {name: t.median for name, t in self.timings.items()}

    def ratio(self, name, baseline):
        """Median over rounds of time(name) / time(baseline), measured side by side."""
        pairs = zip(self.timings[name].times, self.timings[baseline].times, strict=True)
        return statistics.median(a / b for a, b in pairs)


def synchronize(device=None):
    """Wait until every kernel queued on ``device`` has finished (a no-op on the CPU)."""
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def seconds(job, device=None, clock=time.perf_counter):
    """Return the seconds one call of ``job()`` takes, the device's work included."""
    synchronize(device)  # work queued earlier must not land in our interval
    start = clock()
    job()
    synchronize(device)  # job's kernels may still be running: wait for them
    return clock() - start


def measure(job, repeats=5, warmup=1, device=None, name="job", clock=time.perf_counter):
    """Time ``job()``: ``warmup`` untimed calls, then ``repeats`` timed ones.

    Returns a :class:`Timing` (``.median``, ``.min``, ``.max``, ``.rate(items)``).
    """
    _check_counts(repeats, warmup)
    warm = tuple(seconds(job, device, clock) for _ in range(warmup))
    times = tuple(seconds(job, device, clock) for _ in range(repeats))
    return Timing(name, times, warm)


def compare(jobs, repeats=5, warmup=1, device=None, keep_going=False,
            clock=time.perf_counter):  # fmt: skip
    """Time ``jobs`` ({name: callable}) interleaved: one call of each per round.

    The first ``warmup`` rounds are untimed. With ``keep_going``, a job that raises is
    dropped and its error kept (one line) in ``Comparison.errors``; otherwise the
    error propagates. Returns a :class:`Comparison`.
    """
    _check_counts(repeats, warmup)
    live = dict(jobs)
    times = {name: [] for name in jobs}
    errors = {}
    for _round in range(warmup + repeats):
        for name, job in list(live.items()):
            try:
                elapsed = seconds(job, device, clock)
            except Exception as exc:  # e.g. torch.compile failing: report, go on
                if not keep_going:
                    raise
                errors[name] = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
                del live[name]
                continue
            times[name].append(elapsed)
    timings = {
        name: Timing(name, tuple(times[name][warmup:]), tuple(times[name][:warmup]))
        for name in live
    }
    return Comparison(timings, errors)


def native_bf16_flags(cpuinfo=None):
    """Return the CPU flags of native bf16 support found in /proc/cpuinfo (or ``cpuinfo``).

    An empty list means no native bf16, or not Linux: bf16 autocast then runs emulated,
    often many times slower than float32, so it is worth measuring only where the list
    is not empty.
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            return [flag for flag in BF16_FLAGS if flag in flags]
    return []


def _check_counts(repeats, warmup):
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    if not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be a non-negative integer, got {warmup!r}")
