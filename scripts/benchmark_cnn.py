"""The CNN section of benchmark.py, and the interleaved comparison every section uses.

Training throughput of CifarWideCNN in eager NCHW, channels_last, torch.compile and bf16
autocast, side by side; and the book's im2col conv2d against F.conv2d, forward+backward,
on three of that model's layer shapes. Run it through ``scripts/benchmark.py --cnn``.
"""

import os
import tempfile
from functools import partial
from unittest.mock import patch

import torch
from torch.nn import functional as F

from dlbook_utils import timing
from dlbook_utils.layers import conv2d
from dlbook_utils.models import CifarWideCNN
from dlbook_utils.timing import native_bf16_flags, seconds

__all__ = [
    "seconds",
    "compare",
    "native_bf16_flags",
    "benchmark_cnn",
    "benchmark_convs",
    "cnn_table",
    "conv_table",
]

CNN_BATCHES, CNN_WARMUP = 12, 3  # timed batches per repeat; untimed steps per variant
# (batch, in channels, out channels, height = width) of three CifarWideCNN convolutions
CONV_SHAPES = [(64, 3, 32, 32), (64, 64, 128, 16), (64, 256, 256, 8)]
CONV_ITERS = 3  # forward+backward passes per timed call
# name -> (channels_last, torch.compile, bf16 autocast); the first is the baseline
CNN_VARIANTS = {
    "eager NCHW": (False, False, False),
    "channels_last": (True, False, False),
    "channels_last + torch.compile": (True, True, False),
    "channels_last + bf16 autocast": (True, False, True),
}


def error_text(message):
    """Return an error message as one short line for a table cell (no pipes)."""
    return " ".join(str(message).split())[:200].replace("|", "/")


def compare(jobs, repeats, warmup=1, errors=None):
    """Time jobs interleaved after `warmup` untimed rounds; return median seconds per job.

    The timer is dlbook_utils.timing.compare. With an `errors` dict, a job that raises is
    dropped and its error recorded there (as one line) instead of stopping the run.
    """
    result = timing.compare(jobs, repeats, warmup, keep_going=errors is not None)
    if errors is not None:
        errors.update({name: error_text(e) for name, e in result.errors.items()})
    return result.medians()


def cifar_batches(n_batches, batch_size, seed):
    """Return n_batches random CIFAR-shaped batches: images (B, 3, 32, 32), labels (B,)."""
    g = torch.Generator().manual_seed(seed)
    return [
        (
            torch.rand(batch_size, 3, 32, 32, generator=g),
            torch.randint(0, 10, (batch_size,), generator=g),
        )
        for _ in range(n_batches)
    ]


def cnn_step(model, optimizer, xb, yb, channels_last, bf16):
    """Run one training step; inputs are converted here, as a training loop would."""
    if channels_last:
        xb = xb.contiguous(memory_format=torch.channels_last)
    optimizer.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        loss = F.cross_entropy(model(xb), yb)
    loss.backward()  # outside autocast, as torch recommends
    optimizer.step()


def prepare_variant(variant, batches, seed):
    """Build a seeded CifarWideCNN for `variant`; run the warm-up steps.

    Returns (job running one step per batch, seconds of the first step). The first step
    of a compiled model includes its cold compile (forward and backward graphs).
    """
    channels_last, compiled, bf16 = variant
    torch.manual_seed(seed)
    model = CifarWideCNN()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if compiled:
        model = torch.compile(model)
    step = partial(cnn_step, model, optimizer, channels_last=channels_last, bf16=bf16)
    first = seconds(partial(step, *batches[0]))
    for xb, yb in batches[1:CNN_WARMUP]:
        step(xb, yb)

    def job():
        for xb, yb in batches:
            step(xb, yb)

    return job, first


