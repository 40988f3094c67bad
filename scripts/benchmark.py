"""Benchmark the book's data loader and CNN training paths, and optionally every chapter.

Usage: python scripts/benchmark.py [--loaders] [--cnn] [--chapters] [--output bench.md]

Sections: ``--loaders`` times the book's BatchLoader against DataLoader; ``--cnn`` times
CifarWideCNN training in eager NCHW, channels_last, torch.compile and bf16 autocast, and
our im2col conv2d against F.conv2d. With neither flag both run; ``--chapters`` adds the
quick-profile time of every chapter. The CNN section and the interleaved timer live in
``benchmark_cnn.py`` beside this file.
"""

import argparse
import datetime
import os
import sys
import time
from functools import partial
from pathlib import Path

import jupytext
import torch
from benchmark_cnn import (
    CNN_BATCHES,
    benchmark_cnn,
    benchmark_convs,
    cnn_table,
    compare,
    conv_table,
)
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlbook_utils.data import BatchLoader
from dlbook_utils.provenance import cpu_name

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = REPO / "chapters"
N_SAMPLES, N_FEATURES, N_CLASSES = 60_000, 784, 10
BATCH_SIZE = 64
TARGET_RATIO = 1.4


def parse_args():
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="With neither --loaders nor --cnn, both sections run.",
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per job")
    parser.add_argument(
        "--loaders", action="store_true", help="time BatchLoader vs DataLoader"
    )
    parser.add_argument(
        "--cnn", action="store_true", help="time CifarWideCNN training and conv2d"
    )
    parser.add_argument(
        "--cnn-batches", type=int, default=CNN_BATCHES, help="batches per CNN repeat"
    )
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=0, help="seed for data and models")
    parser.add_argument("--chapters", action="store_true", help="also time every chapter")
    parser.add_argument("--output", type=Path, default=None, help="write the report here")
    return parser.parse_args()


def make_data(seed):
    """Return MNIST-shaped synthetic data: X (60000, 784) in [0, 1] and int64 labels."""
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(N_SAMPLES, N_FEATURES, generator=g)
    y = torch.randint(0, N_CLASSES, (N_SAMPLES,), generator=g)
    return X, y


def make_loaders(X, y, seed):
    """Return the two loaders to compare, both shuffling with their own seeded generator."""
    g_ours = torch.Generator().manual_seed(seed)
    g_theirs = torch.Generator().manual_seed(seed)
    ours = BatchLoader(X, y, batch_size=BATCH_SIZE, shuffle=True, generator=g_ours)
    dataset = TensorDataset(X, y)
    theirs = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True, generator=g_theirs)
    return {"BatchLoader": ours, "DataLoader": theirs}


def make_model(seed):
    """Return the MLP 784 -> 64 -> 32 -> 10 and its SGD optimizer."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(N_FEATURES, 64),
        nn.ReLU(),
        nn.Linear(64, 32),
        nn.ReLU(),
        nn.Linear(32, N_CLASSES),
    )
    return model, torch.optim.SGD(model.parameters(), lr=0.01)


def data_epoch(loader):
    """Iterate over all batches without a model, so only the iterator's cost is timed."""
    for _batch in loader:
        pass


def train_epoch(loader, model, optimizer):
    """Run one training epoch of `model` over `loader`."""
    loss_fn = nn.CrossEntropyLoss()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()


def benchmark_loaders(repeats, seed):
    """Return {measurement: {loader name: median seconds}} for data-only and training."""
    X, y = make_data(seed)
    loaders = make_loaders(X, y, seed)
    data_jobs = {name: partial(data_epoch, loader) for name, loader in loaders.items()}
    train_jobs = {
        name: partial(train_epoch, loader, *make_model(seed))
        for name, loader in loaders.items()
    }
    return {
        "data-only pass": compare(data_jobs, repeats),
        "training epoch": compare(train_jobs, repeats),
    }


def run_chapter(path):
    """Execute one chapter in memory with nbclient; return (seconds, error or None)."""
    nb = jupytext.read(path)
    resources = {"metadata": {"path": str(CHAPTERS)}}
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources=resources)
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:  # a cell raised: report the Python error
        return time.perf_counter() - start, f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # timeout, dead kernel, ...: report, don't stop the run
        return time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return time.perf_counter() - start, None


def benchmark_chapters():
    """Return [(chapter, seconds, error or None)] for every chapter, `quick` profile."""
    os.environ["DLBOOK_PROFILE"] = "quick"  # the kernel inherits our environment
    results = []
    for path in sorted(CHAPTERS.glob("*.md")):
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        results.append((path.name, *run_chapter(path)))
    return results


def machine_header():
    """Return one line naming the machine, torch version, thread count and date."""
    return (
        f"Machine: {cpu_name()}, {os.cpu_count()} logical cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, "
        f"{datetime.date.today().isoformat()}"
    )


def loader_table(results, repeats):
    """Return the loader comparison as Markdown lines, with the speed target verdict."""
    lines = [
        f"Median of {repeats} interleaved epochs, batch size {BATCH_SIZE}, "
        f"{N_SAMPLES} x {N_FEATURES} float32.",
        "",
        "| measurement | BatchLoader (s) | DataLoader (s) | DataLoader / BatchLoader |",
        "|---|---:|---:|---:|",
    ]
    for name, t in results.items():
        ours, theirs = t["BatchLoader"], t["DataLoader"]
        lines.append(f"| {name} | {ours:.3f} | {theirs:.3f} | {theirs / ours:.2f}x |")
    train = results["training epoch"]
    ratio = train["DataLoader"] / train["BatchLoader"]
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    target = f"Target (BatchLoader >= {TARGET_RATIO}x faster per training epoch)"
    lines += ["", f"{target}: {verdict} ({ratio:.2f}x)."]
    return lines


def chapter_table(results):
    """Return the chapter timings as Markdown lines."""
    lines = ["", "| chapter (quick profile) | seconds | status |", "|---|---:|---|"]
    for name, secs, error in results:
        status = "ok" if error is None else "FAILED: " + " ".join(error.split())[:200]
        lines.append(f"| {name} | {secs:.1f} | {status.replace('|', '/')} |")
    if not results:
        lines.append(f"| (no chapters found in {CHAPTERS}) | | |")
    return lines


def main():
    """Run the benchmarks, print the report, and exit non-zero if a chapter failed."""
    args = parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    everything = not (args.loaders or args.cnn)
    lines = [machine_header()]
    if args.loaders or everything:
        loaders = benchmark_loaders(args.repeats, args.seed)
        lines += ["", *loader_table(loaders, args.repeats)]
    if args.cnn or everything:
        print("timing CifarWideCNN training ...", file=sys.stderr, flush=True)
        cnn = benchmark_cnn(args.cnn_batches, args.repeats, args.seed)
        lines += cnn_table(cnn, args.cnn_batches, args.repeats)
        print("timing conv2d ...", file=sys.stderr, flush=True)
        lines += conv_table(benchmark_convs(args.repeats, args.seed), args.repeats)
    chapters = benchmark_chapters() if args.chapters else []
    if args.chapters:
        lines += chapter_table(chapters)
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if args.output:
        args.output.write_text(report)
    failed = [name for name, _, error in chapters if error is not None]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
