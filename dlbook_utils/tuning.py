"""Hyperparameter search: every point of a grid, or random draws (chapter 12).

A *space* is a dict ``name -> values``. For :func:`grid_search` each value is a
non-empty list (or tuple); for :func:`random_search` it may also be a distribution with
a ``sample(rng)`` method: :class:`Uniform`, :class:`LogUniform`, :class:`IntUniform`.
The *objective* takes a config (a dict ``name -> value``) and returns a number; both
searches return a :class:`SearchResult` with every trial, in the order they ran.
The searches themselves are chapter 12's code, kept in :mod:`._tuning_core`; the
functions here check their arguments first.
"""

import math
import numbers
from dataclasses import dataclass

from . import _tuning_core as core
from ._tuning_core import SearchResult, Trial
from .validation import as_generator, check_count

__all__ = [
    "Uniform",
    "LogUniform",
    "IntUniform",
    "Trial",
    "SearchResult",
    "grid_search",
    "random_search",
]


def _check_bounds(cls, low, high, positive=False):
    ok = all(isinstance(v, numbers.Real) and math.isfinite(v) for v in (low, high))
    if not ok or not low < high or (positive and low <= 0):
        need = "0 < low < high" if positive else "finite low < high"
        raise ValueError(f"{cls}(low, high) needs {need}, got ({low!r}, {high!r})")


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high). Matches scipy.stats.uniform(low, high - low)."""

    low: float
    high: float

    def __post_init__(self):
        _check_bounds("Uniform", self.low, self.high)

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True)
class LogUniform:
    """log(x) uniform on [log low, log high): each decade equally likely.

    Matches scipy.stats.loguniform(low, high). The usual prior for learning rates.
    """

    low: float
    high: float

    def __post_init__(self):
        _check_bounds("LogUniform", self.low, self.high, positive=True)

    def sample(self, rng):
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))


@dataclass(frozen=True)
class IntUniform:
    """Integers low, low + 1, ..., high (both ends included), equally likely.

    Differs from scipy.stats.randint(low, high), which excludes high.
    """

    low: int
    high: int

    def __post_init__(self):
        ints = all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool)
            for v in (self.low, self.high)
        )
        if not ints or self.low > self.high:
            raise ValueError(
                f"IntUniform(low, high) needs integers low <= high, "
                f"got ({self.low!r}, {self.high!r})"
            )

    def sample(self, rng):
        return int(rng.integers(self.low, self.high, endpoint=True))


def _check_space(space, allow_distributions):
    if not isinstance(space, dict) or not space:
        raise ValueError(f"space must be a non-empty dict name -> values, got {space!r}")
    for name, values in space.items():
        if not isinstance(name, str):
            raise ValueError(f"space keys must be parameter names (str), got {name!r}")
        if allow_distributions and hasattr(values, "sample"):
            continue
        if not isinstance(values, list | tuple) or len(values) == 0:
            kind = "a non-empty list" + (
                " or a distribution (Uniform, LogUniform, IntUniform)"
                if allow_distributions
                else " (grid search takes no distributions)"
            )
            raise ValueError(f"space[{name!r}] must be {kind}, got {values!r}")


def _check_mode(mode):
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")


def _checked(objective):
    """``objective`` wrapped so that a score that is not a number fails at once."""

    def score(config):
        value = objective(config)
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"objective must return a number, got {value!r} for {config}")
        return value

    return score


def grid_search(space, objective, *, mode="min"):
    """Evaluate ``objective`` at every point of the grid ``space``.

    Order: ``itertools.product`` over the keys in the dict's order, the last key varying
    fastest. The set of configurations equals sklearn.model_selection.ParameterGrid's
    (whose order differs: it sorts the keys). Checks its arguments, then runs
    :func:`dlbook_utils._tuning_core.grid_search` (chapter 12's code).
    """
    _check_space(space, allow_distributions=False)
    _check_mode(mode)
    return core.grid_search(space, _checked(objective), mode)


def random_search(space, objective, n_trials, *, rng=None, mode="min"):
    """Evaluate ``objective`` at ``n_trials`` configurations drawn independently.

    A list is sampled uniformly (with replacement); a distribution by its ``sample``.
    ``rng``: a numpy Generator or an int seed (the same seed gives the same trials).
    Draws differ from sklearn.model_selection.ParameterSampler's (another generator);
    like it, every configuration lies in the space. Checks its arguments, then runs
    :func:`dlbook_utils._tuning_core.random_search` (chapter 12's code).
    """
    _check_space(space, allow_distributions=True)
    check_count("n_trials", n_trials, minimum=1)
    _check_mode(mode)
    return core.random_search(space, _checked(objective), n_trials, as_generator(rng), mode)
