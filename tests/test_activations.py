"""dlbook_utils.activations against torch: values, autograd derivatives, stability, dtypes."""

import contextlib
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook_utils import activations as A
from dlbook_utils.testing import check_gradient

# The torch twin of every activation in the registry.
TWINS = {
    "linear": lambda t: t,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "swish": F.silu,
}
NAMES = list(A.ACTIVATIONS)

# Around the kink, near where exp(x) overflows (709.78) or turns subnormal (-708), far out.
EXTREMES = np.array(
    [0.0, -0.0, 1e-12, 1.0, 20.0, 50.0, 100.0, 700.0, 710.0, 745.0, 1000.0, 1e10, 1e308]
)


def inputs(seed=0):
    """Seeded normal values of several scales, then +-EXTREMES: float64, shape (70,)."""
    rng = np.random.default_rng(seed)
    random = rng.standard_normal(44) * np.repeat([0.1, 1.0, 10.0, 100.0], 11)
    return np.concatenate([random, EXTREMES, -EXTREMES])


@contextlib.contextmanager
def strict():
    """Fail on overflow, invalid operations (nan) and division by zero, and on any warning.

    Underflow is allowed: exp(-1000) rounding to 0 is the correctly rounded answer.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            yield


def torch_value_and_grad(fn, x, **kwargs):
    """fn(x) and d(sum fn(x))/dx by autograd, in x's dtype, as NumPy arrays."""
    t = torch.tensor(x, requires_grad=True)
    y = fn(t, **kwargs)
    y.backward(torch.ones_like(y))
    return y.detach().numpy(), t.grad.numpy()


# tanh' = 1 - tanh^2 (ours and autograd's formula) cancels near |tanh| = 1: its absolute
# error is about one unit in the last place of 1, and NumPy's and torch's tanh can differ
# by one such unit. Derivatives are compared with that absolute slack.
GRAD_ATOL = 2 * np.finfo(np.float64).eps
GRAD_ATOL32 = 2 * np.finfo(np.float32).eps


def assert_close(ours, ref, rtol=1e-12, atol=1e-300):
    """Same shape, and |ours - ref| <= atol + rtol |ref| (atol may be an array)."""
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    ok = np.isclose(ours, ref, rtol=rtol, atol=atol, equal_nan=True)
    assert ok.all(), f"differ at {np.argwhere(~ok).tolist()}: {ours[~ok]} vs {ref[~ok]}"


def test_every_activation_has_a_torch_twin():
    assert set(A.ACTIVATIONS) == set(TWINS)
    for name, (f, g) in A.ACTIVATIONS.items():
        assert f is getattr(A, name) and g is getattr(A, f"{name}_grad")


@pytest.mark.parametrize("name", NAMES)
def test_values_match_torch_without_warnings(name):
    f, _ = A.ACTIVATIONS[name]
    x = inputs()
    with strict():
        ours = f(x)
    ref, _ = torch_value_and_grad(TWINS[name], x)
    assert ours.dtype == np.float64
    assert_close(ours, ref)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_autograd_without_warnings(name):
    _, g = A.ACTIVATIONS[name]
    x = inputs(seed=1)
    with strict():
        ours = g(x)
    _, ref = torch_value_and_grad(TWINS[name], x)
    assert_close(ours, ref, atol=GRAD_ATOL)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_finite_differences(name):
    f, g = A.ACTIVATIONS[name]
    rng = np.random.default_rng(2)
    x = rng.uniform(-4, 4, size=30)
    x = x[np.abs(x) > 1e-3]  # keep the central difference off the kink at 0
    check_gradient(lambda v: float(np.sum(f(v))), g(x), x, eps=1e-6, tol=1e-6)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("relu", 0.0), ("leaky_relu", 0.01), ("elu", 1.0), ("sigmoid", 0.25), ("swish", 0.5)],
)
def test_derivative_at_zero_is_autograds(name, expected):
    _, g = A.ACTIVATIONS[name]
    for zero in (0.0, -0.0):
        _, ref = torch_value_and_grad(TWINS[name], np.array([zero]))
        assert g(np.array([zero]))[0] == ref[0] == expected


