"""FGSM, PGD and saliency (dlbook_utils.attacks): closed forms and properties.

An attack has no torch twin. It is checked against the closed-form input gradient of
softmax regression, W^T (softmax(Wx + b) - onehot(y)), in float64, and through
properties: eps = 0 changes nothing; every output lies in the eps-ball and in [0, 1];
on softmax regression, whose loss is convex in x, every signed step that stays in the
box cannot lower any example's loss (f(x + d) >= f(x) + g.d >= f(x)), and on an MLP
neither can a small FGSM step (nor raise the target's loss, when targeted); PGD is at
least as strong as FGSM on an MLP trained on 8x8 digits; a seeded start is
reproducible; the model's modes and its parameters' .grad are left as they were; bad
input fails clearly.
"""

import copy
import functools

import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

from dlbook_utils.attacks import (
    eval_mode,
    fgsm,
    input_gradient,
    pgd,
    saliency,
)

D, C = 6, 3  # input features, classes


def blobs(n, seed, dtype=torch.float64):
    """Three well-separated Gaussian blobs inside [0, 1]^D, and their labels."""
    fixed = torch.Generator().manual_seed(1234)  # the same blobs for every seed
    centres = torch.rand(C, D, generator=fixed, dtype=dtype) * 0.6 + 0.2
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % C
    x = centres[y] + 0.06 * torch.randn(n, D, generator=g, dtype=dtype)
    return x.clamp(0, 1), y


def softmax_regression(seed, dtype=torch.float64):
    torch.manual_seed(seed)
    return nn.Linear(D, C).to(dtype)


def trained_mlp(seed):
    """A fresh copy of a tiny MLP trained on the blobs (with dropout), in eval mode."""
    return copy.deepcopy(_trained_mlp(seed))


