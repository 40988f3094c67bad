"""Resuming the training program equals a run that never stopped (dlbook_utils.cli, ch. 16).

The runs are tiny (quick.toml, with a smaller subset) so that the file takes seconds on one
CPU core; they run in this process through ``main`` except where the point is the
interpreter's exit status and stderr.
"""

import json
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlbook_utils.cli import CONFIG_DIR
from dlbook_utils.cli.__main__ import main
from dlbook_utils.cli.checkpoint import (
    FORMAT,
    CheckpointError,
    load_checkpoint,
    rng_states,
    set_rng_states,
)

EPOCHS, STOP = 3, 1
TINY = ["--set", "data.n_train=512", "--set", "data.n_val=128", "--set", "data.n_test=128",
        "--set", f"train.epochs={EPOCHS}"]  # fmt: skip


def train(out_dir, name, *extra):
    args = ["train", "--config", str(CONFIG_DIR / "quick.toml"), *TINY,
            "--set", f"run.out_dir={out_dir}", "--set", f"run.name={name}", *extra]  # fmt: skip
    assert main(args) == 0
    return out_dir / name


def metrics(run_dir):
    """The metrics file, without the wall-clock seconds (the only field that may differ)."""
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().split("\n")
            if line]  # fmt: skip
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One uninterrupted run, and one stopped after epoch STOP and resumed."""
    out = tmp_path_factory.mktemp("runs")
    whole = train(out, "whole")
    parts = train(out, "parts", "--stop-after", str(STOP))
    stopped = load_checkpoint(parts / "checkpoint.pt")
    assert stopped["epoch"] == STOP and not (parts / "results.json").exists()
    assert main(["resume", "--checkpoint", str(parts / "checkpoint.pt")]) == 0
    return whole, parts, stopped


def test_resume_equals_an_uninterrupted_run(runs):
    whole, parts, _ = runs
    a = load_checkpoint(whole / "checkpoint.pt")
    b = load_checkpoint(parts / "checkpoint.pt")
    assert a["epoch"] == b["epoch"] == EPOCHS
    assert a["model"].keys() == b["model"].keys()
    for name in a["model"]:
        assert torch.equal(a["model"][name], b["model"][name]), name  # bit for bit
    for sa, sb in zip(a["optimizer"]["state"].values(), b["optimizer"]["state"].values(),
                      strict=True):  # fmt: skip
        assert all(torch.equal(sa[k], sb[k]) for k in ("exp_avg", "exp_avg_sq", "step"))
    assert a["scheduler"] == b["scheduler"]
    assert torch.equal(a["data_generator"], b["data_generator"])
    assert metrics(whole) == metrics(parts) and len(metrics(whole)) == EPOCHS
    ra, rb = (json.loads((d / "results.json").read_text()) for d in (whole, parts))
    assert ra == rb and ra["test_acc"] > 0.3  # better than chance (0.1) after 3 epochs


def test_stopping_really_stopped(runs):
    _, _, stopped = runs
    assert len(stopped["history"]) == STOP
    assert stopped["scheduler"]["last_epoch"] == STOP


def test_checkpoint_holds_everything_as_plain_types(runs):
    whole, _, _ = runs
    state = load_checkpoint(whole / "checkpoint.pt")  # weights_only=True inside
    assert state["format"] == FORMAT
    assert set(state) >= {"model", "optimizer", "scheduler", "epoch", "data_generator",
                          "rng", "config", "history"}  # fmt: skip
    assert set(state["rng"]) >= {"torch", "numpy", "random"}
    assert state["config"]["train"]["epochs"] == EPOCHS
    assert json.loads((whole / "config.json").read_text()) == state["config"]
    assert "epoch 3/3" in (whole / "train.log").read_text()


def test_rng_states_round_trip():
    saved = rng_states()
    first = (torch.rand(3), np.random.rand(3), random.random())  # noqa: NPY002
    set_rng_states(saved)
    again = (torch.rand(3), np.random.rand(3), random.random())  # noqa: NPY002
    assert torch.equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert first[2] == again[2]


def test_bad_checkpoints_are_one_line_errors(runs, tmp_path):
    whole, _, _ = runs
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weight": torch.zeros(2)}, foreign)
    for path, words in [(garbage, "cannot read"), (foreign, "not a checkpoint of this"),
                        (tmp_path / "none.pt", "not found")]:  # fmt: skip
        with pytest.raises(CheckpointError, match=words):
            load_checkpoint(path)
    # Through the interpreter: a checkpoint of another model (hidden 32 vs 256).
    done = subprocess.run(
        [sys.executable, "-m", "dlbook_utils.cli", "evaluate", "--checkpoint",
         str(whole / "checkpoint.pt"), "--config", str(CONFIG_DIR / "fashion_mnist.toml")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done
    assert done.stderr.startswith("error: ") and "holds another model" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_resume_of_a_foreign_file_and_existing_run(runs, tmp_path, capsys):
    whole, _, _ = runs
    foreign = tmp_path / "foreign.pt"
    torch.save({"weight": torch.zeros(2)}, foreign)
    assert main(["resume", "--checkpoint", str(foreign)]) == 2
    assert (
        main(
            [
                "train",
                "--config",
                str(CONFIG_DIR / "quick.toml"),
                "--set",
                f"run.out_dir={whole.parent}",
                "--set",
                "run.name=whole",
            ]
        )
        == 2
    )
    lines = capsys.readouterr().err.strip().split("\n")
    assert len(lines) == 2 and "not a checkpoint" in lines[0]
    assert "already holds a run" in lines[1]
