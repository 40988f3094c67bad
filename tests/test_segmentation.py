"""dlbook_utils.segmentation: losses against torch and closed forms, metrics on masks."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook_utils.segmentation import (
    boundary_weight_map,
    boundary_weighted_cross_entropy,
    confusion_counts,
    cross_entropy,
    dice_per_class,
    iou_per_class,
    mean_dice,
    mean_iou,
    soft_dice_loss,
    soft_dice_per_class,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def random_case(seed, n=2, c=3, h=5, w=6, dtype=torch.float64):
    g = gen(seed)
    logits = torch.randn(n, c, h, w, generator=g, dtype=dtype, requires_grad=True)
    target = torch.randint(0, c, (n, h, w), generator=g)
    return logits, target


@pytest.mark.parametrize("seed", range(4))
def test_cross_entropy_matches_torch_forward_and_backward(seed):
    logits, target = random_case(seed, c=2 + seed)
    ours = cross_entropy(logits, target)
    ref = F.cross_entropy(logits, target)
    torch.testing.assert_close(ours, ref)
    (g_ours,) = torch.autograd.grad(ours, logits)
    (g_ref,) = torch.autograd.grad(ref, logits)
    torch.testing.assert_close(g_ours, g_ref)


def test_weighted_cross_entropy_is_the_weighted_mean():
    logits, target = random_case(1)
    weight = torch.rand(target.shape, generator=gen(2), dtype=torch.float64)
    ce = F.cross_entropy(logits, target, reduction="none")
    expected = (weight * ce).sum() / weight.sum()
    torch.testing.assert_close(cross_entropy(logits, target, weight), expected)
    ones = torch.ones_like(weight)
    torch.testing.assert_close(cross_entropy(logits, target, ones), ce.mean())


def test_soft_dice_closed_form_and_limits():
    # Confident, correct logits: every class's soft Dice -> 1, the loss -> 0.
    target = torch.tensor([[[0, 1], [2, 2]]])
    logits = 50.0 * F.one_hot(target, 3).permute(0, 3, 1, 2).double()
    assert soft_dice_loss(logits, target).item() < 1e-12
    # Uniform logits over C = 2 classes on 4 pixels, 1 of class 1: p = 1/2 everywhere.
    target = torch.tensor([[[0, 0], [0, 1]]])
    logits = torch.zeros(1, 2, 2, 2, dtype=torch.float64)
    d0 = (2 * 1.5 + 1) / (2 + 3 + 1)  # sum p y = 3/2, sum p = 2, sum y = 3, smooth 1
    d1 = (2 * 0.5 + 1) / (2 + 1 + 1)
    expected = 1 - (d0 + d1) / 2
    assert soft_dice_loss(logits, target).item() == pytest.approx(expected)
    logits, target = random_case(3)
    value = soft_dice_loss(logits, target).item()
    assert 0 <= value <= 1


def test_boundary_weight_map_closed_form():
    mask = np.zeros((7, 7), dtype=np.int64)
    mask[:, 4:] = 1  # a vertical boundary between columns 3 and 4
    weight = boundary_weight_map(mask, w0=5.0, sigma=2.0)
    distance = np.array([4, 3, 2, 1, 1, 2, 3], dtype=float)  # to the other class
    expected = 1 + 5 * np.exp(-(distance**2) / 8)
    np.testing.assert_allclose(weight, np.broadcast_to(expected, (7, 7)), rtol=1e-6)
    assert np.all(boundary_weight_map(np.zeros((4, 4), dtype=int)) == 1)  # no boundary
    t = torch.from_numpy(np.stack([mask, mask.T]))
    wt = boundary_weight_map(t)
    assert isinstance(wt, torch.Tensor) and wt.shape == (2, 7, 7)
    torch.testing.assert_close(wt[1], wt[0].T)


def test_boundary_weighted_cross_entropy_weights_boundaries():
    logits, target = random_case(5, h=8, w=8)
    weight = boundary_weight_map(target)
    ce = F.cross_entropy(logits, target, reduction="none")
    expected = (weight * ce).sum() / weight.sum()
    torch.testing.assert_close(boundary_weighted_cross_entropy(logits, target), expected)
    flat = boundary_weighted_cross_entropy(logits, target, w0=0.0)
    torch.testing.assert_close(flat, ce.mean())


@pytest.mark.parametrize("seed", range(2))
def test_losses_pass_gradcheck(seed):
    logits, target = random_case(seed, n=1, c=3, h=3, w=4)
    weight = boundary_weight_map(target).double()
    for loss in (
        lambda z: cross_entropy(z, target),
        lambda z: soft_dice_loss(z, target),
        lambda z: boundary_weighted_cross_entropy(z, target, weight),
        lambda z: cross_entropy(z, target) + soft_dice_loss(z, target),
    ):
        assert torch.autograd.gradcheck(loss, (logits,))
        (grad,) = torch.autograd.grad(loss(logits), logits)
        assert torch.isfinite(grad).all()


def test_metrics_on_a_hand_drawn_mask():
    target = torch.tensor([[0, 0, 1, 1],
                           [0, 0, 1, 1],
                           [2, 2, 0, 0],
                           [2, 2, 0, 0]])  # fmt: skip
    pred = torch.tensor([[0, 1, 1, 1],
                         [0, 0, 1, 0],
                         [2, 2, 2, 0],
                         [0, 2, 0, 0]])  # fmt: skip
    tp, fp, fn = confusion_counts(pred, target, 4)
    assert tp.tolist() == [6, 3, 3, 0] and fp.tolist() == [2, 1, 1, 0]
    assert fn.tolist() == [2, 1, 1, 0]
    iou = iou_per_class(pred, target, 4)
    assert iou[:3].tolist() == pytest.approx([6 / 10, 3 / 5, 3 / 5])
    assert math.isnan(iou[3])  # class 3 in neither mask: undefined, NaN
    dice = dice_per_class(pred, target, 4)
    assert dice[:3].tolist() == pytest.approx([12 / 16, 6 / 8, 6 / 8])
    assert mean_iou(pred, target, 4) == pytest.approx(3 / 5)  # classes 1, 2; 3 excluded
    assert mean_iou(pred, target, 4, include_background=True) == pytest.approx(0.6)
    assert mean_dice(pred, target, 4) == pytest.approx(0.75)
    assert iou_per_class(target, target, 4)[:3].tolist() == [1.0, 1.0, 1.0]
    # a class predicted but absent from the target scores 0, not NaN
    assert dice_per_class(torch.full((2, 2), 3), torch.zeros(2, 2, dtype=int), 4)[3] == 0


@pytest.mark.parametrize("seed", range(3))
def test_soft_dice_of_confident_logits_is_the_hard_dice(seed):
    g = gen(seed)
    target = torch.randint(0, 4, (2, 7, 9), generator=g)
    pred = torch.where(torch.rand(2, 7, 9, generator=g) < 0.4, 3 - target, target)
    logits = 40.0 * F.one_hot(pred, 4).permute(0, 3, 1, 2).double()
    soft = soft_dice_per_class(logits, target, smooth=1e-12)
    torch.testing.assert_close(soft, dice_per_class(pred, target, 4))
    loss = soft_dice_loss(logits, target, smooth=1e-12)
    torch.testing.assert_close(loss, 1 - soft.mean())


@pytest.mark.parametrize("seed", range(5))
def test_dice_is_2iou_over_1_plus_iou_per_mask(seed):
    g = gen(seed)
    target = torch.randint(0, 4, (3, 9, 9), generator=g)
    noise = torch.randint(0, 4, (3, 9, 9), generator=g)
    pred = torch.where(torch.rand(3, 9, 9, generator=g) < 0.3, noise, target)
    for p, t in zip(pred, target, strict=True):  # per mask
        iou, dice = iou_per_class(p, t, 4), dice_per_class(p, t, 4)
        ok = ~torch.isnan(iou)
        torch.testing.assert_close(dice[ok], 2 * iou[ok] / (1 + iou[ok]))
        assert ((iou[ok] >= 0) & (iou[ok] <= 1) & (dice[ok] >= iou[ok])).all()
        assert (dice[ok] <= 1).all()


def test_bad_input_gives_clear_errors():
    logits, target = random_case(0, c=3)
    with pytest.raises(ValueError, match=r"target must be \(N, H, W\)"):
        cross_entropy(logits, target[:, :-1])
    with pytest.raises(ValueError, match="target classes must lie in 0..2"):
        soft_dice_loss(logits, target + 1)
    with pytest.raises(TypeError, match="integer class indices"):
        cross_entropy(logits, target.double())
    with pytest.raises(ValueError, match=r"logits must be \(N, C, H, W\)"):
        soft_dice_loss(logits[0], target)
    with pytest.raises(ValueError, match="weight must have the target's shape"):
        cross_entropy(logits, target, torch.ones(2, 5, 5))
    with pytest.raises(ValueError, match="same shape"):
        iou_per_class(target[0], target[1, :-1], 3)
    with pytest.raises(ValueError, match="pred classes must lie in 0..1"):
        dice_per_class(target, target, 2)
    with pytest.raises(ValueError, match="integer"):
        boundary_weight_map(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="sigma > 0"):
        boundary_weight_map(np.zeros((3, 3), dtype=int), sigma=0)
