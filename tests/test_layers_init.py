"""dlbook_utils.layers.init against torch.nn.init: gains, fans, draws and distributions."""

import math

import pytest
import torch
from torch import nn

from dlbook_utils.layers import init as I

SHAPES = [(300, 200), (64, 32, 3, 3), (10, 400), (128, 16, 5), (20, 3, 2, 2, 2)]


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
     ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0),
     ("selu", None)],
)  # fmt: skip
def test_gain(nonlinearity, param):
    assert I.calculate_gain(nonlinearity, param) == pytest.approx(
        nn.init.calculate_gain(nonlinearity, param), rel=1e-15
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_fans(shape):
    w = torch.empty(shape)
    assert I.calculate_fan_in_and_fan_out(w) == nn.init._calculate_fan_in_and_fan_out(w)


def test_fans_of_conv_weight_by_hand():
    assert I.calculate_fan_in_and_fan_out(torch.empty(64, 32, 3, 3)) == (288, 576)


CASES = [
    ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": 5 / 3}),
    ("xavier_normal_", {}),
    ("xavier_normal_", {"gain": 2.0}),
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),  # what nn.Linear uses
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"nonlinearity": "relu"}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_same_generator_same_numbers(name, kwargs, shape):
    ours = getattr(I, name)(
        torch.empty(shape), generator=torch.Generator().manual_seed(3), **kwargs
    )
    ref = getattr(nn.init, name)(
        torch.empty(shape), generator=torch.Generator().manual_seed(3), **kwargs
    )
    assert torch.equal(ours, ref)


def expected_std(name, kwargs, shape):
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    if name.startswith("xavier"):
        return kwargs.get("gain", 1.0) * math.sqrt(2 / (fan_in + fan_out))
    fan = fan_in if kwargs.get("mode", "fan_in") == "fan_in" else fan_out
    gain = nn.init.calculate_gain(
        kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0)
    )
    return gain / math.sqrt(fan)


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_distribution(name, kwargs, shape):
    w = getattr(I, name)(
        torch.empty(shape, dtype=torch.float64),
        generator=torch.Generator().manual_seed(0), **kwargs,
    )  # fmt: skip
    std = expected_std(name, kwargs, shape)
    n = w.numel()  # 60,000 or 18,432 draws
    # the sample variance's relative standard error is sqrt(2 / n) (normal) or
    # sqrt(0.8 / n) (uniform); 5 of them is a band that holds
    assert abs(w.var().item() / std**2 - 1) < 5 * math.sqrt(2 / n)
    assert abs(w.mean().item()) < 5 * std / math.sqrt(n)
    if "uniform" in name:
        bound = math.sqrt(3) * std
        assert w.abs().max().item() <= bound
        assert w.abs().max().item() > 0.99 * bound  # the bound is reached, not smaller
    else:
        # a normal: about 4.55% of draws beyond 2 std
        beyond = (w.abs() > 2 * std).double().mean().item()
        assert abs(beyond - 0.0455) < 5 * math.sqrt(0.0455 * 0.9545 / n)


def test_xavier_uniform_bound_formula():
    w = I.xavier_uniform_(torch.empty(50, 30, dtype=torch.float64))
    assert w.abs().max().item() <= math.sqrt(6 / 80)


def test_fills_in_place_without_grad():
    layer = nn.Linear(5, 4)
    out = I.kaiming_normal_(layer.weight, nonlinearity="relu")
    assert out is layer.weight and layer.weight.requires_grad


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        I.xavier_uniform_(torch.empty(5))
    with pytest.raises(ValueError, match="mode must be"):
        I.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        I.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope"):
        I.calculate_gain("leaky_relu", "big")
    with pytest.raises(TypeError, match="torch.Tensor"):
        I.calculate_fan_in_and_fan_out([[1.0]])
