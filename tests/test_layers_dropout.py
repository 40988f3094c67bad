"""dlbook_utils.layers dropout: equal to nn.Dropout under the same mask; means and variances."""

import pytest
import torch
from torch import nn

from dlbook_utils import layers as L
from dlbook_utils.testing import compare_with_torch

DT = torch.float64


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_same_generator_state_gives_same_mask_and_output(p):
    # torch's CPU dropout draws bernoulli_(1 - p) from the global generator: seeding it
    # the same way before each call makes the two masks equal.
    x = torch.randn(30, 20, dtype=DT)

    def ours(x):
        torch.manual_seed(7)
        return L.Dropout(p)(x)

    def ref(x):
        torch.manual_seed(7)
        return nn.Dropout(p)(x)

    compare_with_torch(ours, ref, x, atol=0, rtol=0)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_mask_recovered_from_torch_output(p):
    # The other way to make the masks equal: read torch's mask off its output
    # (x has no zeros) and pass it to ours.
    x = torch.rand(40, 10, dtype=DT) + 0.5
    ref = nn.Dropout(p)(x)
    mask = (ref != 0).to(DT)
    ours = L.Dropout(p)(x, mask=mask)
    assert torch.equal(ours, ref)
    classic = L.ClassicDropout(p)(x, mask=mask)
    assert torch.allclose(classic, ref * (1 - p), atol=1e-15)


def test_eval_mode():
    x = torch.randn(5, 6, dtype=DT)
    assert torch.equal(L.Dropout(0.3).eval()(x), nn.Dropout(0.3).eval()(x))
    assert torch.allclose(L.ClassicDropout(0.3).eval()(x), 0.7 * x)


def test_own_generator_is_reproducible():
    x = torch.ones(100)
    a = L.Dropout(0.5, generator=torch.Generator().manual_seed(1))(x)
    b = L.Dropout(0.5, generator=torch.Generator().manual_seed(1))(x)
    assert torch.equal(a, b)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
def test_means_and_variances(p):
    # One input value a, n draws: inverted has mean a and variance a^2 p / (1 - p) in
    # training; classic has mean a (1 - p) in training, the value it gives at test time.
    n, a = 400_000, 1.5
    g = torch.Generator().manual_seed(0)
    x = torch.full((n,), a, dtype=DT)
    inv = L.Dropout(p, generator=g)(x)
    cls = L.ClassicDropout(p, generator=g)(x)
    se = a * (p * (1 - p) / n) ** 0.5 / (1 - p)  # standard error of inv.mean()
    assert abs(inv.mean().item() - a) < 5 * se
    assert abs(inv.var().item() / (a**2 * p / (1 - p)) - 1) < 0.02
    assert abs(cls.mean().item() - a * (1 - p)) < 5 * se * (1 - p)
    assert abs(cls.var().item() / (a**2 * p * (1 - p)) - 1) < 0.02
    assert cls.mean().item() == pytest.approx(
        L.ClassicDropout(p).eval()(x).mean().item(), rel=0.01
    )
    kept = (inv != 0).double().mean().item()
    assert abs(kept - (1 - p)) < 5 * (p * (1 - p) / n) ** 0.5


def test_gradient_flows_through_kept_entries_only():
    x = torch.randn(8, 8, dtype=DT, requires_grad=True)
    mask = (torch.rand(8, 8) > 0.5).to(DT)
    L.Dropout(0.5)(x, mask=mask).sum().backward()
    assert torch.equal(x.grad, mask * 2)


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True])
def test_bad_p(p):
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\]"):
        L.Dropout(p)


def test_bad_mask_and_input():
    with pytest.raises(ValueError, match="mask must have the input's shape"):
        L.Dropout(0.5)(torch.ones(3, 4), mask=torch.ones(4, 3))
    with pytest.raises(TypeError, match="expects a torch.Tensor"):
        L.Dropout(0.5)([1.0, 2.0])
