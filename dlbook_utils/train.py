"""Seeding, device selection, and the book's training loop with a plain-text progress line.

The loop prints one line per epoch, which reads the same in Jupyter, on the built page and in
a CI log (no carriage returns, no widgets).
"""

import os
import random
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["seed_everything", "get_device", "History", "train_epoch", "evaluate", "fit"]


def seed_everything(seed):
    """Seed Python, NumPy and torch; return a ``torch.Generator`` seeded with ``seed``.

    Pass the returned generator to anything that shuffles or samples, so that the chapter's
    randomness is explicit rather than hidden in global state.
    """
    if not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global state other libraries draw from
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def get_device(prefer=None):
    """Pick the compute device: ``DLBOOK_DEVICE`` or ``prefer`` if given, else CUDA, MPS, CPU.

    Args:
        prefer: ``"cuda"``, ``"mps"``, ``"cpu"`` or ``None`` (automatic).
    """
    name = prefer or os.environ.get("DLBOOK_DEVICE") or None
    if name is not None:
        allowed = ("cpu", "cuda", "mps")
        if name.split(":")[0] not in allowed:
            raise ValueError(f"unknown device {name!r}: expected one of {allowed}")
        if name.startswith("cuda") and not torch.cuda.is_available():
            raise RuntimeError(f"device {name!r} requested but CUDA is not available")
        if name == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError("device 'mps' requested but Apple MPS is not available")
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass
class History:
    """Per-epoch metrics, ready for :func:`dlbook_utils.plotting.plot_history`."""

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self):
        return len(self.train_loss)


def train_epoch(model, batches, loss_fn, optimizer, device=None):
    """One pass over ``batches`` of ``(X, y)``; return (mean loss, accuracy) over samples.

    Accuracy counts argmax hits for integer targets and logits of shape (B, C); for other
    tasks (regression) it stays 0. Taught in chapter 2.
    """
    device = device or next(model.parameters()).device
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in batches:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        if logits.ndim == 2 and not y.is_floating_point():
            correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    if seen == 0:
        raise ValueError("train_epoch got no batches")
    return total_loss / seen, correct / seen


@torch.no_grad()
def evaluate(model, batches, loss_fn, device=None):
    """Mean loss and accuracy of ``model`` over ``batches``, in eval mode, without gradients."""
    device = device or next(model.parameters()).device
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in batches:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        total_loss += loss_fn(logits, y).item() * len(y)
        if logits.ndim == 2 and not y.is_floating_point():
            correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    if seen == 0:
        raise ValueError("evaluate got no batches")
    return total_loss / seen, correct / seen


def _progress_line(epoch, epochs, tl, ta, vl, va, seconds):
    """One epoch's line, at most 80 characters so that it fits the page's code box."""
    line = f"epoch {epoch:>{len(str(epochs))}}/{epochs} loss {tl:.4f} acc {ta:.4f}"
    if vl is not None:
        line += f"  val_loss {vl:.4f} val_acc {va:.4f}"
    return line + f"  {seconds:.1f}s"


def fit(model, train_batches, loss_fn, optimizer, epochs, val_batches=None, device=None,
        verbose=True, file=None):  # fmt: skip
    """Train for ``epochs`` epochs and return a :class:`History`.

    Args:
        train_batches: re-iterable batches of ``(X, y)``, e.g. a
            :class:`dlbook_utils.data.BatchLoader` or a ``DataLoader``.
        val_batches: optional batches evaluated after every epoch.
        verbose: print one progress line per epoch.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    history = History()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        tl, ta = train_epoch(model, train_batches, loss_fn, optimizer, device)
        vl = va = None
        if val_batches is not None:
            vl, va = evaluate(model, val_batches, loss_fn, device)
            history.val_loss.append(vl)
            history.val_acc.append(va)
        elapsed = time.perf_counter() - start
        history.train_loss.append(tl)
        history.train_acc.append(ta)
        history.seconds.append(elapsed)
        if verbose:
            print(
                _progress_line(epoch, epochs, tl, ta, vl, va, elapsed),
                file=file or sys.stdout,
            )
    return history