@functools.cache
def _trained_mlp(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(D, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, C)
    ).double()
    x, y = blobs(300, seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    opt.zero_grad(set_to_none=True)
    return model.eval()


def per_example_loss(model, x, y):
    with torch.no_grad():
        return F.cross_entropy(model(x), y, reduction="none")


@pytest.mark.parametrize("seed", range(3))
def test_input_gradient_matches_closed_form(seed):
    model = softmax_regression(seed)
    x, y = blobs(20, seed)
    p = torch.softmax(model(x), dim=1).detach()
    expected = (p - F.one_hot(y, C).double()) @ model.weight.detach()
    torch.testing.assert_close(input_gradient(model, x, y), expected)
    torch.testing.assert_close(saliency(model, x, y), expected)
    adv = fgsm(model, x, y, eps=0.05)
    torch.testing.assert_close(adv, (x + 0.05 * expected.sign()).clamp(0, 1))


@pytest.mark.parametrize("seed", range(3))
def test_eps_zero_reproduces_clean_predictions(seed):
    model = trained_mlp(seed)
    x, y = blobs(60, seed + 10)
    clean = model.eval()(x).argmax(1)
    for adv in [
        fgsm(model, x, y, eps=0.0),
        pgd(model, x, y, eps=0.0, alpha=0.01, steps=5),
        pgd(model, x, y, eps=0.0, alpha=0.01, steps=5, targeted=True),
    ]:
        torch.testing.assert_close(adv, x, rtol=0, atol=0)
        assert torch.equal(model(adv).argmax(1), clean)


@pytest.mark.parametrize("targeted", [False, True])
@pytest.mark.parametrize("eps", [0.01, 0.1, 0.3, 1.5])
def test_every_adversarial_input_in_ball_and_range(eps, targeted):
    model = trained_mlp(0)
    x, y = blobs(90, 3)
    x[:5] = 0.0  # on the border of [0, 1]: the clip must act
    x[5:10] = 1.0
    target = (y + 1) % C if targeted else y
    for adv in [
        fgsm(model, x, target, eps, targeted=targeted),
        pgd(model, x, target, eps, alpha=eps / 3, steps=7, targeted=targeted),
        pgd(model, x, target, eps, eps / 3, 7, random_start=False, targeted=targeted),
    ]:
        assert adv.shape == x.shape and adv.dtype == x.dtype
        assert (adv - x).abs().max() <= eps + 1e-12
        assert adv.min() >= 0 and adv.max() <= 1
        assert not adv.requires_grad


@pytest.mark.parametrize("seed", range(4))
def test_untargeted_loss_never_decreases_on_convex_model(seed):
    model = softmax_regression(seed)
    x, y = blobs(50, seed)
    clean = per_example_loss(model, x, y)
    for eps in [0.02, 0.1, 0.4]:
        fg = per_example_loss(model, fgsm(model, x, y, eps), y)
        assert (fg >= clean - 1e-12).all()
        # PGD from x: every step also cannot lower any example's loss
        previous = clean
        for steps in range(1, 6):
            adv = pgd(model, x, y, eps, eps / 2, steps, random_start=False)
            loss = per_example_loss(model, adv, y)
            assert (loss >= previous - 1e-12).all()
            previous = loss


@pytest.mark.parametrize("seed", range(3))
def test_targeted_loss_does_not_increase(seed):
    model = trained_mlp(seed)
    x, y = blobs(60, seed + 20)
    target = (y + 1) % C
    clean = per_example_loss(model, x, target)
    for eps in [0.002, 0.01]:
        fg = per_example_loss(model, fgsm(model, x, target, eps, targeted=True), target)
        assert (fg <= clean + 1e-9).all()
    adv = pgd(model, x, target, 0.3, 0.03, 20, random_start=False, targeted=True)
    assert per_example_loss(model, adv, target).mean() < clean.mean()
    hits = (model(adv).argmax(1) == target).double().mean()
    assert hits > 0.5  # a large enough ball reaches the target class


@pytest.mark.parametrize("seed", range(3))
def test_untargeted_loss_rises_on_mlp(seed):
    model = trained_mlp(seed)
    x, y = blobs(90, seed + 30)
    clean_each = per_example_loss(model, x, y)
    for eps in [0.002, 0.01]:  # small enough for the linearisation: every example
        fg = per_example_loss(model, fgsm(model, x, y, eps), y)
        assert (fg >= clean_each - 1e-9).all()
    clean = clean_each.mean()
    assert per_example_loss(model, fgsm(model, x, y, 0.05), y).mean() > clean
    adv = pgd(model, x, y, 0.05, 0.01, 10, generator=torch.Generator().manual_seed(0))
    assert per_example_loss(model, adv, y).mean() > clean


@pytest.mark.parametrize("targeted", [False, True])
def test_pgd_one_step_from_x_is_fgsm(targeted):
    model = trained_mlp(1)
    x, y = blobs(40, 5)
    y = (y + 1) % C if targeted else y
    torch.testing.assert_close(
        pgd(model, x, y, 0.1, alpha=0.1, steps=1, random_start=False, targeted=targeted),
        fgsm(model, x, y, 0.1, targeted=targeted),
        rtol=0,
        atol=0,
    )


def trained_digits_mlp(seed):
    """An MLP trained on scikit-learn's 8x8 digits in about a second; held-out digits."""
    digits = load_digits()
    x, y = torch.tensor(digits.data / 16.0), torch.tensor(digits.target)
    torch.manual_seed(seed)
    order = torch.randperm(len(x))
    train, test = order[:1200], order[1200:1500]
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)).double()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(200):
        opt.zero_grad()
        F.cross_entropy(model(x[train]), y[train]).backward()
        opt.step()
    return model.eval(), x[test], y[test]


@pytest.mark.parametrize("seed", range(3))
def test_pgd_at_least_as_strong_as_fgsm(seed):
    # In 64 dimensions the loss is curved enough for PGD's many small steps to
    # find more than FGSM's one step (in 2 or 6 dimensions they often tie)
    model, x, y = trained_digits_mlp(seed)
    with torch.no_grad():
        assert (model(x).argmax(1) == y).double().mean() > 0.95  # trained
    g = torch.Generator().manual_seed(seed)
    for eps in [0.05, 0.1, 0.2]:
        x_fgsm = fgsm(model, x, y, eps)
        x_pgd = pgd(model, x, y, eps, alpha=eps / 4, steps=20, generator=g)
        with torch.no_grad():
            acc_fgsm = (model(x_fgsm).argmax(1) == y).double().mean()
            acc_pgd = (model(x_pgd).argmax(1) == y).double().mean()
        assert acc_pgd <= acc_fgsm, (eps, acc_pgd, acc_fgsm)
        loss_fgsm = per_example_loss(model, x_fgsm, y).mean()
        assert per_example_loss(model, x_pgd, y).mean() > loss_fgsm


