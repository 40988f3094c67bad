"""Procedural 2-D datasets for pictures of decision boundaries and densities.

Each function takes ``rng``: a ``numpy.random.Generator`` or an integer seed, never the
global random state. Each returns ``(X, y)``: float64 points (n, 2) and int64 labels (n,).
"""

import numpy as np

__all__ = ["make_moons", "make_spirals", "make_gaussian_mixture"]


def _rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy Generator or an int seed, got {type(rng).__name__}"
    )


def _check_n(n, minimum=2):
    if not isinstance(n, int | np.integer) or n < minimum:
        raise ValueError(f"n must be an integer >= {minimum}, got {n!r}")


def make_moons(n=200, noise=0.1, rng=None):
    """Two interleaving half circles (class 0 on top), with Gaussian noise of std ``noise``."""
    _check_n(n)
    rng = _rng(rng)
    n_top = n // 2
    t = np.concatenate([np.linspace(0, np.pi, n_top), np.linspace(0, np.pi, n - n_top)])
    top = np.stack([np.cos(t[:n_top]), np.sin(t[:n_top])], axis=1)
    bottom = np.stack([1 - np.cos(t[n_top:]), 0.5 - np.sin(t[n_top:])], axis=1)
    X = np.concatenate([top, bottom]) + rng.normal(0, noise, size=(n, 2))
    y = np.repeat(np.array([0, 1]), [n_top, n - n_top])
    perm = rng.permutation(n)
    return X[perm], y[perm].astype(np.int64)


def make_spirals(n=300, n_classes=2, turns=1.5, noise=0.05, rng=None):
    """``n_classes`` interleaved Archimedean spirals with ``turns`` turns each."""
    _check_n(n, n_classes)
    rng = _rng(rng)
    y = np.arange(n) % n_classes
    r = rng.uniform(0.1, 1.0, size=n)
    angle = 2 * np.pi * (turns * r + y / n_classes)
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    X += rng.normal(0, noise, size=(n, 2))
    return X, y.astype(np.int64)


def make_gaussian_mixture(n=300, centers=((-1, -1), (1, 1)), std=0.5, rng=None):
    """Points drawn from isotropic Gaussians around ``centers``; the label is the component.

    Args:
        centers: (k, 2) component means; components are equally likely.
        std: a scalar or one standard deviation per component.
    """
    _check_n(n)
    rng = _rng(rng)
    centers = np.asarray(centers, dtype=float)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"centers must have shape (k, 2), got {centers.shape}")
    std = np.broadcast_to(np.asarray(std, dtype=float), (len(centers),))
    y = rng.integers(0, len(centers), size=n)
    X = centers[y] + rng.normal(size=(n, 2)) * std[y, None]
    return X, y.astype(np.int64)