def test_kinks_with_other_parameters_take_autograds_side():
    zero = np.zeros(1)
    _, ref = torch_value_and_grad(F.leaky_relu, zero, negative_slope=0.2)
    assert A.leaky_relu_grad(zero, negative_slope=0.2)[0] == ref[0] == 0.2
    _, ref = torch_value_and_grad(F.elu, zero, alpha=2.0)  # alpha = 1 hides the kink
    assert A.elu_grad(zero, alpha=2.0)[0] == ref[0] == 2.0


@pytest.mark.parametrize(
    ("ours", "ours_grad", "twin", "kwargs"),
    [
        (A.leaky_relu, A.leaky_relu_grad, F.leaky_relu, {"negative_slope": 0.2}),
        (A.leaky_relu, A.leaky_relu_grad, F.leaky_relu, {"negative_slope": 1.5}),
        (A.elu, A.elu_grad, F.elu, {"alpha": 0.5}),
        (A.elu, A.elu_grad, F.elu, {"alpha": 2.0}),
    ],
)
def test_parameters_match_torch(ours, ours_grad, twin, kwargs):
    x = inputs(seed=3)
    ref_value, ref_grad = torch_value_and_grad(twin, x, **kwargs)
    with strict():
        value, grad = ours(x, **kwargs), ours_grad(x, **kwargs)
    assert_close(value, ref_value)
    assert_close(grad, ref_grad, atol=GRAD_ATOL)


@pytest.mark.parametrize("negative_slope", [1.5, -2.0, 0.01])
def test_leaky_relu_with_a_steep_slope_reaches_inf_without_warnings(negative_slope):
    # 1.5 * -1.7e308 lies beyond the largest float (1.8e308): -inf in torch, and here,
    # without an overflow warning; the unused branch at +1.7e308 must not warn either.
    x = np.array([-1.7e308, -1.2e308, -1e308, 1e308, 1.2e308, 1.7e308, np.finfo(float).max])
    ref_value, ref_grad = torch_value_and_grad(
        F.leaky_relu, x, negative_slope=negative_slope
    )
    with strict():
        value = A.leaky_relu(x, negative_slope=negative_slope)
        grad = A.leaky_relu_grad(x, negative_slope=negative_slope)
    np.testing.assert_array_equal(value, ref_value)
    np.testing.assert_array_equal(grad, ref_grad)
    if abs(negative_slope) > 1:
        assert np.isinf(value[0]) and np.sign(value[0]) == -np.sign(negative_slope)
    assert np.isfinite(value[3:]).all()


# swish is left out: at -inf, x * sigma(x) is -inf * 0 = nan, in torch as here.
@pytest.mark.parametrize("name", [n for n in NAMES if n != "swish"])
def test_infinite_inputs_give_the_limits_torch_gives(name):
    f, g = A.ACTIVATIONS[name]
    x = np.array([-np.inf, np.inf])
    with strict():
        value, grad = f(x), g(x)
    ref_value, ref_grad = torch_value_and_grad(TWINS[name], x)
    assert_close(value, ref_value)
    assert_close(grad, ref_grad)


@pytest.mark.parametrize("name", NAMES)
def test_nan_propagates_like_torch(name):
    f, _ = A.ACTIVATIONS[name]
    x = np.array([np.nan, 1.0])
    ref, _ = torch_value_and_grad(TWINS[name], x)
    np.testing.assert_array_equal(f(x), ref)  # nan == nan here


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32_and_matches_torch(name):
    f, g = A.ACTIVATIONS[name]
    x = np.clip(inputs(seed=4), -1e38, 1e38).astype(np.float32)
    with strict():
        value, grad = f(x), g(x)
    assert value.dtype == grad.dtype == np.float32
    ref_value, ref_grad = torch_value_and_grad(TWINS[name], x)
    np.testing.assert_allclose(value, ref_value, rtol=1e-6, atol=1e-37)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-6, atol=GRAD_ATOL32)


