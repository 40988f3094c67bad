"""One training run of the command-line program: data, model, loop, logs, checkpoints.

The run trains chapter 2's Fashion-MNIST MLP with :func:`dlbook_utils.train.train_epoch`
and :func:`~dlbook_utils.train.evaluate`, on a validation split carved from the training
images by :func:`dlbook_utils.preprocessing.holdout_split`. Its run directory
(``run.out_dir/run.name``) receives ``config.json`` (the configuration in force),
``train.log`` (the log), ``metrics.jsonl`` (one JSON object per epoch),
``checkpoint.pt`` (rewritten after every epoch) and, at the end, ``results.json`` (the
test set, evaluated once). Chapter 16.
"""

import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn

from .. import data, train
from ..preprocessing import holdout_split
from .checkpoint import (
    CheckpointError,
    check_same_model,
    load_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from .config import ConfigError, config_from_dict, config_to_dict, validate

__all__ = ["MLP", "load_splits", "build", "start_run", "resume_run", "evaluate_checkpoint"]

LOGGER = logging.getLogger("dlbook_utils.cli")


class MLP(nn.Module):
    """Chapter 2's MLP, (B, 784) -> (B, 10) logits, with dropout on its hidden layer."""

    def __init__(self, in_features=784, hidden=256, out_features=10, dropout=0.0):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden)
        self.drop = nn.Dropout(dropout)  # draws from torch's global generator
        self.out = nn.Linear(hidden, out_features)

    def forward(self, x):
        return self.out(self.drop(torch.relu(self.hidden(x))))


def _inputs(images, device):
    """uint8 images (N, 28, 28) -> float32 (N, 784) in [0, 1], on ``device``."""
    return torch.from_numpy(images).reshape(len(images), -1).float().div(255).to(device)


def load_splits(cfg, seed, device):
    """Training, validation and test tensors of Fashion-MNIST, and whether a stand-in."""
    ds = data.load_fashion_mnist()
    X_fit, X_val, y_fit, y_val = holdout_split(
        ds.X_train, ds.y_train, test_size=cfg.n_val, rng=seed, stratify=ds.y_train
    )
    splits = {
        "train": (X_fit[: cfg.n_train], y_fit[: cfg.n_train]),
        "val": (X_val, y_val),
        "test": (ds.X_test[: cfg.n_test], ds.y_test[: cfg.n_test]),
    }
    tensors = {
        name: (_inputs(X, device), torch.from_numpy(y).long().to(device))
        for name, (X, y) in splits.items()
    }
    return tensors, ds.standin


def build(config, device):
    """The model, Adam and its scheduler for ``config``."""
    m, o = config.model, config.optim
    model = MLP(hidden=m.hidden, dropout=m.dropout).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=o.lr, weight_decay=o.weight_decay)
    if o.scheduler == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=config.train.epochs
        )
    else:  # a constant learning rate, with the same interface
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0)
    return model, optimizer, scheduler


@contextmanager
def _logging_to(run_dir):
    """Log to stderr (the message only) and to ``run_dir/train.log`` (with times)."""
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(message)s"))
    logfile = logging.FileHandler(run_dir / "train.log", encoding="utf-8")
    logfile.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    for handler in (console, logfile):
        LOGGER.addHandler(handler)
    try:
        yield LOGGER
    finally:  # a second run in the same process must not log twice
        for handler in (console, logfile):
            LOGGER.removeHandler(handler)
            handler.close()


@contextmanager
def _reproducible(cfg):
    """Seed everything and switch deterministic algorithms on for the run's duration.

    Yields the ``torch.Generator`` that orders the batches. Restores torch's determinism
    flag afterwards, since it is process-wide.
    """
    before = torch.are_deterministic_algorithms_enabled()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    if cfg.deterministic:  # cuBLAS needs this to be deterministic on CUDA
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(cfg.deterministic)
    try:
        yield train.seed_everything(cfg.seed)
    finally:
        torch.use_deterministic_algorithms(before)


def _device(cfg):
    """The configured device; a device this machine lacks is a configuration error."""
    try:
        return train.get_device(None if cfg.device == "auto" else cfg.device)
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(f"train.device: {exc}") from None


