"""dlbook_utils.optim.schedules: each schedule against its torch.optim.lr_scheduler twin."""

import functools
import math

import pytest
import torch
from torch.optim import lr_scheduler

from dlbook_utils.optim import (
    SGD,
    ReduceLROnPlateau,
    ScheduleLR,
    cosine_lr,
    exponential_lr,
    linear_warmup_lr,
    power_lr,
    warmup_cosine_lr,
)

STEPS = 60


def _optimizer(lrs=(0.1, 0.03)):
    """An optimizer with two groups of different base rates."""
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return SGD(groups, lr=lrs[0])


def _rates(scheduler, steps=STEPS):
    """The rates of every group at steps 0..steps-1, stepping in the right order."""
    rates = []
    for _ in range(steps):
        rates.append([g["lr"] for g in scheduler.optimizer.param_groups])
        scheduler.optimizer.step()
        scheduler.step()
    return torch.tensor(rates, dtype=torch.float64)


def _ours(schedule):
    return _rates(ScheduleLR(_optimizer(), schedule))


@pytest.mark.parametrize("T", [5, 20, 37])
def test_exponential_matches_exponential_lr(T):
    ref = _rates(lr_scheduler.ExponentialLR(_optimizer(), gamma=10 ** (-1 / T)))
    torch.testing.assert_close(
        _ours(functools.partial(exponential_lr, T=T)), ref, rtol=1e-12, atol=0
    )
    assert exponential_lr(T, 0.5, T) == pytest.approx(0.05)


@pytest.mark.parametrize(("T", "c"), [(10, 1.0), (3, 0.5), (25, 2.0)])
def test_power_matches_lambda_lr(T, c):
    ref = _rates(lr_scheduler.LambdaLR(_optimizer(), lambda t: (1 + t / T) ** (-c)))
    torch.testing.assert_close(
        _ours(functools.partial(power_lr, T=T, c=c)), ref, rtol=1e-12, atol=0
    )
    assert power_lr(T, 1.0, T, c) == pytest.approx(2 ** (-c))


@pytest.mark.parametrize(("T", "eta_min"), [(STEPS - 1, 0.0), (30, 1e-3)])
def test_cosine_matches_cosine_annealing_lr(T, eta_min):
    ref = _rates(lr_scheduler.CosineAnnealingLR(_optimizer(), T_max=T, eta_min=eta_min))
    ours = _ours(functools.partial(cosine_lr, T=T, eta_min=eta_min))
    # torch's recursive form rounds differently; past T its cosine rises again
    torch.testing.assert_close(ours[: T + 1], ref[: T + 1], rtol=1e-9, atol=1e-12)
    assert torch.all(ours[T:] == ours[T])


@pytest.mark.parametrize(("warmup", "start"), [(5, 1 / 3), (12, 0.1)])
def test_linear_warmup_matches_linear_lr(warmup, start):
    ref = _rates(
        lr_scheduler.LinearLR(_optimizer(), start_factor=start, total_iters=warmup)
    )
    ours = _ours(functools.partial(linear_warmup_lr, warmup=warmup, start_factor=start))
    torch.testing.assert_close(ours, ref, rtol=1e-9, atol=1e-12)


def test_warmup_cosine_matches_sequential_lr():
    warmup, T = 8, 40
    opt = _optimizer()
    ref = _rates(
        lr_scheduler.SequentialLR(
            opt,
            [
                lr_scheduler.LinearLR(opt, start_factor=1e-3, total_iters=warmup),
                lr_scheduler.CosineAnnealingLR(opt, T_max=T - warmup),
            ],
            milestones=[warmup],
        ),
        steps=T + 1,
    )
    ours = _rates(
        ScheduleLR(
            _optimizer(),
            functools.partial(warmup_cosine_lr, warmup=warmup, T=T, start_factor=1e-3),
        ),
        steps=T + 1,
    )
    torch.testing.assert_close(ours, ref, rtol=1e-9, atol=1e-12)
    assert warmup_cosine_lr(T, 1.0, warmup, T) == pytest.approx(0.0, abs=1e-15)


def _metrics(seed, n=80):
    """A noisy, decreasing then flat validation loss."""
    g = torch.Generator().manual_seed(seed)
    base = torch.exp(-torch.arange(n) / 10.0) + 0.3
    return (base + 0.02 * torch.randn(n, generator=g, dtype=torch.float64)).tolist()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        dict(patience=2),
        dict(patience=3, factor=0.5, cooldown=2),
        dict(patience=1, threshold=0.05, threshold_mode="abs"),
        dict(patience=2, factor=0.5, min_lr=0.01),
        dict(mode="max", patience=2, factor=0.3),
        dict(mode="max", patience=2, threshold_mode="abs", threshold=0.01),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plateau_matches_reduce_lr_on_plateau(kwargs, seed):
    ours = ReduceLROnPlateau(_optimizer(), **kwargs)
    ref = lr_scheduler.ReduceLROnPlateau(_optimizer(), **kwargs)
    sign = -1 if kwargs.get("mode") == "max" else 1
    for metric in _metrics(seed):
        ours.step(sign * metric)
        ref.step(sign * metric)
        assert ours.get_last_lr() == pytest.approx(ref.get_last_lr(), rel=1e-12)
        assert ours.num_bad_epochs == ref.num_bad_epochs
        assert ours.best == ref.best


def test_plateau_lowers_the_rate_and_round_trips():
    sched = ReduceLROnPlateau(_optimizer(), patience=2)
    for metric in [1.0, 0.9, 0.9, 0.9, 0.9]:
        sched.step(metric)
    assert sched.get_last_lr() == pytest.approx([0.01, 0.003])
    other = ReduceLROnPlateau(_optimizer())
    other.load_state_dict(sched.state_dict())
    assert other.patience == 2 and other.best == 0.9


def test_schedule_state_dict_round_trip():
    sched = ScheduleLR(_optimizer(), functools.partial(exponential_lr, T=10))
    _rates(sched, steps=7)
    state = sched.state_dict()
    assert "schedule" not in state and state["last_epoch"] == 7
    other = ScheduleLR(_optimizer(), functools.partial(exponential_lr, T=10))
    other.load_state_dict(state)
    assert other.last_epoch == 7
    assert math.isclose(other.get_last_lr()[0], 0.1 * 10 ** (-0.7))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: ScheduleLR(o, 0.1), TypeError, "function"),
        (lambda o: ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode"),
        (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
        (lambda o: ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold"),
    ],
)
def test_bad_arguments_raise(make, error, match):
    with pytest.raises(error, match=match):
        make(_optimizer())
