"""dlbook_utils.layers pooling and squeeze against torch: values, gradients, inverses, errors.

Max pooling is compared on continuous random inputs, where no window has tied maxima;
one test checks that ties route the gradient as torch's CPU kernel does.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlbook_utils import layers as L
from dlbook_utils.testing import compare_with_torch

DT = torch.float64


def _maybe_pair(rng, low, high):
    if rng.random() < 0.5:
        return int(rng.integers(low, high))
    return tuple(int(v) for v in rng.integers(low, high, size=2))


def _pairs(value):
    return value if isinstance(value, tuple) else (value, value)


def random_pool_case(seed):
    """(input shape, kwargs): kernel, stride (None, int or pair), padding <= kernel / 2."""
    rng = np.random.default_rng(seed)
    kernel = _maybe_pair(rng, 1, 5)
    stride = None if rng.random() < 0.3 else _maybe_pair(rng, 1, 4)
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in _pairs(kernel))
    if rng.random() < 0.3:
        padding = min(padding)  # an int
    sizes = [
        max(1, k - 2 * p) + int(rng.integers(0, 6))
        for k, p in zip(_pairs(kernel), _pairs(padding), strict=True)
    ]
    batch = () if rng.random() < 0.15 else (int(rng.integers(1, 4)),)
    shape = (*batch, int(rng.integers(1, 4)), *sizes)
    return shape, {"kernel_size": kernel, "stride": stride, "padding": padding}


POOL_CASES = [random_pool_case(seed) for seed in range(70)]
POOLS = [(L.max_pool2d, F.max_pool2d), (L.avg_pool2d, F.avg_pool2d)]


def case_id(case):
    shape, kw = case
    return f"x{list(shape)}" + ",".join(f"{k}={v}" for k, v in kw.items()).replace(" ", "")


def test_the_random_cases_cover_the_options():
    kwargs = [kw for _, kw in POOL_CASES]
    assert any(kw["stride"] is None for kw in kwargs)
    assert any(isinstance(kw["kernel_size"], tuple) for kw in kwargs)
    assert any(_pairs(kw["padding"]) != (0, 0) for kw in kwargs)
    assert any(len(shape) == 3 for shape, _ in POOL_CASES)
    # overlapping windows (stride < kernel): the gradients add up
    assert any(
        kw["stride"] is not None and _pairs(kw["stride"])[0] < _pairs(kw["kernel_size"])[0]
        for kw in kwargs
    )


@pytest.mark.parametrize("ours, ref", POOLS, ids=["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES, ids=case_id)
def test_pooling_matches_torch_forward_and_backward(ours, ref, case):
    shape, kw = case
    x = torch.randn(shape, generator=torch.Generator().manual_seed(len(shape)), dtype=DT)
    diffs = compare_with_torch(lambda t: ours(t, **kw), lambda t: ref(t, **kw), x)
    assert set(diffs) == {"output", "input0"}


@pytest.mark.parametrize(
    "ours, ref", [(L.MaxPool2d, nn.MaxPool2d), (L.AvgPool2d, nn.AvgPool2d)]
)
def test_pooling_modules_match_torch(ours, ref):
    x = torch.randn(2, 3, 9, 8, dtype=DT)
    for args in [(2,), (3, 2, 1), ((3, 2), (1, 2), (1, 0)), (2, None, 1)]:
        a, b = ours(*args), ref(*args)
        assert (a.kernel_size, a.stride, a.padding) == (b.kernel_size, b.stride, b.padding)
        compare_with_torch(a, b, x)
        compare_with_torch(a, b, x[0])  # unbatched
    assert repr(L.AvgPool2d(3, 2, 1)) == repr(nn.AvgPool2d(3, 2, 1))
    # torch also shows dilation and ceil_mode, which ours does not have
    assert repr(L.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert not list(ours(2).parameters())


def test_max_pool_ties_route_the_gradient_like_torch_on_cpu():
    x = torch.randint(0, 3, (2, 2, 7, 6), generator=torch.Generator().manual_seed(0))
    kw = {"kernel_size": 3, "stride": 1, "padding": 1}
    compare_with_torch(
        lambda t: L.max_pool2d(t, **kw), lambda t: F.max_pool2d(t, **kw), x.to(DT)
    )


def test_gradcheck_pooling():
    x = torch.randn(2, 2, 5, 6, dtype=DT, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: L.max_pool2d(t, (3, 2), (2, 1), (1, 1)), x)
    assert torch.autograd.gradcheck(lambda t: L.avg_pool2d(t, (3, 2), (2, 1), (1, 1)), x)


def test_cores_and_output_size_formula():
    x = torch.randn(1, 2, 8, 8, dtype=DT)
    # the seed's 8x8 example size: 2x2 windows, stride 2 -> 4x4
    assert L.max_pool2d_im2col(x, (2, 2), (2, 2)).shape == (1, 2, 4, 4)
    torch.testing.assert_close(L.avg_pool2d_im2col(x, (2, 2), (2, 2)), F.avg_pool2d(x, 2))
    for size, k, s, p in [(7, 3, 2, 1), (8, 2, 2, 0), (5, 4, 1, 2), (9, 3, 3, 0)]:
        shape = nn.MaxPool2d(k, s, p)(torch.zeros(1, 1, size, size)).shape
        assert L.conv_output_size(size, k, s, p) == shape[-1]
    assert L.max_pool2d(x[:0], 2).shape == (0, 2, 4, 4)


X = torch.randn(2, 3, 5, 5)

POOL_ERRORS = [
    ({"input": X[0, 0]}, ValueError, r"\(N, C, H, W\) or \(C, H, W\).*2-D"),
    ({"input": X.numpy()}, TypeError, "torch.Tensor"),
    ({"input": X[:, :0]}, ValueError, "at least one channel"),
    ({"kernel_size": 0}, ValueError, "kernel_size must be positive"),
    ({"kernel_size": 2.0}, TypeError, "kernel_size must be an int or a pair"),
    ({"stride": (1, 0)}, ValueError, "stride must be positive"),
    ({"padding": -1}, ValueError, "padding must be non-negative"),
    ({"padding": 2}, ValueError, r"at most half of kernel_size.*\(2, 2\).*\(3, 3\)"),
    (
        {"kernel_size": (3, 6)},
        ValueError,
        "spans 6 along W but the padded input has only 5",
    ),
]


@pytest.mark.parametrize("fn", [L.max_pool2d, L.avg_pool2d])
@pytest.mark.parametrize(("change", "error", "match"), POOL_ERRORS)
def test_pooling_bad_input(fn, change, error, match):
    args = {"input": X, "kernel_size": 3} | change
    with pytest.raises(error, match=match):
        fn(**args)


@pytest.mark.parametrize("cls", [L.MaxPool2d, L.AvgPool2d])
def test_pooling_modules_check_at_construction(cls):
    with pytest.raises(ValueError, match="at most half of kernel_size"):
        cls(2, padding=2)
    with pytest.raises(ValueError, match="stride must be positive"):
        cls(2, 0)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) or \(C, H, W\)"):
        cls(2)(torch.randn(4, 4))


# The squeeze: (leading shape, C, H / r, W / r, r) for random cases
SQUEEZE_CASES = [
    ((), 1, 1, 1, 1),
    ((2,), 3, 2, 3, 2),
    ((1,), 2, 3, 1, 3),
    ((2, 3), 1, 2, 2, 2),
    *[
        (
            tuple(int(v) for v in rng.integers(1, 3, size=int(rng.integers(0, 3)))),
            *(int(v) for v in rng.integers(1, 4, size=3)),
            int(rng.integers(1, 4)),
        )
        for rng in map(np.random.default_rng, range(20))
    ],
]


@pytest.mark.parametrize("lead, c, h, w, r", SQUEEZE_CASES)
def test_squeeze_matches_pixel_unshuffle_and_inverts_exactly(lead, c, h, w, r):
    g = torch.Generator().manual_seed(c * h * w * r)
    x = torch.randn(*lead, c, h * r, w * r, generator=g, dtype=DT)
    squeezed = L.pixel_unshuffle(x, r)
    assert torch.equal(squeezed, F.pixel_unshuffle(x, r))
    assert squeezed.shape == (*lead, c * r * r, h, w)
    assert torch.equal(L.pixel_shuffle(squeezed, r), x)
    assert torch.equal(L.pixel_shuffle(squeezed, r), F.pixel_shuffle(squeezed, r))
    compare_with_torch(
        lambda t: L.pixel_unshuffle(t, r), lambda t: F.pixel_unshuffle(t, r), x
    )
    compare_with_torch(
        lambda t: L.pixel_shuffle(t, r), lambda t: F.pixel_shuffle(t, r), squeezed
    )


def test_squeeze_of_an_empty_batch_has_the_squeezed_shape():
    # Differs from torch 2.13, whose pixel_unshuffle returns an empty input unchanged
    x = torch.randn(0, 2, 4, 6)
    assert L.pixel_unshuffle(x, 2).shape == (0, 8, 2, 3)
    assert L.pixel_shuffle(L.pixel_unshuffle(x, 2), 2).shape == x.shape
    assert F.pixel_shuffle(torch.randn(0, 8, 2, 3), 2).shape == x.shape


def test_squeeze_cores_and_modules():
    x = torch.randn(2, 3, 4, 6, dtype=DT)
    y = L.squeeze2d(x)  # factor 2 by default
    assert torch.equal(y, F.pixel_unshuffle(x, 2))
    assert torch.equal(L.unsqueeze2d(y), x)
    z = torch.randn(2, 8, 3, 5, dtype=DT)
    assert torch.equal(L.squeeze2d(L.unsqueeze2d(z)), z)  # the other way round
    # channel c * 4 + i * 2 + j holds the pixels at offset (i, j) of channel c
    assert torch.equal(y[:, 1 * 4 + 1 * 2 + 0], x[:, 1, 1::2, 0::2])
    for ours, ref, t in [
        (L.PixelUnshuffle(2), nn.PixelUnshuffle(2), x),
        (L.PixelShuffle(2), nn.PixelShuffle(2), z),
    ]:
        assert repr(ours) == repr(ref)
        assert torch.equal(ours(t), ref(t))


SQUEEZE_ERRORS = [
    (L.pixel_unshuffle, torch.randn(2, 3, 5, 4), 2, "divisible by 2, got H=5, W=4"),
    (L.pixel_unshuffle, torch.randn(2, 3, 6, 4), 3, "divisible by 3, got H=6, W=4"),
    (L.pixel_unshuffle, torch.randn(4, 4), 2, r"\(\*, C, H, W\), got a 2-D"),
    (L.pixel_unshuffle, torch.randn(1, 4, 4), 0, "downscale_factor must be an int >= 1"),
    (L.pixel_shuffle, torch.randn(2, 6, 2, 2), 2, "channels divisible by 4, got C=6"),
    (L.pixel_shuffle, torch.randn(4), 2, "got a 1-D"),
    (L.pixel_shuffle, torch.randn(1, 4, 4), 1.5, "upscale_factor must be an int"),
]


@pytest.mark.parametrize(("fn", "x", "r", "match"), SQUEEZE_ERRORS)
def test_squeeze_bad_input(fn, x, r, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fn(x, r)


def test_squeeze_modules_bad_input():
    with pytest.raises(ValueError, match="downscale_factor must be an int >= 1"):
        L.PixelUnshuffle(0)
    with pytest.raises(TypeError, match="upscale_factor must be an int"):
        L.PixelShuffle(2.0)
    with pytest.raises(ValueError, match="got H=3, W=4"):
        L.PixelUnshuffle(2)(torch.randn(1, 1, 3, 4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        L.PixelShuffle(2)(np.zeros((1, 4, 2, 2)))
