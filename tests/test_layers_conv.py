"""dlbook_utils.layers.conv against F.conv2d and nn.Conv2d: values, every gradient, errors."""

import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlbook_utils import layers as L
from dlbook_utils.testing import compare_modules, compare_with_torch

DT = torch.float64


def conv2d_loops(input, weight, bias, stride, padding, dilation, groups):
    """The definition, one multiply-add at a time (NumPy): the reference for tiny cases."""
    x, wt = input.numpy(), weight.numpy()
    n, _, h, w = x.shape
    k, c_group, kh, kw = wt.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, k, out_h, out_w))
    for b, o, y, z in itertools.product(range(n), range(k), range(out_h), range(out_w)):
        first = o // (k // groups) * c_group  # first input channel of o's group
        total = 0.0 if bias is None else float(bias[o])
        for c, i, j in itertools.product(range(c_group), range(kh), range(kw)):
            total += wt[o, c, i, j] * x[b, first + c, y * sh + i * dh, z * sw + j * dw]
        out[b, o, y, z] = total
    return torch.from_numpy(out)


@dataclass
class Case:
    """One random convolution: shapes and F.conv2d keyword arguments."""

    seed: int
    input_shape: tuple
    weight_shape: tuple
    bias: bool
    kwargs: dict = field(default_factory=dict)
    padding_mode: str = "zeros"

    def __str__(self):
        kw = ",".join(f"{k}={v}" for k, v in self.kwargs.items()).replace(" ", "")
        return f"{self.seed}:x{list(self.input_shape)}w{list(self.weight_shape)}{kw}"


def _maybe_pair(rng, low, high):
    """An int, or a pair of ints (as a tuple) half the time, each in [low, high)."""
    if rng.random() < 0.5:
        return int(rng.integers(low, high))
    return tuple(int(v) for v in rng.integers(low, high, size=2))


def _pairs(value):
    return value if isinstance(value, tuple) else (value, value)


