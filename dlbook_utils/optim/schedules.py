"""Learning-rate schedules as functions of the step t, and the schedulers that apply them.

``exponential_lr``, ``power_lr``, ``cosine_lr``, ``linear_warmup_lr`` and
``warmup_cosine_lr`` give the learning rate at step (or epoch) t from the base rate lr0;
``ScheduleLR`` applies any of them to an optimizer as a ``torch.optim.lr_scheduler``
does; ``ReduceLROnPlateau`` lowers the rate when a monitored metric stops improving
(performance scheduling). Chapter 14 plots them and checks each against its torch twin.
"""

import math

from torch.optim.lr_scheduler import LRScheduler

__all__ = [
    "exponential_lr",
    "power_lr",
    "cosine_lr",
    "linear_warmup_lr",
    "warmup_cosine_lr",
    "ScheduleLR",
    "ReduceLROnPlateau",
]


def exponential_lr(t, lr0, T):
    """lr0 * 10^(-t/T): divided by 10 every T steps.

    Matches torch.optim.lr_scheduler.ExponentialLR with gamma = 10^(-1/T).
    """
    return lr0 * 10 ** (-t / T)


def power_lr(t, lr0, T, c=1.0):
    """lr0 * (1 + t/T)^(-c): halved at t = T when c = 1, then decays like 1/t."""
    return lr0 * (1 + t / T) ** (-c)


def cosine_lr(t, lr0, T, eta_min=0.0):
    """Half a cosine from lr0 at t = 0 to eta_min at t = T (then constant, unlike torch).

    Matches torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T) for 0 <= t <= T; past T
    torch's cosine rises again, this one stays at eta_min.
    """
    t = min(t, T)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / T)) / 2


def linear_warmup_lr(t, lr0, warmup, start_factor=1 / 3):
    """Linear ramp from start_factor * lr0 at t = 0 to lr0 at t = warmup, then lr0.

    Matches torch.optim.lr_scheduler.LinearLR(start_factor, total_iters=warmup).
    """
    frac = min(t, warmup) / warmup
    return lr0 * (start_factor + (1 - start_factor) * frac)


def warmup_cosine_lr(t, lr0, warmup, T, start_factor=0.0, eta_min=0.0):
    """Linear warm-up for ``warmup`` steps, then a cosine decay reaching eta_min at T."""
    if t < warmup:
        return linear_warmup_lr(t, lr0, warmup, start_factor)
    return cosine_lr(t - warmup, lr0, T - warmup, eta_min)


class ScheduleLR(LRScheduler):
    """Set each group's learning rate to ``schedule(t, base_lr)`` at step t.

    ``schedule``: a function of (t, lr0), e.g.
    ``functools.partial(exponential_lr, T=100)``. Call ``scheduler.step()`` after
    ``optimizer.step()``, as with any torch scheduler. Like torch.optim.lr_scheduler.LambdaLR,
    but the function returns the rate itself rather than a factor.
    """

    def __init__(self, optimizer, schedule, last_epoch=-1):
        if not callable(schedule):
            raise TypeError(f"schedule must be a function of (t, lr0), got {schedule!r}")
        self.schedule = schedule
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The rates for step ``self.last_epoch``, one per parameter group."""
        return [self.schedule(self.last_epoch, lr0) for lr0 in self.base_lrs]

    def state_dict(self):
        """The scheduler's state without the function (as LambdaLR leaves out its own)."""
        return {
            k: v for k, v in self.__dict__.items() if k not in ("optimizer", "schedule")
        }


class ReduceLROnPlateau:
    """Multiply the learning rates by ``factor`` when a metric stops improving.

    ``step(metric)`` once per epoch: an improvement means ``metric < best * (1 -
    threshold)`` (mode "min", threshold_mode "rel"; "abs" compares with best - threshold;
    mode "max" mirrors both). After more than ``patience`` epochs without one, the rates
    drop to ``max(lr * factor, min_lr)`` and ``cooldown`` epochs pass before counting again.
    Matches torch.optim.lr_scheduler.ReduceLROnPlateau (one ``min_lr`` for all groups).
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0.0,
        eps=1e-8,
    ):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        if not 0 <= factor < 1:
            raise ValueError(f"factor must be in [0, 1), got {factor!r}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0

    def is_better(self, a):
        """Whether the metric value ``a`` improves on the best seen so far."""
        sign = 1 if self.mode == "min" else -1
        if self.threshold_mode == "rel":
            return sign * a < sign * self.best * (1 - sign * self.threshold)
        return sign * a < sign * self.best - self.threshold

    def step(self, metric):
        """Record one epoch's metric; lower the rates after too long a plateau."""
        metric = float(metric)
        self.last_epoch += 1
        if self.is_better(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # in cooldown: bad epochs do not count
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group in self.optimizer.param_groups:
                new_lr = max(group["lr"] * self.factor, self.min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def get_last_lr(self):
        """The current learning rate of each parameter group."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Everything but the optimizer, as torch's schedulers save."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the counters and the best value saved by ``state_dict``."""
        self.__dict__.update(state_dict)
