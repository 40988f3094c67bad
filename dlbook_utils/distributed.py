"""Data-parallel training with ``torch.distributed``: the worker's parts, and a launcher.

A data-parallel job is ``nproc`` copies of one program (the *workers*, numbered by their
*rank*), started by ``torchrun``, which tells each its rank and the world size through
environment variables. Each worker builds the same model, reads its own shard of every
epoch (:func:`shard_loader`), and trains it wrapped in ``DistributedDataParallel``, which
averages the gradients of all workers during ``backward()``, so that every replica takes
the same step. Only rank 0 writes files (:func:`save_on_rank0`).

:func:`launch` starts the workers of :mod:`dlbook_utils.distributed_worker` from a
notebook or a test with ``subprocess`` and ``python -m torch.distributed.run
--standalone``: never by forking the notebook's process (OpenMP hangs) nor by spawning a
function defined in the notebook (it cannot be pickled). Taught in chapter 15.
"""

import os
import subprocess
import sys
from contextlib import contextmanager

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

__all__ = [
    "DistributedLaunchError", "make_mlp", "init_distributed", "shard_loader", "wrap_ddp",
    "train_epoch", "save_on_rank0", "launch",
]  # fmt: skip

WORKER = "dlbook_utils.distributed_worker"


class DistributedLaunchError(RuntimeError):
    """Raised by :func:`launch` when the workers fail; the message ends with their stderr."""


def make_mlp(seed, sizes=(784, 32, 10), dtype=torch.float32):
    """A ReLU MLP with layer widths ``sizes``, initialised from ``seed``.

    The global RNG is left as it was, so that every worker (and a reference run in one
    process) builds the same initial parameters from the same seed.
    """
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(n_in, n_out, dtype=dtype), nn.ReLU()]
        return nn.Sequential(nn.Flatten(), *layers[:-1])  # no ReLU on the logits


def init_distributed(cpu=False):
    """Join the process group ``torchrun`` describes; return (rank, world size, device).

    With a GPU for every process on this node, the backend is NCCL and each rank takes
    the GPU ``LOCAL_RANK``; otherwise (no GPU, fewer GPUs than processes, or ``cpu``)
    it is gloo on the CPU. Rank, world size and the rendezvous address come from the
    environment variables ``torchrun`` sets.
    """
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", 1))
    gpus = torch.cuda.is_available() and torch.cuda.device_count() >= local_world
    if gpus and not cpu:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
        dist.init_process_group("nccl")
    else:
        device = torch.device("cpu")
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size(), device


def shard_loader(dataset, batch_size, rank, world_size, seed=0, drop_last=True):
    """A DataLoader over this rank's shard of ``dataset``: ``batch_size`` per rank.

    ``DistributedSampler`` shuffles all indices with one permutation per epoch (seeded
    by ``seed + epoch``: call ``loader.sampler.set_epoch(epoch)`` before every epoch, or
    every epoch repeats the first order) and deals them out, rank ``r`` taking positions
    ``r, r + world_size, ...``. ``drop_last`` drops the tail that does not divide evenly,
    instead of padding it with repeated samples.
    """
    sampler = DistributedSampler(
        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed,
        drop_last=drop_last,
    )  # fmt: skip
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True)


def wrap_ddp(model, device):
    """Move ``model`` to ``device`` and wrap it in DistributedDataParallel.

    DDP broadcasts rank 0's parameters at construction and averages the gradients over
    the workers in ``backward()``, overlapping the all-reduce with the backward pass.
    """
    model = model.to(device)
    ids = [device] if device.type == "cuda" else None  # one GPU per worker
    return DistributedDataParallel(model, device_ids=ids)


def train_epoch(model, loader, optimizer, epoch, device):
    """One epoch of SGD on the mean cross-entropy: the same loop with or without DDP."""
    loader.sampler.set_epoch(epoch)  # without it, every epoch repeats epoch 0's order
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        loss = F.cross_entropy(model(xb), yb)  # mean over this rank's shard
        optimizer.zero_grad()
        loss.backward()  # under DDP: gradients averaged over the ranks here
        optimizer.step()


def save_on_rank0(obj, path, rank):
    """Save ``obj`` from rank 0 only, then wait for every rank (a barrier).

    Every replica holds the same parameters, so one copy suffices; the barrier keeps the
    other ranks from going on (or exiting) before the file is complete.
    """
    if rank == 0:
        torch.save(obj, path)
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


@contextmanager
def _threads(n):
    old = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        yield
    finally:
        if old is None:
            del os.environ["OMP_NUM_THREADS"]
        else:
            os.environ["OMP_NUM_THREADS"] = old


def launch(nproc, args, threads=1, timeout=600):
    """Run ``nproc`` workers of :mod:`dlbook_utils.distributed_worker`; return stdout.

    Args:
        nproc: the number of worker processes on this machine.
        args: the worker's command-line arguments, e.g. ``["--data", path, ...]``.
        threads: OpenMP threads per worker (``OMP_NUM_THREADS``).
        timeout: seconds before the workers are stopped.

    Raises :class:`DistributedLaunchError` with the tail of the workers' stderr if they
    fail or time out. ``--standalone`` starts a rendezvous on a free local port.
    """
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f"nproc must be a positive integer, got {nproc!r}")
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone",
        f"--nproc_per_node={nproc}", "-m", WORKER, *map(str, args),
    ]  # fmt: skip
    with _threads(threads):
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            tail = _tail(exc.stderr)
            raise DistributedLaunchError(
                f"{nproc} workers did not finish in {timeout} s; stderr ends:\n{tail}"
            ) from None
    if done.returncode != 0:
        raise DistributedLaunchError(
            f"{nproc} workers failed (exit status {done.returncode}); "
            f"stderr ends:\n{_tail(done.stderr)}"
        )
    return done.stdout


def _tail(text, lines=12):
    """The last lines of the workers' own stderr (torchrun prefixes them ``[rankN]:``)."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    kept = (text or "").strip().splitlines()
    workers = [line for line in kept if line.startswith("[rank")]
    return "\n".join((workers or kept)[-lines:])
