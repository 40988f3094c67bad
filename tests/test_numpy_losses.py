"""NumPy losses against torch.nn.functional: values and gradients in float64, huge logits."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook_utils.numpy_nn import losses
from dlbook_utils.testing import check_gradient

RNG_SEED = 0


def _torch_value_and_grad(fn, prediction, target):
    p = torch.tensor(prediction, dtype=torch.float64, requires_grad=True)
    value = fn(p, torch.as_tensor(target))
    value.backward()
    return value.item(), p.grad.numpy()


def _strict():
    """Turn every NumPy floating-point problem and every warning into an error."""
    warnings.simplefilter("error")
    return np.errstate(over="raise", divide="raise", invalid="raise")


def test_mse_matches_torch_value_and_gradient():
    rng = np.random.default_rng(RNG_SEED)
    pred, target = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    value, grad = _torch_value_and_grad(F.mse_loss, pred, target)
    assert losses.mse_loss(pred, target) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(losses.mse_loss_grad(pred, target), grad, rtol=1e-13)
    check_gradient(
        lambda p: losses.mse_loss(p, target), losses.mse_loss_grad(pred, target), pred
    )


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_bce_with_logits_matches_torch(scale):
    rng = np.random.default_rng(RNG_SEED)
    z = rng.normal(size=(20,)) * scale
    y = rng.uniform(size=(20,))  # soft targets are allowed, as in torch
    y[:10] = np.round(y[:10])
    with warnings.catch_warnings(), _strict():
        ours = losses.binary_cross_entropy_with_logits(z, y)
        grad = losses.binary_cross_entropy_with_logits_grad(z, y)
    value, torch_grad = _torch_value_and_grad(
        F.binary_cross_entropy_with_logits, z, torch.tensor(y)
    )
    assert np.isfinite(ours) and np.all(np.isfinite(grad))
    assert ours == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(grad, torch_grad, rtol=1e-12, atol=1e-18)


def test_bce_with_logits_finite_differences():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(4, 3)) * 3, rng.integers(0, 2, size=(4, 3)).astype(float)
    grad = losses.binary_cross_entropy_with_logits_grad(z, y)
    check_gradient(lambda t: losses.binary_cross_entropy_with_logits(t, y), grad, z)


def test_bce_with_logits_huge_logits_exact_values():
    z = np.array([1e4, -1e4, 1e4, -1e4])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    with warnings.catch_warnings(), _strict():
        value = losses.binary_cross_entropy_with_logits(z, y)
        grad = losses.binary_cross_entropy_with_logits_grad(z, y)
    # two confident right answers cost 0, two confident wrong ones cost 1e4 each
    assert value == pytest.approx(2e4 / 4)
    np.testing.assert_array_equal(grad, np.array([0.0, 0.0, 1.0, -1.0]) / 4)


@pytest.mark.parametrize("scale", [1.0, 50.0, 1e4])
def test_cross_entropy_matches_torch(scale):
    rng = np.random.default_rng(RNG_SEED)
    logits = rng.normal(size=(9, 5)) * scale
    y = rng.integers(0, 5, size=9)
    with warnings.catch_warnings(), _strict():
        ours = losses.cross_entropy(logits, y)
        grad = losses.cross_entropy_grad(logits, y)
    value, torch_grad = _torch_value_and_grad(F.cross_entropy, logits, torch.tensor(y))
    assert np.isfinite(ours) and np.all(np.isfinite(grad))
    assert ours == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(grad, torch_grad, rtol=1e-12, atol=1e-18)


def test_cross_entropy_finite_differences():
    rng = np.random.default_rng(2)
    logits, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    grad = losses.cross_entropy_grad(logits, y)
    check_gradient(lambda t: losses.cross_entropy(t, y), grad, logits)


def test_cross_entropy_gradient_rows_sum_to_zero():
    rng = np.random.default_rng(3)
    grad = losses.cross_entropy_grad(rng.normal(size=(5, 3)), np.array([0, 1, 2, 0, 1]))
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-16)


def test_one_hot_matches_torch():
    y = np.array([2, 0, 1, 2])
    expected = F.one_hot(torch.tensor(y), 3).numpy()
    np.testing.assert_array_equal(losses.one_hot(y, 3), expected)
    assert losses.one_hot(y, 3).dtype == np.float64
    assert losses.one_hot([], 3).shape == (0, 3)
    assert losses.one_hot(np.array([[0, 1]]), 2).shape == (1, 2, 2)


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        losses.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        losses.one_hot([-1, 0], 3)
    with pytest.raises(ValueError, match="integer class indices"):
        losses.one_hot([0.0, 1.5], 3)
    with pytest.raises(TypeError, match="num_classes must be an int"):
        losses.one_hot([0, 1], 2.0)


def test_shape_mismatches_raise():
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(3, 1\)"):
        losses.mse_loss(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        losses.binary_cross_entropy_with_logits(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"logits must have shape \(m, K\)"):
        losses.cross_entropy(np.zeros(4), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\)"):
        losses.cross_entropy(np.zeros((4, 3)), np.zeros(5, dtype=int))


def test_cross_entropy_rejects_bad_labels():
    with pytest.raises(ValueError, match="integer class indices"):
        losses.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        losses.cross_entropy_grad(np.zeros((2, 3)), np.array([0, 3]))
