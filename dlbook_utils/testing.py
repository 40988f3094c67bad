"""Checking from-scratch code against its PyTorch twin, and NumPy gradients against finite
differences. Used by the tests and, visibly, by the chapters.
"""

import numpy as np
import torch

__all__ = [
    "max_abs_diff",
    "check_close",
    "compare_with_torch",
    "compare_modules",
    "numerical_gradient",
    "check_gradient",
]


LINE_WIDTH = 80  # characters of a code box on the book's pages


class Difference(float):
    """A float that Jupyter does not echo: the check that returns it has printed it already.

    ``check_close(...)`` as the last line of a notebook cell then shows its one line only.
    """

    def _ipython_display_(self):
        pass


def _to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def max_abs_diff(a, b):
    """Largest absolute elementwise difference between two arrays or tensors of equal shape."""
    a, b = _to_numpy(a), _to_numpy(b)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), initial=0.0))


def check_close(name, ours, reference, atol=1e-8, rtol=1e-6, verbose=True):
    """Print one line comparing ``ours`` with ``reference``; raise if they are not close.

    The visible comparison the chapters use: ``check_close("dW1", dW1, W1.grad)`` prints
    ``dW1: max |ours - ref| = 3.1e-17  OK``, on two lines if one would be wider than a
    page's code box. Returns the largest absolute difference.
    """
    diff = max_abs_diff(ours, reference)
    ok = np.allclose(_to_numpy(ours), _to_numpy(reference), atol=atol, rtol=rtol)
    if verbose:
        result = f"max |ours - ref| = {diff:.1e}  {'OK' if ok else 'MISMATCH'}"
        wrap = len(name) + 2 + len(result) > LINE_WIDTH
        print(f"{name}:\n    {result}" if wrap else f"{name}: {result}")
    if not ok:
        raise AssertionError(f"{name}: ours differs from the reference by up to {diff:.3e}")
    return Difference(diff)


def _leaves(inputs):
    return [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]


def compare_with_torch(ours, reference, *inputs, atol=1e-10, rtol=1e-7, seed=0, names=None):
    """Run ``ours`` and ``reference`` on copies of the same inputs; compare forward and backward.

    The backward pass is driven by the same random upstream gradient for both, so every
    input gradient is compared, not just the gradient of a sum.

    Args:
        ours, reference: functions of tensors returning one tensor.
        *inputs: tensors (float64 recommended); floating ones get gradients compared.
    Returns:
        dict mapping ``"output"`` and each input name to its largest absolute difference.
    Raises:
        AssertionError: naming the first output or gradient that differs.
    """
    names = names or [f"input{i}" for i in range(len(inputs))]
    if len(names) != len(inputs):
        raise ValueError(f"got {len(names)} names for {len(inputs)} inputs")
    xs_ours, xs_ref = _leaves(inputs), _leaves(inputs)
    out_ours, out_ref = ours(*xs_ours), reference(*xs_ref)
    diffs = {"output": check_close("output", out_ours, out_ref, atol, rtol, verbose=False)}
    if out_ref.requires_grad:
        g = torch.Generator().manual_seed(seed)
        upstream = torch.randn(out_ref.shape, generator=g, dtype=out_ref.dtype)
        out_ours.backward(upstream)
        out_ref.backward(upstream)
        for name, a, b in zip(names, xs_ours, xs_ref, strict=True):
            if b.grad is not None or a.grad is not None:
                if a.grad is None or b.grad is None:
                    raise AssertionError(f"gradient of {name}: only one side has one")
                diffs[name] = check_close(f"grad {name}", a.grad, b.grad, atol, rtol, False)
    return diffs


def compare_modules(ours, reference, *inputs, atol=1e-10, rtol=1e-7, seed=0):
    """Compare two modules with equal parameter names: outputs, input and parameter gradients.

    Load the same weights into both first (``ours.load_state_dict(ref.state_dict())``).
    """
    ours_params = dict(ours.named_parameters())
    ref_params = dict(reference.named_parameters())
    if ours_params.keys() != ref_params.keys():
        raise ValueError(
            f"parameter names differ: {sorted(ours_params)} vs {sorted(ref_params)}"
        )
    for module in (ours, reference):
        module.zero_grad(set_to_none=True)
    diffs = compare_with_torch(ours, reference, *inputs, atol=atol, rtol=rtol, seed=seed)
    for name, p in ours_params.items():
        q = ref_params[name]
        if (p.grad is None) != (q.grad is None):
            raise AssertionError(f"gradient of parameter {name}: only one side has one")
        if p.grad is not None:
            diffs[name] = check_close(f"grad {name}", p.grad, q.grad, atol, rtol, False)
    return diffs


def numerical_gradient(f, x, eps=1e-6):
    """Central finite-difference gradient of a scalar function ``f`` at float64 array ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = f(x)
        flat[i] = saved - eps
        down = f(x)
        flat[i] = saved
        gflat[i] = (up - down) / (2 * eps)
    return grad


def check_gradient(f, grad, x, eps=1e-6, tol=1e-6):
    """Compare an analytic gradient with finite differences; return the relative error.

    The relative error is ``|g - g_num| / max(|g| + |g_num|, tiny)``, its maximum over entries.
    """
    analytic = np.asarray(grad, dtype=np.float64)
    numeric = numerical_gradient(f, x, eps)
    if analytic.shape != numeric.shape:
        raise ValueError(f"gradient shape {analytic.shape} != input shape {numeric.shape}")
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    rel = float(np.max(np.abs(analytic - numeric) / denom, initial=0.0))
    if rel > tol:
        raise AssertionError(
            f"analytic and numerical gradients differ: relative error {rel:.2e}"
        )
    return rel
