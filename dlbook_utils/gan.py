"""GAN losses, the ring of eight Gaussians with mode counting, the Fréchet distance (ch. 18).

- Losses on discriminator *logits* l (D = sigmoid(l)): :func:`discriminator_loss`,
  :func:`generator_loss_saturating` (the minimax one, E log(1 - D(G(z)))) and
  :func:`generator_loss_nonsaturating` (-E log D(G(z))).
- :func:`ring_of_gaussians` samples the 2-D test bed; :func:`mode_coverage` counts the
  modes a set of samples covers and the fraction of high-quality samples.
- :func:`frechet_distance` between two Gaussians (mean and covariance), and
  :func:`frechet_distance_features` between two sets of feature vectors: the formula of
  the Fréchet Inception Distance (Heusel et al., 2017), in any feature space.

The losses, the mode counter and the Fréchet distance are chapter 18's code, kept in
:mod:`._gan_core`; the functions here check their arguments first.
"""

import math

import numpy as np
import torch

from . import _gan_core as core
from ._gan_core import (
    ModeCoverage,
    discriminator_loss,
    generator_loss_nonsaturating,
    generator_loss_saturating,
)

__all__ = [
    "discriminator_loss",
    "generator_loss_saturating",
    "generator_loss_nonsaturating",
    "ring_centers",
    "ring_of_gaussians",
    "ModeCoverage",
    "mode_coverage",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_features",
]


# ---------------------------------------------------------------- the ring of Gaussians
def ring_centers(n_modes=8, radius=2.0):
    """The ``n_modes`` centres, evenly spaced on a circle of ``radius``: (n_modes, 2)."""
    if n_modes < 1 or radius <= 0:
        raise ValueError(f"expected n_modes >= 1 and radius > 0, got {n_modes}, {radius}")
    angles = torch.arange(n_modes, dtype=torch.float64) * (2 * math.pi / n_modes)
    return radius * torch.stack([angles.cos(), angles.sin()], dim=1).float()


def ring_of_gaussians(n, n_modes=8, radius=2.0, std=0.05, generator=None):
    """``n`` points from an equal mixture of Gaussians (std ``std``) on a ring: (n, 2)."""
    if n < 1 or std <= 0:
        raise ValueError(f"expected n >= 1 and std > 0, got n={n}, std={std}")
    centers = ring_centers(n_modes, radius)
    which = torch.randint(n_modes, (n,), generator=generator)
    return centers[which] + std * torch.randn(n, 2, generator=generator)


def mode_coverage(samples, centers, std, n_std=3.0, min_count=None):
    """Count the modes that ``samples`` cover.

    A sample is *high-quality* when it lies within ``n_std`` standard deviations of its
    nearest centre; a mode is *covered* when at least ``min_count`` high-quality samples
    fall near it (default: a quarter of a fair share, n / (4 n_modes), at least 1).

    Args: samples (n, d), centers (n_modes, d) (tensors or arrays), std of each mode.
    Returns a :class:`ModeCoverage` (covered, counts per mode, high-quality fraction).
    """
    samples = torch.as_tensor(samples).float()
    centers = torch.as_tensor(centers).float()
    if samples.ndim != 2 or centers.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"expected samples (n, d) and centers (k, d), got {tuple(samples.shape)} and "
            f"{tuple(centers.shape)}"
        )
    if len(samples) == 0 or len(centers) == 0:
        raise ValueError("expected at least one sample and one centre")
    if not std > 0 or not n_std > 0:
        raise ValueError(f"expected std > 0 and n_std > 0, got {std}, {n_std}")
    return core.mode_coverage(samples, centers, std, n_std, min_count)


# ---------------------------------------------------------------- the Fréchet distance
def _as_float64(name, x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def feature_statistics(feats):
    """Mean (d,) and covariance (d, d) of feature vectors (n, d), n >= 2 (ddof = 1).

    Matches np.cov(feats, rowvar=False), as pytorch-fid computes its statistics.
    """
    feats = _as_float64("feats", feats)
    if feats.ndim != 2:
        raise ValueError(f"expected features of shape (n, d), got {feats.shape}")
    if len(feats) < 2:
        raise ValueError(f"a covariance needs at least 2 samples, got {len(feats)}")
    return feats.mean(axis=0), np.atleast_2d(np.cov(feats, rowvar=False))


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """The squared Fréchet (2-Wasserstein) distance between two Gaussians.

    ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)). S1 S2 is not symmetric, but it is
    similar to S1^(1/2) S2 S1^(1/2), which is symmetric positive semi-definite: the trace
    of the root is the sum of the square roots of that matrix's eigenvalues, computed
    with ``eigh`` in float64 (no complex parts, unlike a general matrix square root).

    Args: mu1, mu2 (d,); sigma1, sigma2 (d, d) symmetric covariances.
    Returns a Python float >= 0 (up to rounding). Equals pytorch-fid's
    calculate_frechet_distance, which uses scipy.linalg.sqrtm(S1 S2).
    """
    mu1, mu2 = _as_float64("mu1", mu1), _as_float64("mu2", mu2)
    sigma1, sigma2 = _as_float64("sigma1", sigma1), _as_float64("sigma2", sigma2)
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    shapes = [mu1.shape, sigma1.shape, mu2.shape, sigma2.shape]
    if shapes != [(d,), (d, d), (d,), (d, d)]:
        raise ValueError(
            "expected mu1 (d,), sigma1 (d, d), mu2 (d,), sigma2 (d, d) with one d, got "
            + ", ".join(str(s) for s in shapes)
        )
    # eigh reads one triangle: symmetrise, so that a slightly asymmetric input
    # gives the same answer whichever triangle a LAPACK build reads
    sym1, sym2 = (sigma1 + sigma1.T) / 2, (sigma2 + sigma2.T) / 2
    return core.frechet_distance(mu1, sym1, mu2, sym2)


def frechet_distance_features(feats1, feats2):
    """The Fréchet distance between Gaussians fitted to two sets of features.

    Args: feats1 (n1, d), feats2 (n2, d), n1, n2 >= 2; NumPy arrays or tensors. The
    estimate is biased upwards for small n (it is not zero between two samples of one
    distribution): compare distances computed with the same n, and prefer n >> d.
    """
    mu1, s1 = feature_statistics(feats1)
    mu2, s2 = feature_statistics(feats2)
    if mu1.shape != mu2.shape:
        raise ValueError(
            f"the two sets have different feature sizes: {mu1.shape[0]} and {mu2.shape[0]}"
        )
    return frechet_distance(mu1, s1, mu2, s2)