def _run(config, run_dir, state=None, stop_after=None):
    """Train from scratch (``state`` None) or from a checkpoint; return the metrics."""
    with _reproducible(config.train) as generator, _logging_to(run_dir) as log:
        device = _device(config.train)
        splits, standin = load_splits(config.data, config.train.seed, device)
        model, optimizer, scheduler = build(config, device)
        history, start = [], 0
        if state is not None:
            check_same_model(state, model, run_dir / "checkpoint.pt")
            restore_checkpoint(state, model, optimizer, scheduler, generator)
            history, start = list(state["history"]), state["epoch"]
            log.info(f"resuming {run_dir.name} after epoch {start}")
        else:
            (run_dir / "config.json").write_text(
                json.dumps(config_to_dict(config), indent=2) + "\n", encoding="utf-8"
            )
        kind = "STAND-IN" if standin else "real"
        log.info(f"Fashion-MNIST ({kind}): {len(splits['train'][1])} train, "
                 f"{len(splits['val'][1])} val | device {device}")  # fmt: skip
        batches = data.BatchLoader(
            *splits["train"], batch_size=config.data.batch_size, generator=generator
        )
        val = data.BatchLoader(*splits["val"], batch_size=1000, shuffle=False)
        loss_fn = nn.CrossEntropyLoss()
        metrics = run_dir / "metrics.jsonl"
        # Rewritten from the checkpoint: epochs logged after it was saved are dropped.
        metrics.write_text("".join(json.dumps(row) + "\n" for row in history))
        epochs = config.train.epochs
        for epoch in range(start + 1, epochs + 1):
            tic = time.perf_counter()
            tl, ta = train.train_epoch(model, batches, loss_fn, optimizer, device)
            vl, va = train.evaluate(model, val, loss_fn, device)
            lr = optimizer.param_groups[0]["lr"]
            scheduler.step()
            seconds = time.perf_counter() - tic
            row = {"epoch": epoch, "train_loss": tl, "train_acc": ta, "val_loss": vl,
                   "val_acc": va, "lr": lr, "seconds": round(seconds, 3)}  # fmt: skip
            history.append(row)
            with metrics.open("a") as f:
                f.write(json.dumps(row) + "\n")
            save_checkpoint(run_dir / "checkpoint.pt", model, optimizer, scheduler,
                            generator, epoch=epoch, history=history,
                            config=config_to_dict(config))  # fmt: skip
            log.info(f"epoch {epoch}/{epochs} loss {tl:.4f} acc {ta:.4f} "
                     f"val_loss {vl:.4f} val_acc {va:.4f} {seconds:.1f}s")  # fmt: skip
            if epoch == stop_after and epoch < epochs:
                log.info(f"stopped after epoch {epoch}; checkpoint.pt holds it")
                return {"history": history, "stopped": True}
        test_batches = data.BatchLoader(*splits["test"], batch_size=1000, shuffle=False)
        test_loss, test_acc = train.evaluate(model, test_batches, loss_fn, device)
        results = {"test_loss": test_loss, "test_acc": test_acc, "epochs": epochs,
                   "n_test": len(splits["test"][1]), "standin": standin,
                   "params": sum(p.numel() for p in model.parameters())}  # fmt: skip
        (run_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        log.info(f"test accuracy {test_acc:.4f} on {results['n_test']} images")
        return {"history": history, "stopped": False, **results}


def start_run(config, overwrite=False, stop_after=None):
    """A new run in ``run.out_dir/run.name``; refuses to overwrite one unless asked."""
    run_dir = Path(config.run.out_dir) / config.run.name
    if (run_dir / "checkpoint.pt").exists() and not overwrite:
        raise CheckpointError(
            f"{run_dir} already holds a run: resume it, pick another run.name, "
            "or pass --overwrite"
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    return _run(config, run_dir, stop_after=stop_after)


def resume_run(checkpoint, stop_after=None):
    """Continue the run that wrote ``checkpoint``, in the checkpoint's folder."""
    state = load_checkpoint(checkpoint)
    config = validate(config_from_dict(state["config"], where=str(checkpoint)))
    return _run(config, Path(checkpoint).parent, state=state, stop_after=stop_after)


def evaluate_checkpoint(checkpoint, config=None):
    """Test loss and accuracy of a checkpoint's model (built by ``config`` if given)."""
    state = load_checkpoint(checkpoint)
    config = config or validate(config_from_dict(state["config"], where=str(checkpoint)))
    device = _device(config.train)
    model, _, _ = build(config, device)
    check_same_model(state, model, checkpoint)
    model.load_state_dict(state["model"])
    splits, _ = load_splits(config.data, config.train.seed, device)
    batches = data.BatchLoader(*splits["test"], batch_size=1000, shuffle=False)
    return train.evaluate(model, batches, nn.CrossEntropyLoss(), device)
