"""dlbook_utils.layers batch norm against torch: core vs autograd, layers vs nn.BatchNorm."""

import numpy as np
import pytest
import torch
from torch import nn

from dlbook_utils import layers as L
from dlbook_utils.testing import check_close, compare_modules, compare_with_torch

DT = torch.float64


def core_by_autograd(x, gamma, beta, eps):
    """The forward formula differentiated by autograd: the reference for the backward."""
    mean = x.mean(dim=0)
    var = ((x - mean) ** 2).mean(dim=0)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


@pytest.mark.parametrize("seed", range(20))
def test_core_backward_equals_autograd(seed):
    g = torch.Generator().manual_seed(seed)
    m, c = int(torch.randint(2, 30, (1,), generator=g)), int(torch.randint(1, 8, (1,)))
    x = torch.randn(m, c, generator=g, dtype=DT) * 3 + 2
    gamma = torch.randn(c, generator=g, dtype=DT)
    beta = torch.randn(c, generator=g, dtype=DT)
    eps = float(10 ** torch.empty(1).uniform_(-6, -1, generator=g))

    def ours(x, gamma, beta):
        return L.BatchNormFunction.apply(x, gamma, beta, eps)[0]

    compare_with_torch(
        ours, lambda *a: core_by_autograd(*a, eps), x, gamma, beta,
        names=["x", "gamma", "beta"],
    )  # fmt: skip
    # and the pure functions directly
    y, cache, mean, var = L.batch_norm_forward(x, gamma, beta, eps)
    dy = torch.randn(m, c, generator=g, dtype=DT)
    dx, dgamma, dbeta = L.batch_norm_backward(dy, gamma, cache)
    leaves = [t.clone().requires_grad_() for t in (x, gamma, beta)]
    core_by_autograd(*leaves, eps).backward(dy)
    grads = {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}
    for (name, ours_grad), leaf in zip(grads.items(), leaves, strict=True):
        check_close(name, ours_grad, leaf.grad, atol=1e-10, verbose=False)
    check_close("mean", mean, x.mean(0), verbose=False)
    check_close("var", var, x.var(0, unbiased=False), verbose=False)


def random_config(seed):
    rng = np.random.default_rng(seed)
    return {
        "eps": float(rng.choice([1e-5, 1e-3, 0.1])),
        "momentum": [0.1, 0.3, None, 1.0][seed % 4],
        "affine": bool(rng.random() < 0.75),
        "track_running_stats": bool(rng.random() < 0.8),
    }


def shape_for(kind, seed, c):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    if kind == "2d":
        return (n, c, int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    return (n, c) if seed % 2 else (n, c, int(rng.integers(1, 6)))


@pytest.mark.parametrize("kind", ["1d", "2d"])
@pytest.mark.parametrize("seed", range(16))
def test_layers_equal_torch_over_training_then_eval(kind, seed):
    g = torch.Generator().manual_seed(seed)
    c = int(torch.randint(1, 6, (1,), generator=g))
    kwargs = random_config(seed)
    ours_cls, ref_cls = {
        "1d": (L.BatchNorm1d, nn.BatchNorm1d),
        "2d": (L.BatchNorm2d, nn.BatchNorm2d),
    }[kind]
    ref = ref_cls(c, **kwargs).double()
    ours = ours_cls(c, **kwargs).double()
    if kwargs["affine"]:
        with torch.no_grad():
            ref.weight.normal_(generator=g)
            ref.bias.normal_(generator=g)
    ours.load_state_dict(ref.state_dict())
    assert ours.state_dict().keys() == ref.state_dict().keys()
    opt_ours = torch.optim.SGD(ours.parameters(), lr=0.1) if kwargs["affine"] else None
    opt_ref = torch.optim.SGD(ref.parameters(), lr=0.1) if kwargs["affine"] else None
    for step in range(5):
        x = torch.randn(shape_for(kind, seed * 10 + step, c), generator=g, dtype=DT)
        x = x * 2 + 1
        compare_modules(ours, ref, x, seed=step)  # output, input and parameter grads
        if opt_ours is not None:
            opt_ours.step()
            opt_ref.step()
        for name, buf in ref.named_buffers():
            assert torch.allclose(dict(ours.named_buffers())[name], buf, atol=1e-12), name
    ours.eval()
    ref.eval()
    x = torch.randn(shape_for(kind, seed + 999, c), generator=g, dtype=DT)
    compare_with_torch(ours, ref, x)
    if kwargs["affine"]:
        check_close("weight", ours.weight, ref.weight, verbose=False)


def test_running_var_is_unbiased_and_counts_batches():
    bn = L.BatchNorm1d(3, momentum=1.0).double()
    x = torch.randn(7, 3, dtype=DT)
    bn(x)
    check_close("running_var", bn.running_var, x.var(0, unbiased=True), verbose=False)
    check_close("running_mean", bn.running_mean, x.mean(0), verbose=False)
    assert bn.num_batches_tracked.item() == 1
    bn(x)
    assert bn.num_batches_tracked.item() == 2


def test_cumulative_average_with_momentum_none():
    bn = L.BatchNorm1d(2, momentum=None).double()
    xs = [torch.randn(5, 2, dtype=DT) for _ in range(4)]
    for x in xs:
        bn(x)
    expected = torch.stack([x.mean(0) for x in xs]).mean(0)
    check_close("cumulative mean", bn.running_mean, expected, verbose=False)


def test_mode_chosen_by_training_flag_not_by_grad():
    bn = L.BatchNorm1d(4).double()
    x = torch.randn(6, 4, dtype=DT) + 5
    with torch.no_grad():
        y = bn(x)  # still training: batch statistics, buffers updated
    assert torch.allclose(y.mean(0), torch.zeros(4, dtype=DT), atol=1e-12)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    before = bn.running_mean.clone()
    y_eval = bn(x.requires_grad_())
    assert torch.equal(bn.running_mean, before) and bn.num_batches_tracked.item() == 1
    assert not torch.allclose(y_eval.mean(0), torch.zeros(4, dtype=DT), atol=1e-3)


def test_float32_and_load_from_torch():
    ref = nn.BatchNorm2d(3)
    ref(torch.randn(4, 3, 5, 5))  # non-trivial running statistics
    ours = L.BatchNorm2d(3)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(2, 3, 5, 5)
    check_close("train", ours(x), ref(x), atol=1e-5, verbose=False)
    check_close("eval", ours.eval()(x), ref.eval()(x), atol=1e-5, verbose=False)


@pytest.mark.parametrize(
    ("make", "x", "message"),
    [
        (lambda: L.BatchNorm1d(3), torch.randn(4, 5), "expects 3 features"),
        (lambda: L.BatchNorm1d(3), torch.randn(4), r"\(N, C\) or \(N, C, L\)"),
        (lambda: L.BatchNorm2d(3), torch.randn(4, 3, 2), r"\(N, C, H, W\)"),
        (lambda: L.BatchNorm1d(3), torch.randn(1, 3), "more than 1 value"),
    ],
)
def test_bad_input(make, x, message):
    with pytest.raises(ValueError, match=message):
        make()(x)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_features": 0}, "num_features"),
        ({"num_features": 3, "eps": 0}, "eps"),
        ({"num_features": 3, "momentum": 2}, "momentum"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        L.BatchNorm1d(**kwargs)
    with pytest.raises(TypeError, match="expects a torch.Tensor"):
        L.BatchNorm1d(3)([1.0, 2.0, 3.0])
