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