@pytest.mark.parametrize("name", NAMES)
def test_integers_become_float64_and_shapes_are_kept(name):
    f, g = A.ACTIVATIONS[name]
    x = np.arange(-6, 6).reshape(3, 4)
    assert f(x).dtype == g(x).dtype == np.float64
    assert f(x).shape == g(x).shape == (3, 4)
    np.testing.assert_array_equal(f(x), f(x.astype(np.float64)))
    assert f(3).shape == g(3).shape == ()  # a scalar stays 0-d


def test_identities_between_activations():
    z = np.linspace(-30, 30, 601)
    s = A.sigmoid
    np.testing.assert_allclose(A.tanh(z), 2 * s(2 * z) - 1, atol=1e-15)
    np.testing.assert_allclose(s(z) - s(-z), A.tanh(z / 2), atol=1e-15)  # not tanh(z)
    np.testing.assert_allclose(s(-z), 1 - s(z), atol=1e-15)
    np.testing.assert_allclose(A.swish(z), z * s(z), rtol=1e-15)
    np.testing.assert_allclose(A.softmax(np.stack([z, 0 * z], 1))[:, 0], s(z), atol=1e-15)
    assert A.sigmoid_grad(z).max() == A.sigmoid_grad(0.0) == 0.25
    assert A.tanh_grad(z).max() == A.tanh_grad(0.0) == 1.0


def test_sigmoid_stable_where_the_naive_formula_overflows():
    x = np.array([-1000.0, 1000.0])
    with pytest.warns(RuntimeWarning, match="overflow"):
        naive = 1 / (1 + np.exp(-x))
    with strict():
        stable = A.sigmoid(x)
    np.testing.assert_array_equal(naive, stable)  # naive got lucky: 1/inf = 0
    assert A.sigmoid(np.array([-740.0]))[0] > 0  # exp(-740) is subnormal, not 0


# ---------------------------------------------------------------- softmax family
LOGITS = np.array(
    [
        [0.3, -1.2, 2.5, 0.0],
        [1000.0, 1001.0, 1002.0, 999.0],  # exp overflows without the max shift
        [-1000.0, -1001.0, -1002.0, -999.0],  # exp underflows to 0 without it
        [-1000.0, 0.0, 1000.0, 5.0],  # softmax underflows, log_softmax stays finite
        [1e307, -1e307, 0.0, 1.0],
        [-np.inf, 0.5, -np.inf, 1.5],  # masked entries
    ]
)


