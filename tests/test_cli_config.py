"""The training program's configuration and command line (dlbook_utils.cli, chapter 16)."""

import subprocess
import sys
from dataclasses import asdict

import pytest

from dlbook_utils.cli import CONFIG_DIR
from dlbook_utils.cli.__main__ import main
from dlbook_utils.cli.config import (
    Config,
    ConfigError,
    apply_override,
    config_from_dict,
    load_config,
    override,
    parse_value,
)

QUICK = CONFIG_DIR / "quick.toml"
FULL = CONFIG_DIR / "fashion_mnist.toml"


def cli(*args, cwd=None):
    """Run the program in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "dlbook_utils.cli", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )  # fmt: skip


def test_shipped_configs_load():
    full, quick = load_config(FULL), load_config(QUICK)
    assert (full.model.hidden, full.data.n_train, full.data.n_val) == (256, 55_000, 5_000)
    assert full.optim.lr == 1e-3 and full.train.deterministic is True
    assert isinstance(full.optim.lr, float) and isinstance(full.data.batch_size, int)
    assert quick.train.device == "cpu" and quick.model.dropout > 0
    # Keys a file leaves out keep their defaults.
    assert quick.optim == Config().optim


def test_missing_sections_take_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[train]\nepochs = 2\n[optim]\nlr = 1\n")
    config = load_config(path)
    assert config.train.epochs == 2 and config.model == Config().model
    assert config.optim.lr == 1.0 and isinstance(config.optim.lr, float)  # int -> float


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [("3", int, 3), ("1e-3", float, 1e-3), ("2", float, 2.0), ("true", bool, True),
     ("False", bool, False), ("cpu", str, "cpu")],
)  # fmt: skip
def test_parse_value(text, kind, expected):
    value = parse_value(text, kind)
    assert value == expected and type(value) is kind


@pytest.mark.parametrize(("text", "kind"), [("2.5", int), ("fast", float), ("yes", bool)])
def test_parse_value_rejects(text, kind):
    with pytest.raises(ValueError):
        parse_value(text, kind)


def test_overrides_in_order_and_nested():
    config = load_config(QUICK, ["train.epochs=7", "optim.lr=0.01", "train.epochs=9",
                                 "train.deterministic=false", "run.name=other"])  # fmt: skip
    assert config.train.epochs == 9 and config.optim.lr == 0.01
    assert config.train.deterministic is False and config.run.name == "other"
    plain = Config()
    apply_override(plain, "model.hidden=64")  # the core, as the chapter shows it
    assert plain.model.hidden == 64
    assert override(Config(), " data.batch_size = 32 ").data.batch_size == 32


def test_config_round_trips_through_a_dict():
    config = load_config(QUICK, ["optim.scheduler=none"])
    assert config_from_dict(asdict(config)) == config


@pytest.mark.parametrize(
    ("assignment", "words"),
    [("optim.lrr=1", "unknown key 'optim.lrr'"), ("optimiser.lr=1", "unknown key"),
     ("train.epochs=2.5", "expected an int, got '2.5'"), ("optim.lr=fast", "a float"),
     ("train.deterministic=yes", "a bool"), ("train.epochs", "section.key=value"),
     ("train.epochs=0", "train.epochs must be >= 1"), ("model.dropout=1", "[0, 1)"),
     ("optim.scheduler=step", "cosine or none"), ("data.n_train=60000", "60,000"),
     ("optim", "section.key=value"), ("train=3", "unknown key 'train'")],
)  # fmt: skip
def test_bad_overrides_are_one_line_errors(assignment, words):
    with pytest.raises(ConfigError) as info:
        load_config(QUICK, [assignment])
    message = str(info.value)
    assert words in message and "\n" not in message, message


@pytest.mark.parametrize(
    ("toml", "words"),
    [("[optim]\nlrr = 1\n", "unknown key 'optim.lrr'"),
     ("[model]\nhidden = '256'\n", "model.hidden in"),
     ("[model]\nhidden = 2.5\n", "expected an int, got float"),
     ("[train]\nepochs = true\n", "expected an int, got bool"),
     ("[train]\ndeterministic = 1\n", "expected a bool"),
     ("epochs = 3\n", "unknown key 'epochs'"),
     ("[train\n", "not valid TOML")],
)  # fmt: skip
def test_bad_files_are_one_line_errors(tmp_path, toml, words):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert words in str(info.value) and "\n" not in str(info.value), str(info.value)


def test_main_reports_errors_without_traceback(tmp_path, capsys):
    assert main(["train", "--config", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: config file not found") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [(["train", "--config", "missing.toml"], "config file not found: missing.toml"),
     (["train", "--config", str(QUICK), "--set", "optim.lrr=1"], "unknown key"),
     (["train", "--config", str(QUICK), "--set", "train.epochs=two"], "an int"),
     (["fly"], "invalid choice: 'fly'"),
     (["train"], "--config"),
     (["train", "--config", str(QUICK), "--bogus"], "unrecognized arguments")],
)  # fmt: skip
def test_command_line_errors(tmp_path, args, words):
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done
    assert done.stderr.startswith("error: ") and words in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()  # nothing was started


def test_help_lists_the_commands():
    done = cli("--help")
    assert done.returncode == 0
    assert all(word in done.stdout for word in ("train", "resume", "evaluate"))
    done = cli("train", "--help")
    assert "--set" in done.stdout and "--stop-after" in done.stdout
