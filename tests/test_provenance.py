import json

import pytest

from dlbook_utils import provenance
from dlbook_utils.sphinxext import ledger_records


def test_record_returns_the_value_and_keeps_an_entry(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    run = provenance.ChapterRun("2. Test", device="cpu")
    assert run.record("accuracy", 0.9, model="MLP", params=10, seconds=1.5) == 0.9
    summary = run.summary()
    assert summary["profile"] == "quick" and summary["chapter"] == "2. Test"
    assert summary["entries"] == [
        dict(metric="accuracy", value=0.9, model="MLP", params=10, seconds=1.5, note="")
    ]
    json.dumps(summary)  # it travels in notebook metadata: must be JSON


def test_unknown_profile_is_an_error(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "fast")
    with pytest.raises(ValueError, match="quick, full"):
        provenance.ChapterRun("x")


def test_git_commit_override_and_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_COMMIT", "abc123")
    assert provenance.git_commit() == "abc123"
    monkeypatch.delenv("DLBOOK_COMMIT")
    assert provenance.git_commit(cwd=tmp_path) == "unknown"  # not a repository


def test_finish_attaches_the_record_to_its_output(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "IPython.display.display", lambda obj, metadata: shown.append(metadata)
    )
    run = provenance.ChapterRun("2. Test")
    run.record("loss", 0.25)
    summary = run.finish()
    assert shown == [{provenance.LEDGER_KEY: summary}]


def test_ledger_records_are_read_from_executed_notebooks(tmp_path):
    record = {"chapter": "2. Test", "profile": "quick", "device": "cpu",
              "entries": [{"metric": "accuracy", "value": 0.9}]}  # fmt: skip
    notebook = {"cells": [
        {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "hi"}]},
        {"cell_type": "code", "outputs": [
            {"output_type": "display_data", "metadata": {provenance.LEDGER_KEY: record}}
        ]},
    ]}  # fmt: skip
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "02_test.ipynb").write_text(json.dumps(notebook))
    (records,) = ledger_records(tmp_path)
    assert records["docname"] == "chapters/02_test"
    assert records["entries"][0]["value"] == 0.9


@pytest.fixture
def registry(monkeypatch):
    """An empty stand-in registry for this test (the process-wide one is shared)."""
    from dlbook_utils.data import _store

    monkeypatch.setattr(_store, "_STANDINS_USED", [])
    return _store


def test_a_run_on_real_data_says_so(registry, monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    s = provenance.ChapterRun("2. Test", device="cpu").summary()
    assert s["data"] == "real" and s["standins"] == []
    assert s["budget"] == "quick" and s["gpu"] is None
    line = provenance.provenance_line(s)
    assert "executed on real data, in the `quick` profile, on `cpu` of a machine" in line
    assert "stand-in" not in line
    # What the time measures, so that it does not seem to contradict the execution table.
    assert (
        f"Its code ran for {s['seconds']:.1f} s, from the setup cell to this line" in line
    )
    assert "kernel start-up" in line


def test_a_run_on_standins_lists_them(registry, monkeypatch):
    run = provenance.ChapterRun("8. Test", device="cpu")  # full profile, on the CPU
    registry.announce_standin("cifar10", "offline", "run `make data`")
    registry.announce_standin("imdb", "no file", "")
    registry.announce_standin("cifar10", "offline again", "")  # once per dataset
    s = run.summary()
    assert s["data"] == "stand-in"
    assert s["standins"] == [
        {"dataset": "cifar10", "why": "offline", "how_to_get": "run `make data`"},
        {"dataset": "imdb", "why": "no file", "how_to_get": ""},
    ]
    assert s["budget"] == "full (CPU budget)"
    json.dumps(s)
    line = provenance.provenance_line(s)
    assert (
        "executed on stand-in data for cifar10, imdb, in the `full` profile (CPU " in line
    )


def test_the_record_finish_attaches_lists_the_standins(registry, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "IPython.display.display", lambda obj, metadata: shown.append((obj, metadata))
    )
    run = provenance.ChapterRun("8. Test")
    registry.announce_standin("cifar10", "offline", "run `make data`")
    summary = run.finish()
    ((markdown, metadata),) = shown
    assert metadata[provenance.LEDGER_KEY]["standins"][0]["dataset"] == "cifar10"
    assert summary["data"] == "stand-in"
    assert "on stand-in data for cifar10" in markdown.data


def test_cuda_runs_name_the_gpu_model(registry, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")
    from dlbook_utils import profile

    monkeypatch.setattr(profile, "_GPU_BUDGET_USED", False)
    s = provenance.ChapterRun("9. Test", device=torch.device("cuda")).summary()
    assert s["budget"] == "full (CPU budget on CUDA: no GPU budget declared)"
    profile.pick(quick=1, full=2, gpu=3)  # the budgets cell declares a GPU budget
    s = provenance.ChapterRun("9. Test", device=torch.device("cuda")).summary()
    assert s["device"] == "cuda" and s["gpu"] == "NVIDIA H200"
    assert s["budget"] == "full (GPU budget)"
    line = provenance.provenance_line(s)
    assert "in the `full` profile (GPU budget), on `cuda` (NVIDIA H200) of a" in line
    assert provenance.gpu_name("cpu") is None


def test_gpu_name_without_cuda(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert provenance.gpu_name("cuda") is None and provenance.gpu_name("cpu") is None
