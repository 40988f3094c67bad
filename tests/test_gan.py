"""dlbook_utils.gan and dlbook_utils.models.gan: losses, mode counting, Fréchet distance."""

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F

from dlbook_utils import gan
from dlbook_utils.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    count_parameters,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def random_cov(rng, d):
    a = rng.standard_normal((d, d + 3))
    return a @ a.T / (d + 3) + 0.1 * np.eye(d)


# ---------------------------------------------------------------- losses
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_losses_match_bce_with_logits_forward_and_backward(seed):
    g = gen(seed)
    real = (4 * torch.randn(7, generator=g, dtype=torch.float64)).requires_grad_()
    fake = (4 * torch.randn(5, generator=g, dtype=torch.float64)).requires_grad_()
    pairs = [
        (
            lambda r, f: gan.discriminator_loss(r, f),
            lambda r, f: (
                F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
                + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
            ),
        ),
        (
            lambda r, f: gan.generator_loss_saturating(f),
            lambda r, f: -F.binary_cross_entropy_with_logits(f, torch.zeros_like(f)),
        ),
        (
            lambda r, f: gan.generator_loss_nonsaturating(f),
            lambda r, f: F.binary_cross_entropy_with_logits(f, torch.ones_like(f)),
        ),
    ]
    for ours, ref in pairs:
        a, b = ours(real, fake), ref(real, fake)
        torch.testing.assert_close(a, b)
        ga = torch.autograd.grad(a, (real, fake), allow_unused=True, materialize_grads=True)
        gb = torch.autograd.grad(b, (real, fake), allow_unused=True, materialize_grads=True)
        for x, y in zip(ga, gb, strict=True):
            torch.testing.assert_close(x, y)


def test_generator_loss_gradients_where_the_discriminator_rejects():
    # d/dl of log(1 - sigmoid(l)) is -sigmoid(l), of -log sigmoid(l) is -(1 - sigmoid(l))
    logits = torch.tensor([-8.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    d = torch.sigmoid(logits.detach())
    (g_sat,) = torch.autograd.grad(gan.generator_loss_saturating(logits) * 3, logits)
    (g_ns,) = torch.autograd.grad(gan.generator_loss_nonsaturating(logits) * 3, logits)
    torch.testing.assert_close(g_sat, -d)
    torch.testing.assert_close(g_ns, -(1 - d))
    assert abs(g_sat[0]) < 1e-3 < 0.99 < abs(g_ns[0])  # D ~ 0: one vanishes


def test_losses_are_finite_for_extreme_logits():
    big = torch.tensor([-200.0, 200.0])
    for value in (
        gan.discriminator_loss(big, big),
        gan.generator_loss_saturating(big),
        gan.generator_loss_nonsaturating(big),
    ):
        assert torch.isfinite(value)


# ---------------------------------------------------------------- ring and modes
def test_ring_samples_cover_all_modes_and_collapsed_ones_do_not():
    centers = gan.ring_centers(8, 2.0)
    assert centers.shape == (8, 2)
    torch.testing.assert_close(centers.norm(dim=1), torch.full((8,), 2.0))
    x = gan.ring_of_gaussians(4_000, std=0.05, generator=gen())
    cov = gan.mode_coverage(x, centers, std=0.05)
    assert cov.covered == 8 and cov.high_quality > 0.98
    assert int(cov.counts.sum()) == round(cov.high_quality * 4_000)
    collapsed = centers[torch.tensor([0, 3])].repeat(500, 1)
    assert gan.mode_coverage(collapsed, centers, std=0.05).covered == 2
    far = torch.zeros(100, 2)  # the centre of the ring: near no mode
    cov = gan.mode_coverage(far, centers, std=0.05)
    assert cov.covered == 0 and cov.high_quality == 0.0


def test_ring_and_modes_bad_input():
    with pytest.raises(ValueError, match="std"):
        gan.ring_of_gaussians(10, std=0.0)
    with pytest.raises(ValueError, match=r"samples \(n, d\)"):
        gan.mode_coverage(torch.zeros(5, 3), gan.ring_centers(), std=0.1)
    with pytest.raises(ValueError, match="at least one"):
        gan.mode_coverage(torch.zeros(0, 2), gan.ring_centers(), std=0.1)
    with pytest.raises(ValueError, match="one centre"):
        gan.mode_coverage(torch.zeros(3, 2), torch.zeros(0, 2), std=0.1)
    with pytest.raises(ValueError, match="std > 0"):
        gan.mode_coverage(torch.zeros(3, 2), gan.ring_centers(), std=0.0)


def test_public_functions_call_the_taught_core():
    # the chapter shows dlbook_utils._gan_core; the public module only adds checks
    from dlbook_utils import _gan_core

    assert gan.discriminator_loss is _gan_core.discriminator_loss
    assert gan.ModeCoverage is _gan_core.ModeCoverage
    x = gan.ring_of_gaussians(300, generator=gen(5)).numpy()  # arrays are accepted
    ours = gan.mode_coverage(x, gan.ring_centers(), 0.05)
    core = _gan_core.mode_coverage(torch.from_numpy(x), gan.ring_centers(), 0.05)
    assert (ours.covered, ours.high_quality) == (core.covered, core.high_quality)
    assert torch.equal(ours.counts, core.counts)


# ---------------------------------------------------------------- Fréchet distance
def test_frechet_zero_for_a_set_and_itself_and_symmetric():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((500, 6)) @ rng.standard_normal((6, 6))
    b = rng.standard_normal((400, 6)) + 0.5
    assert abs(gan.frechet_distance_features(a, a)) < 1e-9
    ab, ba = gan.frechet_distance_features(a, b), gan.frechet_distance_features(b, a)
    assert ab > 0.1
    assert ab == pytest.approx(ba, rel=1e-9)


def test_frechet_grows_with_added_noise():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2_000, 5))
    noise = rng.standard_normal((2_000, 5))
    dists = [gan.frechet_distance_features(a, a + s * noise) for s in (0, 0.3, 1, 3)]
    assert dists[0] == pytest.approx(0, abs=1e-9)
    assert all(x < y for x, y in zip(dists[:-1], dists[1:], strict=True))