def benchmark_cnn(n_batches, repeats, seed, variants=CNN_VARIANTS, batch_size=64):
    """Return {variant: (images/s, cold compile s or None, error or None)}, side by side.

    Variants are timed interleaved, `repeats` runs of `n_batches` steps each. bf16
    variants are skipped on CPUs without native bf16. The cold compile time is the first
    step's time minus a steady step's; the inductor cache is a fresh temporary folder, so
    that a cache from an earlier run cannot make it warm.
    """
    batches = cifar_batches(max(n_batches, CNN_WARMUP), batch_size, seed)
    native = bool(native_bf16_flags())
    jobs, first, errors = {}, {}, {}
    with tempfile.TemporaryDirectory() as cache:
        with patch.dict(os.environ, {"TORCHINDUCTOR_CACHE_DIR": cache}):
            for name, variant in variants.items():
                if variant[2] and not native:
                    errors[name] = "skipped: no native bf16"
                    continue
                try:
                    jobs[name], first[name] = prepare_variant(variant, batches, seed)
                except Exception as exc:  # a failed compile goes in the table
                    errors[name] = error_text(f"{type(exc).__name__}: {exc}")
            medians = compare(jobs, repeats, warmup=0, errors=errors)
    results = {}
    for name, (_, compiled, _) in variants.items():
        if name not in medians:
            results[name] = (None, None, errors[name])
            continue
        step = medians[name] / len(batches)
        compile_s = max(first[name] - step, 0.0) if compiled else None
        results[name] = (batch_size / step, compile_s, None)
    return results


def conv_jobs(shape, iters, seed):
    """Return {"conv2d (im2col)": job, "F.conv2d": job}: `iters` forward+backward each.

    Checks first that both give the same output on this shape (3x3, padding 1).
    """
    n, c_in, c_out, size = shape
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, size, size, generator=g).requires_grad_()
    w = (torch.randn(c_out, c_in, 3, 3, generator=g) / (9 * c_in) ** 0.5).requires_grad_()
    b = torch.randn(c_out, generator=g).requires_grad_()
    grad = torch.randn(n, c_out, size, size, generator=g)
    with torch.no_grad():
        ours, theirs = conv2d(x, w, b, padding=1), F.conv2d(x, w, b, padding=1)
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-4)

    def fwd_bwd(conv):
        for _ in range(iters):
            x.grad = w.grad = b.grad = None
            conv(x, w, b, padding=1).backward(grad)

    return {
        "conv2d (im2col)": partial(fwd_bwd, conv2d),
        "F.conv2d": partial(fwd_bwd, F.conv2d),
    }


def benchmark_convs(repeats, seed, shapes=CONV_SHAPES, iters=CONV_ITERS):
    """Return {shape: {implementation: median ms per forward+backward}}."""
    results = {}
    for shape in shapes:
        medians = compare(conv_jobs(shape, iters, seed), repeats)
        results[shape] = {name: 1000 * t / iters for name, t in medians.items()}
    return results


def cnn_table(results, n_batches, repeats, batch_size=64):
    """Return the CNN training throughputs as Markdown lines, ratios to the first row."""
    n_params = sum(p.numel() for p in CifarWideCNN().parameters())
    flags = native_bf16_flags()
    lines = [
        "",
        f"CifarWideCNN ({n_params:,} parameters) training steps (SGD with momentum, "
        f"cross-entropy) on random CIFAR-shaped batches of {batch_size} (3 x 32 x 32, "
        f"labels 0-9); median of {repeats} interleaved repeats of {n_batches} batches, "
        f"after {CNN_WARMUP} warm-up steps per variant. "
        f"Native bf16: {', '.join(flags) if flags else 'no'}.",
        "",
        "| variant | images/s | vs eager NCHW | cold compile (s) |",
        "|---|---:|---:|---:|",
    ]
    base = next(iter(results.values()))[0]
    for name, (rate, compile_s, error) in results.items():
        if error is not None:
            lines.append(f"| {name} | {error} | | |")
            continue
        ratio = f"{rate / base:.2f}x" if base else ""
        cold = "" if compile_s is None else f"{compile_s:.1f}"
        lines.append(f"| {name} | {rate:.0f} | {ratio} | {cold} |")
    return lines


def conv_table(results, repeats, iters=CONV_ITERS):
    """Return the conv2d comparison as Markdown lines."""
    lines = [
        "",
        f"Forward+backward of one 3x3 convolution, padding 1, float32 NCHW; median of "
        f"{repeats} interleaved repeats of {iters} passes.",
        "",
        "| layer (N, C_in -> C_out, H x W) | conv2d im2col (ms) | F.conv2d (ms) "
        "| im2col / F.conv2d |",
        "|---|---:|---:|---:|",
    ]
    for (n, c_in, c_out, size), t in results.items():
        ours, theirs = t["conv2d (im2col)"], t["F.conv2d"]
        layer = f"({n}, {c_in} -> {c_out}, {size} x {size})"
        lines.append(f"| {layer} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f}x |")
    return lines
