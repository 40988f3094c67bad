"""Normalizing flows: log-determinants against the autograd Jacobian, exact inverses."""

import math

import pytest
import torch
from torch.autograd.functional import jacobian

from dlbook_utils.models import (
    AffineCoupling,
    LogitTransform,
    MultiScaleFlow,
    RealNVP2d,
    TanhFlow1d,
    bits_per_dim,
)
from dlbook_utils.models.flows_image import _cnn, channel_mask, checkerboard_mask


def _randomise(module, seed, std=0.3):
    """Perturb every parameter: zero-initialised layers would make identity maps."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(std * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return module


def _jacobian_logdet(f, x):
    """log |det J_f(x)| for each row of x, by autograd: x (N, ...) -> (N,)."""
    out = []
    for xi in x:
        J = jacobian(lambda v: f(v[None])[0][0], xi)
        d = xi.numel()
        out.append(torch.linalg.slogdet(J.reshape(d, d))[1])
    return torch.stack(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tanh_flow_1d_logdet_inverse_and_normalised(seed):
    torch.manual_seed(seed)
    flow = _randomise(TanhFlow1d(6, generator=torch.Generator().manual_seed(seed)), seed)
    flow = flow.double()
    x = torch.randn(20, dtype=torch.float64) * 3
    z, log_d = flow(x)
    dz = torch.autograd.grad(flow(x.requires_grad_())[0].sum(), x)[0]
    torch.testing.assert_close(log_d, dz.log())
    torch.testing.assert_close(flow.inverse(z), x.detach(), atol=1e-10, rtol=0)
    grid = torch.linspace(-40, 40, 200_001, dtype=torch.float64)
    with torch.no_grad():
        mass = flow.log_prob(grid).exp().sum() * (grid[1] - grid[0])
    assert abs(float(mass) - 1) < 1e-4


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dim", [2, 3, 5])
def test_affine_coupling_logdet_matches_autograd(seed, dim):
    torch.manual_seed(seed)
    mask = (torch.rand(dim) < 0.5).float()
    layer = _randomise(AffineCoupling(mask, hidden=8), seed).double()
    x = torch.randn(4, dim, dtype=torch.float64)
    z, log_det = layer(x)
    torch.testing.assert_close(log_det, _jacobian_logdet(layer, x))
    torch.testing.assert_close(z[:, mask == 1], x[:, mask == 1])  # unchanged part
    torch.testing.assert_close(layer.inverse(z), x)
    torch.testing.assert_close(layer(layer.inverse(x))[0], x)


@pytest.mark.parametrize("kind", ["checkerboard", "channel"])
@pytest.mark.parametrize("parity", [0, 1])
def test_image_coupling_logdet_on_tiny_images(kind, parity):
    torch.manual_seed(parity)
    c, h, w = (1, 4, 4) if kind == "checkerboard" else (4, 2, 2)
    make = checkerboard_mask if kind == "checkerboard" else channel_mask
    mask = make(c, h, w, parity)
    assert mask.sum() == mask.numel() / 2
    layer = _randomise(AffineCoupling(mask, _cnn(c, 6)), parity).double()
    x = torch.randn(3, c, h, w, dtype=torch.float64)
    z, log_det = layer(x)
    torch.testing.assert_close(log_det, _jacobian_logdet(layer, x))
    torch.testing.assert_close(layer.inverse(z), x)


def test_logit_transform_logdet_and_inverse():
    t = LogitTransform(0.05)
    x = torch.rand(3, 1, 2, 2, dtype=torch.float64)
    y, log_det = t(x)
    torch.testing.assert_close(log_det, _jacobian_logdet(t, x))
    torch.testing.assert_close(t.inverse(y), x)


@pytest.mark.parametrize("seed", [0, 1])
def test_realnvp2d_logdet_inverse_and_shapes(seed):
    torch.manual_seed(seed)
    flow = _randomise(RealNVP2d(n_layers=4, hidden=16), seed).double()
    masks = [layer.mask.tolist() for layer in flow.layers]
    assert masks == [[1, 0], [0, 1], [1, 0], [0, 1]]
    x = torch.randn(6, 2, dtype=torch.float64)
    z, log_det = flow(x)
    assert z.shape == (6, 2) and log_det.shape == (6,)
    torch.testing.assert_close(log_det, _jacobian_logdet(flow, x))
    torch.testing.assert_close(flow.inverse(z), x)
    torch.testing.assert_close(flow(flow.inverse(x))[0], x)
    s = flow.sample(7, generator=torch.Generator().manual_seed(0), temperature=0.5)
    assert s.shape == (7, 2) and s.dtype == torch.float64


@pytest.mark.parametrize("seed", [0, 1])
def test_realnvp2d_density_integrates_to_one(seed):
    torch.manual_seed(seed)
    flow = _randomise(RealNVP2d(n_layers=4, hidden=16), seed, std=0.2).double()
    u = torch.linspace(-12, 12, 801, dtype=torch.float64)
    xx, yy = torch.meshgrid(u, u, indexing="ij")
    with torch.no_grad():
        p = flow.log_prob(torch.stack([xx.ravel(), yy.ravel()], 1)).exp()
    mass = float(p.sum() * (u[1] - u[0]) ** 2)
    assert abs(mass - 1) < 0.02, mass


def test_multiscale_flow_logdet_inverse_and_shapes():
    torch.manual_seed(0)
    flow = _randomise(MultiScaleFlow(hidden=4, n_couplings=2), 0, std=0.05).double()
    x = torch.rand(2, 1, 28, 28, dtype=torch.float64) * 0.9 + 0.05
    z, log_det = flow(x)
    assert z.shape == (2, 784) and log_det.shape == (2,)
    torch.testing.assert_close(flow.inverse(z), x)
    torch.testing.assert_close(flow(flow.inverse(z))[0], z)
    J = jacobian(lambda v: flow(v[None])[0][0], x[0], vectorize=True)
    ref = torch.linalg.slogdet(J.reshape(784, 784))[1]
    torch.testing.assert_close(log_det[0], ref)
    assert flow.log_prob(x).shape == (2,)
    assert flow.sample(3, torch.Generator().manual_seed(0)).shape == (3, 1, 28, 28)


def test_bits_per_dim_of_the_uniform_density_is_eight():
    assert math.isclose(bits_per_dim(0.0, 784), 8.0)


def test_bad_input_is_rejected_with_clear_errors():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        RealNVP2d()(torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"\(N,\)"):
        TanhFlow1d()(torch.zeros(3, 1))
    with pytest.raises(ValueError, match="0 and 1"):
        AffineCoupling(torch.tensor([0.5, 1.0]))
    with pytest.raises(ValueError, match="give a net"):
        AffineCoupling(torch.ones(1, 2, 2))
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        MultiScaleFlow(hidden=2, n_couplings=1)(torch.zeros(2, 1, 14, 14))
    with pytest.raises(ValueError, match=r"\(N, 784\)"):
        MultiScaleFlow(hidden=2, n_couplings=1).inverse(torch.zeros(2, 10))
    with pytest.raises(ValueError, match="n_layers"):
        RealNVP2d(n_layers=0)
    with pytest.raises(TypeError, match="torch.Tensor"):
        TanhFlow1d()([1.0, 2.0])