def test_reproducible_with_generator():
    model = trained_mlp(2)
    x, y = blobs(30, 6)

    def attack(seed):
        g = torch.Generator().manual_seed(seed)
        return pgd(model, x, y, 0.1, 0.02, 3, generator=g)

    assert torch.equal(attack(7), attack(7))
    assert not torch.equal(attack(7), attack(8))


def test_modes_restored_and_no_grad_side_effects():
    model = trained_mlp(0)
    x, y = blobs(30, 7)
    model.train()
    model[2].eval()  # a mixed state: each submodule's own mode must come back
    before = [(m, m.training) for m in model.modules()]
    for p in model.parameters():
        p.grad = torch.full_like(p, 3.0)
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append(m.training))
    with torch.no_grad():  # the attacks need gradients even inside no_grad
        fgsm(model, x, y, 0.1)
        pgd(model, x, y, 0.1, 0.02, 3)
        saliency(model, x, y)
    assert seen and not any(seen)  # every forward pass ran in eval mode
    assert [(m, m.training) for m in model.modules()] == before
    for p in model.parameters():
        assert torch.equal(p.grad, torch.full_like(p, 3.0))
    # Deterministic although the model is in training mode (dropout is off)
    assert torch.equal(fgsm(model, x, y, 0.1), fgsm(model, x, y, 0.1))


def test_mode_restored_after_an_error():
    model = trained_mlp(0).train()
    x, y = blobs(10, 8)
    with pytest.raises(IndexError):
        fgsm(model, x, y + 10, 0.1)  # labels out of range: cross_entropy fails
    assert all(m.training for m in model.modules())
    with eval_mode(model):
        assert not any(m.training for m in model.modules())
    assert all(m.training for m in model.modules())


def test_caller_tensors_untouched():
    model = trained_mlp(0)
    x, y = blobs(10, 9)
    x.requires_grad_(True)
    x_copy = x.detach().clone()
    adv = pgd(model, x, y, 0.1, 0.02, 3)
    assert torch.equal(x.detach(), x_copy) and x.grad is None
    assert not adv.requires_grad


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(eps=-0.1), ValueError, "eps must be a finite number >= 0"),
        (dict(eps=float("nan")), ValueError, "eps"),
        (dict(eps="0.1"), ValueError, "eps"),
        (dict(alpha=0.0), ValueError, "alpha must be a finite number > 0"),
        (dict(alpha=-1.0), ValueError, "alpha"),
        (dict(steps=0), ValueError, "steps must be an integer >= 1"),
        (dict(steps=2.5), ValueError, "steps"),
        (dict(steps=True), ValueError, "steps"),
        (dict(random_start=1), TypeError, "random_start must be True or False"),
        (dict(targeted="yes"), TypeError, "targeted"),
        (dict(generator=0), TypeError, "generator must be a torch.Generator"),
    ],
)
def test_pgd_bad_arguments(kwargs, error, match):
    model = trained_mlp(0)
    x, y = blobs(10, 0)
    args = dict(eps=0.1, alpha=0.02, steps=3) | kwargs
    with pytest.raises(error, match=match):
        pgd(model, x, y, **args)


@pytest.mark.parametrize("attack", ["fgsm", "pgd", "saliency"])
def test_bad_inputs(attack):
    model = trained_mlp(0)
    x, y = blobs(10, 0)

    def call(x_, y_, m=model):
        if attack == "fgsm":
            return fgsm(m, x_, y_, 0.1)
        if attack == "pgd":
            return pgd(m, x_, y_, 0.1, 0.02, 3)
        return saliency(m, x_, y_)

    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        call(x * 255, y)
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        call(x - 0.5, y)
    bad = x.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        call(bad, y)
    with pytest.raises(ValueError, match=r"y must have shape \(10,\)"):
        call(x, y[:7])
    with pytest.raises(ValueError, match="y must have shape"):
        call(x, y[:, None])
    with pytest.raises(TypeError, match="integer tensor of class labels"):
        call(x, y.double())
    with pytest.raises(TypeError, match="floating-point tensor"):
        call((x * 255).long(), y)
    with pytest.raises(ValueError, match="non-empty batch"):
        call(x[:0], y[:0])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        call(x, y, m=lambda t: t)
    if attack == "fgsm":
        with pytest.raises(ValueError, match="eps must be"):
            fgsm(model, x, y, -0.01)
