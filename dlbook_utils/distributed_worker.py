"""The worker program that :func:`dlbook_utils.distributed.launch` starts on every rank.

Run by ``torchrun``, never directly::

    python -m torch.distributed.run --standalone --nproc_per_node=2 \\
        -m dlbook_utils.distributed_worker --data DATA.pt --out DIR --global-batch 64

Every rank trains the same model on its shard of each global batch (``--global-batch``
divided by the world size), wrapped in DistributedDataParallel. Rank 0 alone writes
``model.pt`` (the trained parameters) and ``metrics.json`` (throughput, the sampler's
indices of each rank, and how far the replicas' parameters ended from rank 0's).
Taught in chapter 15.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch.utils.data import TensorDataset

from .distributed import (
    init_distributed,
    make_mlp,
    save_on_rank0,
    shard_loader,
    train_epoch,
    wrap_ddp,
)  # fmt: skip

__all__ = ["parse_args", "build_model", "main"]


def parse_args(argv=None):
    """Read the worker's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="torch.save'd {X, y}")
    parser.add_argument("--out", type=Path, required=True, help="folder for rank 0")
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--hidden", type=int, default=32, help="MLP hidden width")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--global-batch", type=int, default=64, help="over all ranks")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--device", choices=["auto", "cpu"], default="auto",
        help="auto: NCCL with a GPU per rank, else gloo on the CPU; cpu: always gloo",
    )  # fmt: skip
    return parser.parse_args(argv)


def build_model(args, n_features):
    """The model every rank builds: the same seed gives the same initial parameters."""
    dtype = getattr(torch, args.dtype)
    if args.model == "mlp":
        return make_mlp(args.seed, (n_features, args.hidden, 10), dtype=dtype)
    from .models import small_vgg  # a small CNN for 1x28x28 images

    torch.manual_seed(args.seed)
    return small_vgg(width=8).to(dtype)


def _replica_gap(model, device):
    """Largest |parameter - rank 0's parameter| over all ranks (0.0: identical)."""
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, src=0)
    gap = (flat - reference).abs().max().to(device)
    dist.all_reduce(gap, op=dist.ReduceOp.MAX)
    return gap.item()


def main(argv=None):
    """Train on this rank's shards; rank 0 writes model.pt and metrics.json."""
    args = parse_args(argv)
    rank, world_size, device = init_distributed(cpu=args.device == "cpu")
    if args.global_batch % world_size:
        raise ValueError(
            f"--global-batch {args.global_batch} is not divisible by the world size "
            f"{world_size}: every rank must get an equal shard"
        )
    data = torch.load(args.data, weights_only=True)
    dtype = getattr(torch, args.dtype)
    dataset = TensorDataset(data["X"].to(dtype), data["y"])
    loader = shard_loader(dataset, args.global_batch // world_size, rank, world_size,
                          seed=args.seed)  # fmt: skip
    model = wrap_ddp(build_model(args, data["X"][0].numel()), device)

    indices = []  # this rank's share of epochs 0 and 1, to show the sampler's deal
    for epoch in (0, 1):
        loader.sampler.set_epoch(epoch)
        indices.append(list(loader.sampler))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    epoch_seconds = []
    for epoch in range(args.epochs):
        dist.barrier()  # start the clock together
        start = time.perf_counter()
        train_epoch(model, loader, optimizer, epoch, device)
        dist.barrier()  # the epoch ends when the slowest rank is done
        epoch_seconds.append(time.perf_counter() - start)

    gap = _replica_gap(model, device)
    everyone = [None] * world_size
    dist.all_gather_object(
        everyone, {"indices": indices, "threads": torch.get_num_threads()}
    )
    images = len(loader) * args.global_batch  # per epoch, over all ranks
    metrics = {
        "world_size": world_size,
        "backend": dist.get_backend(),
        "threads_per_rank": [r["threads"] for r in everyone],
        "indices": [r["indices"] for r in everyone],
        "steps": args.epochs * len(loader),
        "epoch_seconds": epoch_seconds,
        "images_per_s": images / statistics.median(epoch_seconds),
        "replica_gap": gap,
    }
    if rank == 0:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "metrics.json").write_text(json.dumps(metrics))
        print(f"{world_size} x {args.model} on {device} ({metrics['backend']}): "
              f"{metrics['steps']} steps of {args.global_batch} images, "
              f"{metrics['images_per_s']:.0f} images/s")  # fmt: skip
    save_on_rank0(model.module.state_dict(), args.out / "model.pt", rank)
    print(f"rank {rank} of {world_size} done")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
