"""Tests of dlbook_utils.timing with a fake clock: no assert ever reads the wall clock."""

import pytest
import torch

from dlbook_utils import timing


class FakeClock:
    """A clock that stands still until a job made by ``job`` advances it."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def job(self, durations):
        """A job whose successive calls take the given durations (in seconds)."""
        it = iter(durations)

        def run():
            self.now += next(it)

        return run


def test_measure_separates_warmup_and_takes_the_median():
    clock = FakeClock()
    job = clock.job([5.0, 1.0, 3.0, 2.0, 100.0, 2.5])  # a slow first call, one outlier
    t = timing.measure(job, repeats=5, warmup=1, name="matmul", clock=clock)
    assert t.warmup == (5.0,) and t.times == (1.0, 3.0, 2.0, 100.0, 2.5)
    assert t.median == 2.5 and t.min == 1.0 and t.max == 100.0
    assert t.rate(10) == 4.0  # 10 items in 2.5 s
    assert str(t) == "matmul: median 2.5e+03 ms of 5 (min 1e+03, max 1e+05)"


def test_seconds_synchronizes_a_cuda_device_before_and_after(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: calls.append(1))
    clock = FakeClock()
    assert timing.seconds(clock.job([0.5]), device="cuda", clock=clock) == 0.5
    assert len(calls) == 2
    timing.seconds(clock.job([0.5]), device="cpu", clock=clock)
    timing.seconds(clock.job([0.5]), device=None, clock=clock)
    assert len(calls) == 2  # no synchronisation on the CPU


def test_compare_interleaves_rounds_and_gives_side_by_side_ratios():
    clock = FakeClock()
    order = []

    def job(name, durations):
        run = clock.job(durations)

        def logged():
            order.append(name)
            run()

        return logged

    # the machine slows down in round 3 (x10): the per-round ratio stays 2
    jobs = {"a": job("a", [9, 1, 1, 10]), "b": job("b", [9, 2, 2, 20])}
    result = timing.compare(jobs, repeats=3, warmup=1, clock=clock)
    assert order == ["a", "b"] * 4
    assert result["a"].times == (1, 1, 10) and result["a"].warmup == (9,)
    assert result.medians() == {"a": 1, "b": 2}
    assert result.ratio("b", "a") == 2.0 and result.ratio("a", "b") == 0.5


def test_compare_keeps_going_past_a_failing_job_only_when_asked():
    def fails():
        raise RuntimeError("no\ncompiler")

    clock = FakeClock()
    result = timing.compare(
        {"ok": clock.job([1.0] * 3), "bad": fails}, repeats=2, keep_going=True, clock=clock
    )
    assert set(result.timings) == {"ok"} and result["ok"].times == (1.0, 1.0)
    assert result.errors == {"bad": "RuntimeError: no compiler"}  # one line
    with pytest.raises(RuntimeError, match="compiler"):
        timing.compare({"bad": fails}, repeats=1)


@pytest.mark.parametrize("repeats, warmup", [(0, 1), (2.0, 1), (3, -1)])
def test_bad_counts_are_refused_with_a_clear_error(repeats, warmup):
    with pytest.raises(ValueError, match="repeats|warmup"):
        timing.measure(lambda: None, repeats=repeats, warmup=warmup)


CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 {}\n\n"


def test_native_bf16_flags():
    assert timing.native_bf16_flags(CPUINFO.format("avx512_bf16 amx_bf16")) == [
        "avx512_bf16",
        "amx_bf16",
    ]
    assert timing.native_bf16_flags(CPUINFO.format("avx2")) == []
    assert timing.native_bf16_flags("processor : 0\n") == []
