"""The training program's typed configuration: dataclasses read from TOML (chapter 16).

A configuration file has one TOML table per section (``[data]``, ``[model]``, ...); every key
is optional and takes its default from the dataclasses below. ``--set section.key=value``
overrides one value from the command line, parsed to the field's type. Every mistake (an
unknown key, a wrong type, a value out of range, a missing file) raises :class:`ConfigError`
with a one-line message that names the key and says what was expected.
"""

import tomllib
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path

__all__ = [
    "InputError", "ConfigError", "DataConfig", "ModelConfig", "OptimConfig", "TrainConfig",
    "RunConfig", "Config", "parse_value", "apply_override", "override", "config_from_dict",
    "config_to_dict", "load_config", "validate",
]  # fmt: skip


class InputError(ValueError):
    """Bad input from the user, not a bug: one line, fit to print after ``error:``."""


class ConfigError(InputError):
    """A bad configuration file or ``--set`` override."""


@dataclass
class DataConfig:
    """Which Fashion-MNIST images a run uses, and the batch size."""

    n_train: int = 55_000  # training images, from what the validation split leaves
    n_val: int = 5_000  # validation images, carved from the 60,000 training images
    n_test: int = 10_000  # test images, evaluated once at the end of the run
    batch_size: int = 128


@dataclass
class ModelConfig:
    """The chapter-2 MLP, 784 -> hidden -> 10, with optional dropout on the hidden layer."""

    hidden: int = 256
    dropout: float = 0.0


@dataclass
class OptimConfig:
    """Adam and its learning-rate schedule."""

    lr: float = 1e-3
    weight_decay: float = 0.0
    scheduler: str = "cosine"  # "cosine" (to zero over the epochs) or "none"


@dataclass
class TrainConfig:
    """How long to train, from which seed, where, and how deterministically."""

    epochs: int = 5
    seed: int = 0
    device: str = "auto"  # "auto" (train.get_device), "cpu", "cuda" or "mps"
    deterministic: bool = True  # torch.use_deterministic_algorithms(True)
    threads: int = 0  # torch.set_num_threads; 0 keeps torch's default


@dataclass
class RunConfig:
    """Where a run writes its log, metrics and checkpoint: ``out_dir/name``."""

    out_dir: str = "runs"
    name: str = "fashion_mnist"


@dataclass
class Config:
    """The whole configuration, one dataclass per TOML section."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    run: RunConfig = field(default_factory=RunConfig)


def parse_value(text, kind):
    """Turn the text of an override into a value of type ``kind``."""
    if kind is bool:  # bool("false") is True: compare the words instead
        if text.lower() not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text.lower() == "true"
    return kind(text)  # int("2.5") and float("fast") raise ValueError


def apply_override(config, assignment):
    """Set one ``section.key=value`` in a nested dataclass, parsed to the field's type."""
    path, _, text = assignment.partition("=")
    *sections, key = path.split(".")
    target = config
    for section in sections:  # walk down the nested dataclasses
        target = getattr(target, section)
    kind = {f.name: f.type for f in fields(target)}[key]
    setattr(target, key, parse_value(text, kind))


def _keys(obj, prefix=""):
    """Every dotted key of a nested dataclass, with its type: {"optim.lr": float, ...}."""
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            out.update(_keys(value, f"{prefix}{f.name}."))
        else:
            out[prefix + f.name] = f.type
    return out


def _a(kind):
    """ "an int", "a float": the type's name with its article, for messages."""
    return ("an " if kind.__name__[0] in "aeiou" else "a ") + kind.__name__


def _unknown(path, known, where=""):
    """A ConfigError for an unknown key, listing the keys of its section (or the sections)."""
    close = sorted(k for k in known if k.split(".")[0] == path.split(".")[0]) or sorted(
        k.split(".")[0] for k in known
    )
    expected = ", ".join(dict.fromkeys(close))
    return ConfigError(f"unknown key {path!r}{where}: expected one of {expected}")


def override(config, assignment):
    """Apply ``section.key=value`` to ``config`` after checking key and type; return it."""
    path, equals, text = assignment.partition("=")
    path, text = path.strip(), text.strip()
    if not equals or not path:
        raise ConfigError(f"--set expects section.key=value, got {assignment!r}")
    known = _keys(config)
    if path not in known:
        raise _unknown(path, known, " in --set")
    try:
        apply_override(config, f"{path}={text}")
    except ValueError:
        raise ConfigError(
            f"--set {path}: expected {_a(known[path])}, got {text!r}"
        ) from None
    return config


def _typed(value, kind):
    """``value`` from TOML if it has type ``kind`` (an int is a float too), else None."""
    if isinstance(value, bool) != (kind is bool):  # True is an int in Python
        return None
    if kind is float and isinstance(value, int):
        return float(value)
    return value if isinstance(value, kind) else None


def config_from_dict(raw, where="the configuration"):
    """A :class:`Config` from nested dicts (TOML tables or a checkpoint's copy)."""
    config = Config()
    known = _keys(config)
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise _unknown(section, known, f" in {where} (keys live in [sections])")
        for key, value in table.items():
            path = f"{section}.{key}"
            if path not in known:
                raise _unknown(path, known, f" in {where}")
            typed = _typed(value, known[path])
            if typed is None:
                kind, got = _a(known[path]), type(value).__name__
                raise ConfigError(
                    f"{path} in {where}: expected {kind}, got {got} {value!r}"
                )
            setattr(getattr(config, section), key, typed)
    return config


def config_to_dict(config):
    """Nested dicts of plain values: for a checkpoint, a JSON file or TOML."""
    return asdict(config)


def validate(config):
    """Raise :class:`ConfigError` unless every value is in its range; return ``config``."""
    c = config
    counts = {"data.n_train": c.data.n_train, "data.n_val": c.data.n_val,
              "data.n_test": c.data.n_test, "data.batch_size": c.data.batch_size,
              "model.hidden": c.model.hidden, "train.epochs": c.train.epochs}  # fmt: skip
    for path, value in counts.items():
        if value < 1:
            raise ConfigError(f"{path} must be >= 1, got {value}")
    if c.data.n_train + c.data.n_val > 60_000 or c.data.n_test > 10_000:
        raise ConfigError("Fashion-MNIST has 60,000 training and 10,000 test images: "
                          f"got n_train + n_val = {c.data.n_train + c.data.n_val}, "
                          f"n_test = {c.data.n_test}")  # fmt: skip
    checks = [
        (0.0 <= c.model.dropout < 1.0, "model.dropout must be in [0, 1)"),
        (c.optim.lr > 0, "optim.lr must be > 0"),
        (c.optim.weight_decay >= 0, "optim.weight_decay must be >= 0"),
        (c.optim.scheduler in ("cosine", "none"), "optim.scheduler must be cosine or none"),
        (c.train.device in ("auto", "cpu", "cuda", "mps"),
         "train.device must be auto, cpu, cuda or mps"),
        (c.train.threads >= 0, "train.threads must be >= 0"),
        (bool(c.run.name) and "/" not in c.run.name, "run.name must be a folder name"),
    ]  # fmt: skip
    for ok, message in checks:
        if not ok:  # the message starts with the key: show what it holds
            key = message.split()[0]
            got = getattr(getattr(c, key.split(".")[0]), key.split(".")[1])
            raise ConfigError(f"{message}, got {got!r}")
    return config


def load_config(path, overrides=()):
    """Read a TOML file, apply ``--set`` overrides in order, validate; return a Config."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    config = config_from_dict(raw, where=str(path))
    for assignment in overrides:
        override(config, assignment)
    return validate(config)
