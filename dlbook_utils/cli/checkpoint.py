"""Checkpoints that let a run continue exactly where it stopped (chapter 16).

A checkpoint holds the model, the optimizer, the learning-rate scheduler, the epoch, the
data position (the state of the generator that draws each epoch's batch order) and every
random state a run draws from (torch, NumPy, Python's ``random``, CUDA where present), with
the configuration and the metrics so far. Everything is stored as tensors and plain Python
types, so that ``torch.load(..., weights_only=True)`` can read it: loading never runs code
from the file, unlike a plain ``torch.load`` of an arbitrary pickle.
"""

import pickle
import random
from pathlib import Path

import numpy as np
import torch

from .config import InputError

__all__ = [
    "FORMAT", "CheckpointError", "rng_states", "set_rng_states", "save_checkpoint",
    "restore_checkpoint", "load_checkpoint", "check_same_model",
]  # fmt: skip

FORMAT = "dlbook_utils.cli checkpoint 1"  # bump when the layout changes


class CheckpointError(InputError):
    """A checkpoint that cannot be used; the message is one line."""


def rng_states():
    """Every random state a run draws from, as tensors and plain types."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()  # noqa: NPY002 - global state
    version, words, gauss_next = random.getstate()
    states = {
        "torch": torch.get_rng_state(),
        "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": pos,
                  "has_gauss": has_gauss, "gauss": gauss},
        "random": {"version": version, "words": torch.tensor(words),
                   "gauss_next": gauss_next},
    }  # fmt: skip
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def set_rng_states(states):
    """Restore what :func:`rng_states` returned."""
    torch.set_rng_state(states["torch"])
    n = states["numpy"]
    keys = n["keys"].numpy().astype(np.uint32)
    np.random.set_state(("MT19937", keys, n["pos"], n["has_gauss"], n["gauss"]))  # noqa: NPY002
    r = states["random"]
    random.setstate((r["version"], tuple(r["words"].tolist()), r["gauss_next"]))
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_checkpoint(path, model, optimizer, scheduler, generator, **extra):
    """Write everything a run needs to continue exactly where it stopped."""
    state = {
        "format": FORMAT,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),  # Adam's moments and step count
        "scheduler": scheduler.state_dict(),  # where the schedule stands
        "data_generator": generator.get_state(),  # the next epoch's batch order
        "rng": rng_states(),  # dropout, and anything else that draws
        **extra,  # epoch, config, metrics: plain types
    }
    tmp = Path(path).with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)  # atomic: a crash while writing leaves the old file whole


def restore_checkpoint(state, model, optimizer, scheduler, generator):
    """Put a run back in the state that :func:`save_checkpoint` recorded."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    generator.set_state(state["data_generator"])
    set_rng_states(state["rng"])


def load_checkpoint(path):
    """Read a checkpoint with ``weights_only=True``; one-line error if it is not ours.

    Returns the checkpoint's dict (tensors on the CPU).
    Raises:
        CheckpointError: the file is missing, unreadable, or not a checkpoint of this
            program (another format, or a pickle that needs code to load).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"cannot read checkpoint {path}: {first}") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not a checkpoint of this program (expected {FORMAT!r})"
        )
    return state


def check_same_model(state, model, path="checkpoint"):
    """Raise :class:`CheckpointError` unless ``state`` holds weights for ``model``.

    Compares parameter names and shapes, and names the first difference, rather than
    letting ``load_state_dict`` print a page of missing and unexpected keys.
    """
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in state["model"].items()}
    if ours == theirs:
        return
    for name in sorted(ours.keys() | theirs.keys()):
        if ours.get(name) != theirs.get(name):
            raise CheckpointError(
                f"{path} holds another model: {name} is {theirs.get(name)} there, "
                f"{ours.get(name)} in the model this configuration builds"
            )
