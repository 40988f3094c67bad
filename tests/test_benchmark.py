"""Tests of the benchmark script's CNN helpers: parsing, error reporting, table shapes.

Fast and without timing asserts: tiny batches, one repeat, no real torch.compile.
"""

import importlib.util
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark_cnn.py"


@pytest.fixture(scope="module")
def bench():
    """The scripts/benchmark_cnn.py module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("benchmark_cnn", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CPUINFO = "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 {}\n\n"


def test_native_bf16_flags_reads_the_flags_line(bench):
    assert bench.native_bf16_flags(CPUINFO.format("avx512f avx512_bf16")) == ["avx512_bf16"]
    both = bench.native_bf16_flags(CPUINFO.format("amx_bf16 avx512_bf16"))
    assert both == ["avx512_bf16", "amx_bf16"]
    assert bench.native_bf16_flags(CPUINFO.format("avx2 avx512f")) == []
    assert bench.native_bf16_flags("processor : 0\n") == []  # no flags line (not x86)


def test_compare_records_a_failing_job_instead_of_stopping(bench):
    def fails():
        raise RuntimeError("no | compiler")

    errors = {}
    medians = bench.compare({"ok": lambda: None, "bad": fails}, 2, errors=errors)
    assert set(medians) == {"ok"} and medians["ok"] >= 0
    assert errors == {"bad": "RuntimeError: no / compiler"}  # one line, no table pipes
    with pytest.raises(RuntimeError):
        bench.compare({"bad": fails}, 1)


TINY_VARIANTS = {
    "eager NCHW": (False, False, False),
    "channels_last": (True, False, False),
    "channels_last + torch.compile": (True, True, False),
    "channels_last + bf16 autocast": (True, False, True),
}


def test_benchmark_cnn_reports_rates_skips_and_errors(bench, monkeypatch):
    def broken_compile(model):
        raise RuntimeError("compiler missing")

    monkeypatch.setattr(torch, "compile", broken_compile)
    monkeypatch.setattr(bench, "native_bf16_flags", lambda: [])
    results = bench.benchmark_cnn(1, 1, 0, variants=TINY_VARIANTS, batch_size=2)
    assert list(results) == list(TINY_VARIANTS)
    for name in ("eager NCHW", "channels_last"):
        rate, compile_s, error = results[name]
        assert rate > 0 and compile_s is None and error is None
    assert results["channels_last + torch.compile"] == (
        None,
        None,
        "RuntimeError: compiler missing",
    )
    assert results["channels_last + bf16 autocast"][2] == "skipped: no native bf16"

    lines = bench.cnn_table(results, 1, 1, batch_size=2)
    rows = [line for line in lines if line.startswith("| ")]
    assert len(rows) == 1 + len(TINY_VARIANTS)  # header + one row per variant
    assert "| eager NCHW |" in rows[1] and "| 1.00x |" in rows[1]
    assert "5,852,170 parameters" in "\n".join(lines)
    assert any("skipped: no native bf16" in row for row in rows)


def test_benchmark_cnn_compile_time_column(bench, monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda model: model)  # stands in for compile
    variants = {"base": (False, False, False), "compiled": (False, True, False)}
    results = bench.benchmark_cnn(1, 1, 0, variants=variants, batch_size=2)
    assert results["base"][1] is None and results["compiled"][1] >= 0.0
    row = bench.cnn_table(results, 1, 1, batch_size=2)[-1]
    assert row.startswith("| compiled |") and row.count("|") == 5


def test_benchmark_convs_checks_and_tabulates(bench):
    shapes = [(2, 3, 4, 5), (1, 4, 2, 3)]
    results = bench.benchmark_convs(1, 0, shapes=shapes, iters=1)
    assert list(results) == shapes
    for times in results.values():
        assert set(times) == {"conv2d (im2col)", "F.conv2d"}
        assert all(t > 0 for t in times.values())
    rows = [
        line for line in bench.conv_table(results, 1, iters=1) if line.startswith("| (")
    ]
    assert rows[0].startswith("| (2, 3 -> 4, 5 x 5) |") and rows[0].endswith("x |")