def test_frechet_closed_form_for_diagonal_covariances():
    rng = np.random.default_rng(2)
    mu1, mu2 = rng.standard_normal(4), rng.standard_normal(4)
    v1, v2 = rng.uniform(0.1, 3, 4), rng.uniform(0.1, 3, 4)
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(v1) - np.sqrt(v2)) ** 2).sum()
    got = gan.frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2))
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("d", [1, 3, 10])
def test_frechet_matches_scipy_sqrtm_on_full_covariances(d):
    rng = np.random.default_rng(d)
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    s1, s2 = random_cov(rng, d), random_cov(rng, d)
    root = scipy.linalg.sqrtm(s1 @ s2).real  # the formula as pytorch-fid writes it
    diff = mu1 - mu2
    expected = diff @ diff + np.trace(s1 + s2 - 2 * root)
    got = gan.frechet_distance(torch.from_numpy(mu1), s1, mu2, torch.from_numpy(s2))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-10)


def test_frechet_symmetrises_slightly_asymmetric_covariances():
    rng = np.random.default_rng(5)
    s1, s2 = random_cov(rng, 4), random_cov(rng, 4)
    mu = rng.standard_normal(4)
    bump = np.zeros((4, 4))
    bump[0, 3] = 1e-9  # upper triangle only: rounding-like asymmetry
    exact = gan.frechet_distance(mu, s1, 0 * mu, s2)
    assert gan.frechet_distance(mu, s1 + bump, 0 * mu, s2 + bump) == pytest.approx(
        gan.frechet_distance(mu, s1 + bump.T, 0 * mu, s2 + bump.T), rel=1e-12
    )
    assert gan.frechet_distance(mu, s1 + bump, 0 * mu, s2) == pytest.approx(exact, abs=1e-8)


def test_frechet_handles_singular_covariances():
    # fewer samples than features: rank-deficient covariances, still a finite distance
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((5, 20)), rng.standard_normal((5, 20)) + 1
    assert abs(gan.frechet_distance_features(a, a)) < 1e-9
    assert np.isfinite(gan.frechet_distance_features(a, b))


def test_feature_statistics_match_numpy():
    x = np.random.default_rng(4).standard_normal((50, 3))
    mu, sigma = gan.feature_statistics(torch.from_numpy(x))
    np.testing.assert_allclose(mu, x.mean(0))
    np.testing.assert_allclose(sigma, np.cov(x, rowvar=False))


def test_frechet_bad_input():
    with pytest.raises(ValueError, match="different feature sizes: 3 and 4"):
        gan.frechet_distance_features(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        gan.frechet_distance_features(np.zeros((1, 3)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"shape \(n, d\)"):
        gan.frechet_distance_features(np.zeros(10), np.zeros(10))
    with pytest.raises(ValueError, match="NaN"):
        gan.frechet_distance_features(np.full((4, 2), np.nan), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="one d"):
        gan.frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="one d"):
        gan.frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), np.eye(3))


# ---------------------------------------------------------------- models
def test_mlp_pair_shapes_and_pinned_counts():
    g, d = MLPGenerator(), MLPDiscriminator()
    assert count_parameters(g) == 33_666 and count_parameters(d) == 33_537
    z = torch.randn(9, 2, generator=gen())
    assert g(z).shape == (9, 2) and d(g(z)).shape == (9,)
    assert count_parameters(MLPGenerator(4, 16, 1, 3)) == (4 * 16 + 16) + (16 * 3 + 3)


def test_dcgan_pair_shapes_range_and_pinned_counts():
    g, d = DCGANGenerator(), DCGANDiscriminator()
    assert count_parameters(g) == 234_177 and count_parameters(d) == 36_577
    z = torch.randn(6, 64, generator=gen())
    x = g(z)
    assert x.shape == (6, 1, 28, 28) and x.abs().max() <= 1
    assert d(x).shape == (6,)
    small = DCGANGenerator(latent_dim=8, channels=4)
    assert small(torch.randn(2, 8)).shape == (2, 1, 28, 28)
    assert DCGANDiscriminator(4)(torch.randn(2, 1, 28, 28)).shape == (2,)


def test_dcgan_pair_trains_one_step_both_ways():
    torch.manual_seed(0)
    g, d = DCGANGenerator(16, 8), DCGANDiscriminator(8)
    real = torch.rand(8, 1, 28, 28) * 2 - 1
    fake = g(torch.randn(8, 16))
    loss_d = gan.discriminator_loss(d(real), d(fake.detach()))
    loss_d.backward()
    assert all(p.grad is not None for p in d.parameters())
    assert all(p.grad is None for p in g.parameters())  # detached: G untouched
    gan.generator_loss_nonsaturating(d(fake)).backward()
    assert all(p.grad is not None for p in g.parameters())


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPGenerator(latent_dim=0),
        lambda: MLPDiscriminator(hidden_size=2.5),
        lambda: DCGANGenerator(channels=0),
        lambda: DCGANDiscriminator(channels=True),
    ],
)
def test_models_bad_sizes(make):
    with pytest.raises(ValueError, match="positive integer"):
        make()