@pytest.mark.parametrize("axis", [-1, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_torch(axis, keepdims):
    with strict():
        ours = A.logsumexp(LOGITS, axis=axis, keepdims=keepdims)
    ref = torch.logsumexp(torch.tensor(LOGITS), dim=axis, keepdim=keepdims).numpy()
    assert_close(ours, ref)


def test_logsumexp_of_an_all_minus_inf_row_is_minus_inf():
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    with strict():
        ours = A.logsumexp(x)
    np.testing.assert_array_equal(ours, [-np.inf, 0.0])
    np.testing.assert_array_equal(ours, torch.logsumexp(torch.tensor(x), dim=-1).numpy())


@pytest.mark.parametrize(
    ("ours", "twin"), [(A.softmax, torch.softmax), (A.log_softmax, torch.log_softmax)]
)
def test_softmax_and_log_softmax_match_torch(ours, twin):
    rng = np.random.default_rng(5)
    for x in (LOGITS, rng.standard_normal((5, 3, 7)) * 10):
        for axis in range(-x.ndim, x.ndim):
            with strict():
                value = ours(x, axis=axis)
            ref = twin(torch.tensor(x), dim=axis).numpy()
            # x - logsumexp(x) is accurate to about one unit in the last place of the
            # slice's largest |x|, so log-probabilities near 0 get that absolute slack.
            finite = np.where(np.isfinite(x), np.abs(x), 0)
            slack = 4e-16 * finite.max(axis=axis, keepdims=True)
            assert_close(value, ref, atol=np.broadcast_to(slack, x.shape))


def test_softmax_properties():
    with strict():
        s, log_s = A.softmax(LOGITS), A.log_softmax(LOGITS)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)
    assert np.all(s[5, [0, 2]] == 0.0)  # masked logits get exactly zero probability
    assert s[3, 0] == 0.0 and np.isfinite(log_s[3, 0])  # underflow vs log-softmax
    np.testing.assert_allclose(log_s[3, 0], -2000.0, rtol=1e-15)
    np.testing.assert_allclose(A.softmax(LOGITS[0] + 1e3), A.softmax(LOGITS[0]), rtol=1e-12)


def test_softmax_of_an_all_minus_inf_row_is_nan_like_torch():
    x = np.full((1, 3), -np.inf)
    with np.errstate(invalid="ignore"):
        ours = A.softmax(x)
    ref = torch.softmax(torch.tensor(x), dim=-1).numpy()
    assert np.all(np.isnan(ours)) and np.all(np.isnan(ref))


def test_softmax_dtypes():
    x32 = LOGITS[:4].astype(np.float32)
    for fn in (A.softmax, A.log_softmax, A.logsumexp):
        assert fn(x32).dtype == np.float32
        assert fn(np.arange(6).reshape(2, 3)).dtype == np.float64
    assert A.softmax_jacobian(np.arange(3)).dtype == np.float64
    assert A.softmax_backward(x32, np.ones_like(x32)).dtype == np.float32
    ref = torch.softmax(torch.tensor(x32), dim=-1).numpy()
    np.testing.assert_allclose(A.softmax(x32), ref, rtol=1e-6, atol=1e-38)


@pytest.mark.parametrize("x", [LOGITS[0], LOGITS[1], LOGITS[3], LOGITS[5]])
def test_softmax_jacobian_matches_torch(x):
    ref = torch.autograd.functional.jacobian(
        lambda t: torch.softmax(t, dim=0), torch.tensor(x)
    ).numpy()
    with strict():
        ours = A.softmax_jacobian(x)
    assert_close(ours, ref, rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(ours, ours.T, atol=0)  # symmetric
    np.testing.assert_allclose(ours.sum(axis=1), 0.0, atol=1e-15)  # J 1 = 0: shifts


def test_softmax_jacobian_rejects_a_matrix():
    with pytest.raises(ValueError, match=r"one vector of shape \(K,\), got \(2, 3\)"):
        A.softmax_jacobian(np.zeros((2, 3)))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_backward_matches_autograd(axis):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 6)) * 3
    x[0, :] += 1000.0  # a row (or column entry) far from 0
    g = rng.standard_normal((4, 6))
    t = torch.tensor(x, requires_grad=True)
    torch.softmax(t, dim=axis).backward(torch.tensor(g))
    with strict():
        ours = A.softmax_backward(x, g, axis=axis)
    assert_close(ours, t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_softmax_backward_is_the_jacobian_product_and_matches_finite_differences():
    rng = np.random.default_rng(7)
    x, g = rng.standard_normal(5), rng.standard_normal(5)
    dx = A.softmax_backward(x, g)
    np.testing.assert_allclose(dx, A.softmax_jacobian(x).T @ g, atol=1e-15)
    check_gradient(lambda v: float(np.sum(g * A.softmax(v))), dx, x, tol=1e-7)


def test_softmax_backward_rejects_a_shape_mismatch():
    with pytest.raises(ValueError, match=r"shape of x, \(2, 3\), got \(3,\)"):
        A.softmax_backward(np.zeros((2, 3)), np.zeros(3))
