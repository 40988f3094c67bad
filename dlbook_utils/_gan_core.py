"""The GAN code chapter 18 shows: losses, mode counting, the Fréchet distance.

The chapter's cells mirror these functions (a test keeps them identical). They assume
well-formed inputs; :mod:`dlbook_utils.gan` is the public module, whose functions check
their arguments and then call these.
"""

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "discriminator_loss",
    "generator_loss_saturating",
    "generator_loss_nonsaturating",
    "ModeCoverage",
    "mode_coverage",
    "clip_rounding",
    "frechet_distance",
]


# ---------------------------------------------------------------- losses (on logits)
def discriminator_loss(real_logits, fake_logits):
    """-[E log D(x) + E log(1 - D(G(z)))]: the discriminator's binary cross-entropy.

    Args: real_logits (N,) on real data, fake_logits (M,) on generated data.
    Returns a scalar: the mean BCE of "real = 1" plus the mean BCE of "fake = 0".
    Matches F.binary_cross_entropy_with_logits(real, ones) + (fake, zeros).
    """
    # log sigmoid(u) = -softplus(-u), log(1 - sigmoid(u)) = -softplus(u): stable
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss_saturating(fake_logits):
    """E log(1 - D(G(z))), the generator's part of the minimax value (to be minimised).

    Args: fake_logits (M,). Its gradient in the logit is -D(G(z)): it vanishes where the
    discriminator rejects the samples (D near 0), early in training.
    Matches -F.binary_cross_entropy_with_logits(fake, zeros).
    """
    return -F.softplus(fake_logits).mean()


def generator_loss_nonsaturating(fake_logits):
    """-E log D(G(z)), the non-saturating generator loss of Goodfellow et al. (2014).

    Args: fake_logits (M,). Its gradient in the logit is -(1 - D(G(z))): largest where
    the discriminator rejects the samples.
    Matches F.binary_cross_entropy_with_logits(fake, ones).
    """
    return F.softplus(-fake_logits).mean()


# ---------------------------------------------------------------- counting modes
class ModeCoverage(NamedTuple):
    """What :func:`mode_coverage` returns."""

    covered: int  # modes holding at least min_count high-quality samples
    counts: torch.Tensor  # (n_modes,) high-quality samples per mode
    high_quality: float  # fraction of samples within n_std std of their nearest centre


def mode_coverage(samples, centers, std, n_std=3.0, min_count=None):
    """Count the modes that float tensors ``samples`` (n, d) cover.

    A sample is *high-quality* when it lies within ``n_std`` standard deviations of its
    nearest centre (``centers``, (k, d)); a mode is *covered* when at least
    ``min_count`` high-quality samples fall near it (default: a quarter of a fair
    share, n / (4 k), at least 1). Returns a :class:`ModeCoverage`.
    """
    if min_count is None:  # a quarter of a fair share
        min_count = max(1, len(samples) // (4 * len(centers)))
    nearest_dist, nearest = torch.cdist(samples, centers).min(dim=1)  # (n,)
    good = nearest_dist <= n_std * std  # (n,) the high-quality samples
    counts = torch.bincount(nearest[good], minlength=len(centers))  # (k,)
    covered = int((counts >= min_count).sum())
    return ModeCoverage(covered, counts, float(good.float().mean()))


# ---------------------------------------------------------------- the Fréchet distance
def clip_rounding(w):
    """Eigenvalues w (d,) with those rounding alone can produce (<= d eps max|w|) set to 0.

    A singular covariance (fewer samples than features) has exact zeros that eigh
    returns as +-1e-16: their square roots, 1e-8 each, would add up to a visible error.
    """
    tol = len(w) * np.finfo(np.float64).eps * np.abs(w).max(initial=1e-300)
    return np.where(w > tol, w, 0.0)


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """The squared Fréchet (2-Wasserstein) distance between two Gaussians.

    ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)) for float64 arrays mu (d,) and
    symmetric positive semi-definite sigma (d, d). S1 S2 is not symmetric, but it is
    similar to S1^(1/2) S2 S1^(1/2), which is: the trace of the root is the sum of the
    square roots of that matrix's eigenvalues, all real (``eigh``, ``eigvalsh``).
    Equals pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of S1 S2).
    """
    w, v = np.linalg.eigh(sigma1)
    root1 = (v * np.sqrt(clip_rounding(w))) @ v.T  # (d, d) S1^(1/2), symmetric
    eig = np.linalg.eigvalsh(root1 @ sigma2 @ root1)  # (d,) those of S1 S2
    trace_root = np.sqrt(clip_rounding(eig)).sum()  # Tr (S1 S2)^(1/2)
    diff = mu1 - mu2
    trace = np.trace(sigma1) + np.trace(sigma2) - 2 * trace_root
    return float(diff @ diff + trace)