def random_case(seed, padding_mode="zeros"):
    """A seeded random configuration covering groups, strings, pairs, unbatched input."""
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 1, 2, 3]))
    c_in, c_out = (groups * int(v) for v in rng.integers(1, 3, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    dilation = _maybe_pair(rng, 1, 3)
    padding = rng.choice(["int", "pair", "valid", "same"], p=[0.3, 0.3, 0.15, 0.25])
    if padding in ("valid", "same"):
        padding = str(padding)
    else:
        padding = (
            _maybe_pair(rng, 0, 3)
            if padding == "int"
            else tuple(int(v) for v in rng.integers(0, 3, size=2))
        )
    stride = 1 if padding == "same" else _maybe_pair(rng, 1, 4)
    sizes = []
    for k, d, p in zip((kh, kw), _pairs(dilation), _pairs(padding), strict=True):
        extent = d * (k - 1) + 1
        p = 0 if isinstance(p, str) else p
        smallest = max(1, extent - 2 * p, p + 1 if padding_mode != "zeros" else 1)
        if padding == "same" and padding_mode != "zeros":
            smallest = max(smallest, extent)  # reflect needs padding < size
        sizes.append(smallest + int(rng.integers(0, 5)))
    n = int(rng.integers(1, 4))
    batch = () if rng.random() < 0.15 else (n,)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return Case(
        seed,
        (*batch, c_in, *sizes),
        (c_out, c_in // groups, kh, kw),
        bool(rng.random() < 0.7),
        kwargs,
        padding_mode,
    )


CASES = [random_case(seed) for seed in range(90)]
MODULE_CASES = [random_case(1000 + i, L.PADDING_MODES[i % 4]) for i in range(40)]


def tensors(case):
    g = torch.Generator().manual_seed(case.seed)
    x = torch.randn(case.input_shape, generator=g, dtype=DT)
    w = torch.randn(case.weight_shape, generator=g, dtype=DT)
    b = torch.randn(case.weight_shape[0], generator=g, dtype=DT)
    return (x, w, b) if case.bias else (x, w)


@pytest.fixture(autouse=True)
def quiet_torch_same():
    """torch warns once about the extra copy 'same' makes for even kernels; we do not care."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same'")
        yield


def test_the_random_cases_cover_the_options():
    paddings = [c.kwargs["padding"] for c in CASES]
    assert {"same", "valid"} <= set(paddings)
    assert any(isinstance(p, tuple) and p[0] != p[1] for p in paddings)
    assert any(isinstance(p, int) and p > 0 for p in paddings)
    assert {1, 2, 3} <= {c.kwargs["groups"] for c in CASES}
    assert any(c.kwargs["stride"] not in (1, (1, 1)) for c in CASES)
    assert any(c.kwargs["dilation"] not in (1, (1, 1)) for c in CASES)
    assert any(len(c.input_shape) == 3 for c in CASES)
    assert {True, False} == {c.bias for c in CASES}
    assert any(c.weight_shape[2] != c.weight_shape[3] for c in CASES)
    # "same" with an odd total D(F - 1) (even kernel): torch's asymmetric split
    same = [c for c in CASES if c.kwargs["padding"] == "same"]
    totals = [
        d * (k - 1)
        for c in same
        for k, d in zip(c.weight_shape[2:], _pairs(c.kwargs["dilation"]), strict=True)
    ]
    assert any(t % 2 for t in totals)
    # padding modes other than zeros in the module cases
    assert {c.padding_mode for c in MODULE_CASES} == set(L.PADDING_MODES)
    assert any(c.kwargs["padding"] == "same" for c in MODULE_CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_conv2d_matches_torch_forward_and_backward(case):
    inputs = tensors(case)
    names = ["input", "weight", "bias"][: len(inputs)]
    diffs = compare_with_torch(
        lambda *t: L.conv2d(*t, **case.kwargs),
        lambda *t: F.conv2d(*t, **case.kwargs),
        *inputs,
        names=names,
        seed=case.seed,
    )
    assert set(diffs) == {"output", *names}  # every gradient was compared


@pytest.mark.parametrize(
    "kwargs",
    [
        {"stride": (1, 1), "padding": (0, 0), "dilation": (1, 1), "groups": 1},
        {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2},
        {"stride": (1, 3), "padding": (2, 0), "dilation": (2, 1), "groups": 4},
    ],
)
def test_im2col_core_matches_the_loops(kwargs):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, 6, 7, generator=g, dtype=DT)
    w = torch.randn(4, 4 // kwargs["groups"], 3, 2, generator=g, dtype=DT)
    b = torch.randn(4, generator=g, dtype=DT)
    expected = conv2d_loops(x, w, b, **kwargs)
    torch.testing.assert_close(L.conv2d_im2col(x, w, b, **kwargs), expected)
    torch.testing.assert_close(L.conv2d(x, w, None, **kwargs), expected - b[:, None, None])


def test_gradcheck_grouped_strided_dilated():
    g = torch.Generator().manual_seed(1)
    x, w, b = (
        torch.randn(s, generator=g, dtype=DT, requires_grad=True)
        for s in [(2, 4, 5, 6), (2, 2, 2, 3), (2,)]
    )
    kw = {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}
    assert torch.autograd.gradcheck(lambda *t: L.conv2d(*t, **kw), (x, w, b))
    # "same" with an even kernel: the extra row and column at the bottom and right
    assert torch.autograd.gradcheck(
        lambda *t: L.conv2d(*t, padding="same", groups=2), (x, w, b)
    )


def test_float32_channels_last_and_empty_batch():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 3, 9, 8, generator=g)
    w = torch.randn(5, 3, 3, 3, generator=g)
    ours = L.conv2d(x, w, padding=1)
    assert ours.dtype == torch.float32
    torch.testing.assert_close(ours, F.conv2d(x, w, padding=1))
    cl = x.to(memory_format=torch.channels_last)
    wl = w.to(memory_format=torch.channels_last)
    torch.testing.assert_close(L.conv2d(cl, wl, padding=1), F.conv2d(x, w, padding=1))
    assert L.conv2d(x[:0], w).shape == F.conv2d(x[:0], w).shape == (0, 5, 7, 6)


def modules(case, seed=0):
    """Our Conv2d and torch's from the same arguments, each built right after seeding."""
    c_out, c_group, kh, kw = case.weight_shape
    groups = case.kwargs["groups"]
    args = (c_group * groups, c_out, (kh, kw))
    kwargs = dict(case.kwargs, bias=case.bias, padding_mode=case.padding_mode, dtype=DT)
    torch.manual_seed(seed)
    ours = L.Conv2d(*args, **kwargs)
    torch.manual_seed(seed)
    ref = nn.Conv2d(*args, **kwargs)
    return ours, ref


@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: f"{c.padding_mode}-{c}")
def test_conv2d_module_matches_torch(case):
    ours, ref = modules(case, seed=case.seed)
    # the same default initialisation draws the same numbers
    for (name, p), (ref_name, q) in zip(
        ours.named_parameters(), ref.named_parameters(), strict=True
    ):
        assert name == ref_name
        assert torch.equal(p, q), name
    assert repr(ours) == repr(ref)
    for attr in ["in_channels", "out_channels", "kernel_size", "stride", "padding"]:
        assert getattr(ours, attr) == getattr(ref, attr), attr
    for attr in ["dilation", "groups", "padding_mode"]:
        assert getattr(ours, attr) == getattr(ref, attr), attr
    x = tensors(case)[0]
    diffs = compare_modules(ours, ref, x, seed=case.seed)
    assert set(diffs) == {"output", "input0", *dict(ref.named_parameters())}


def test_state_dict_loads_both_ways():
    ours, ref = modules(random_case(7))
    ref_state = {k: v + 1 for k, v in ref.state_dict().items()}
    ours.load_state_dict(ref_state)
    ref.load_state_dict({k: 2 * v for k, v in ours.state_dict().items()})
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight", "bias"]
    for k, v in ours.state_dict().items():
        assert torch.equal(2 * v, ref.state_dict()[k])
    no_bias = L.Conv2d(3, 4, 2, bias=False)
    no_bias.load_state_dict(nn.Conv2d(3, 4, 2, bias=False).state_dict())
    assert list(no_bias.state_dict()) == ["weight"] and no_bias.bias is None


def test_init_equals_torch_for_default_float32_and_dtype_argument():
    for args, kwargs in [((3, 8, 3), {}), ((6, 4, (1, 5)), {"groups": 2, "bias": False})]:
        torch.manual_seed(3)
        ours = L.Conv2d(*args, **kwargs)
        torch.manual_seed(3)
        ref = nn.Conv2d(*args, **kwargs)
        assert ours.weight.dtype == torch.float32
        for p, q in zip(ours.parameters(), ref.parameters(), strict=True):
            assert torch.equal(p, q)
    assert L.Conv2d(2, 2, 3, dtype=DT, device="cpu").bias.dtype == DT


def test_unbatched_input_in_every_padding_mode():
    x = torch.randn(3, 6, 5, dtype=DT)
    for mode in L.PADDING_MODES:
        ours, ref = modules(
            Case(0, x.shape, (4, 3, 3, 2), True, {"padding": "same", "groups": 1}, mode)
        )
        torch.testing.assert_close(ours(x), ref(x))
        assert ours(x).shape == (4, 6, 5)


def test_output_size_formula_against_real_layers():
    checked = 0
    for size, k, s, p, d in itertools.product(
        [1, 4, 7, 10], [1, 2, 3, 5], [1, 2, 3], [0, 1, 2], [1, 2]
    ):
        if d * (k - 1) + 1 > size + 2 * p:
            continue  # the kernel does not fit: torch refuses, see the error tests
        layer = nn.Conv2d(1, 1, (k, 1), (s, 1), (p, 0), (d, 1), bias=False)
        expected = layer(torch.zeros(1, 1, size, 1)).shape[2]
        assert L.conv_output_size(size, k, s, p, d) == expected, (size, k, s, p, d)
        checked += 1
    assert checked > 200


def test_param_count_formula_against_real_layers():
    for c_in, c_out, k, groups, bias in itertools.product(
        [1, 2, 4, 6], [2, 4, 6], [1, 3, (3, 5)], [1, 2], [True, False]
    ):
        if c_in % groups:
            continue
        expected = sum(
            p.numel()
            for p in nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias).parameters()
        )
        ours = L.Conv2d(c_in, c_out, k, groups=groups, bias=bias)
        assert sum(p.numel() for p in ours.parameters()) == expected
        assert L.conv2d_param_count(c_in, c_out, k, groups, bias) == expected
    # the seed's first CIFAR-10 convolution: 3 * 3 * 3 * 32 + 32
    assert L.conv2d_param_count(3, 32, 3) == 896


X = torch.randn(2, 3, 5, 5)
W = torch.randn(4, 3, 3, 3)

CONV2D_ERRORS = [
    ({"input": X[0, 0]}, ValueError, r"\(N, C, H, W\) or \(C, H, W\).*2-D"),
    ({"input": X[None]}, ValueError, r"\(N, C, H, W\) or \(C, H, W\).*5-D"),
    ({"input": X.numpy()}, TypeError, "torch.Tensor"),
    ({"weight": W[0]}, ValueError, r"weight of shape \(C_out, C_in / groups, kH, kW\)"),
    ({"weight": W[:, :2]}, ValueError, "expects input with 2 channels, got 3"),
    (
        {"input": torch.randn(2, 6, 5, 5), "weight": torch.randn(3, 3, 3, 3), "groups": 2},
        ValueError,
        "groups=2 must divide the number of filters, weight.shape.0.=3",
    ),
    ({"weight": torch.randn(2, 3, 3, 3), "groups": 2}, ValueError, "with 6 channels"),
    ({"groups": 0}, ValueError, "groups must be an int >= 1"),
    ({"weight": torch.randn(4, 3, 6, 3)}, ValueError, "spans 6 along H.*only 5"),
    ({"dilation": (1, 3)}, ValueError, "spans 7 along W"),
    ({"stride": 0}, ValueError, r"stride must be positive, got \(0, 0\)"),
    ({"dilation": (1, -1)}, ValueError, "dilation must be positive"),
    ({"padding": -1}, ValueError, "padding must be non-negative"),
    ({"padding": (1, 2, 3)}, TypeError, "padding must be an int or a pair"),
    ({"padding": 1.5}, TypeError, "padding must be an int or a pair"),
    ({"stride": 2.0}, TypeError, "stride must be an int or a pair"),
    ({"padding": "full"}, ValueError, "'valid' or 'same', got 'full'"),
    ({"padding": "same", "stride": 2}, ValueError, "not supported for strided"),
    ({"bias": torch.randn(3)}, ValueError, r"bias must have shape \(4,\)"),
    ({"weight": W.double()}, TypeError, "input is torch.float32 but weight is"),
    ({"bias": torch.randn(4, dtype=DT)}, TypeError, "bias is torch.float64"),
    ({"weight": torch.randn(0, 3, 3, 3)}, ValueError, "no zero size"),
]


@pytest.mark.parametrize(("change", "error", "match"), CONV2D_ERRORS)
def test_conv2d_bad_input(change, error, match):
    args = {"input": X, "weight": W} | change
    with pytest.raises(error, match=match):
        L.conv2d(**args)


CONV2D_MODULE_ERRORS = [
    ({"in_channels": 3, "groups": 2}, ValueError, "groups=2 must divide in_channels=3"),
    ({"out_channels": 3, "groups": 2}, ValueError, "out_channels=3"),
    ({"groups": 0}, ValueError, "groups must be an int >= 1"),
    ({"in_channels": 0}, ValueError, "in_channels must be an int >= 1"),
    ({"kernel_size": 0}, ValueError, "kernel_size must be positive"),
    ({"kernel_size": (3, 3, 3)}, TypeError, "kernel_size must be an int or a pair"),
    ({"stride": (1, 0)}, ValueError, "stride must be positive"),
    ({"padding": "full"}, ValueError, "'valid' or 'same'"),
    ({"padding": "same", "stride": (1, 2)}, ValueError, "not supported for strided"),
    ({"padding_mode": "mirror"}, ValueError, "padding_mode must be one of .*'mirror'"),
]


@pytest.mark.parametrize(("change", "error", "match"), CONV2D_MODULE_ERRORS)
def test_conv2d_module_bad_arguments(change, error, match):
    args = {"in_channels": 4, "out_channels": 4, "kernel_size": 3} | change
    with pytest.raises(error, match=match):
        L.Conv2d(**args)


def test_conv2d_module_bad_input():
    with pytest.raises(ValueError, match=r"Conv2d expects input of shape \(N, C, H, W\)"):
        L.Conv2d(3, 4, 3, padding=1, padding_mode="reflect")(torch.randn(5, 5))
    with pytest.raises(ValueError, match="expects input with 3 channels, got 2"):
        L.Conv2d(3, 4, 3)(torch.randn(1, 2, 5, 5))
    with pytest.raises(ValueError, match="conv2d_param_count|groups=2 must divide"):
        L.conv2d_param_count(3, 4, 3, groups=2)
