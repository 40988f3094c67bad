"""Chapter 12's grid and random search exactly as the chapter shows them: no checks.

Call them through :mod:`dlbook_utils.tuning`, whose functions of the same names check the
space, the mode, the number of trials, the generator and the objective's return value,
and then run this code. ``tests/test_chapter_sync.py`` keeps :func:`grid_search` and
:func:`random_search` identical to the chapter's cells. :class:`Trial` and
:class:`SearchResult`, the record both write, live here with them.
"""

import itertools
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Trial", "SearchResult", "grid_search", "random_search"]


@dataclass(frozen=True)
class Trial:
    """One evaluated configuration: the config dict and its score."""

    config: dict
    score: float


@dataclass
class SearchResult:
    """Every trial of a search, in the order run, and the best one.

    ``mode`` is ``"min"`` (a loss) or ``"max"`` (an accuracy); ties go to the first.
    """

    trials: list = field(default_factory=list)
    mode: str = "min"

    @property
    def scores(self):
        """(n_trials,) the scores, in the order run."""
        return np.array([t.score for t in self.trials])

    @property
    def best(self):
        """The trial with the lowest score (``"min"``) or the highest (``"max"``)."""
        pick = np.nanargmin if self.mode == "min" else np.nanargmax
        return self.trials[int(pick(self.scores))]

    def best_so_far(self):
        """(n_trials,) the best score among the first i + 1 trials, for each i."""
        acc = np.fmin.accumulate if self.mode == "min" else np.fmax.accumulate
        return acc(self.scores)


def grid_search(space, objective, mode="min"):
    """Score every combination of the lists in ``space`` (the last key varies fastest).

    space: dict name -> list of values; objective: config dict -> number.
    """
    names = list(space)
    result = SearchResult(mode=mode)
    for values in itertools.product(*(space[n] for n in names)):
        config = dict(zip(names, values, strict=True))
        score = objective(dict(config))  # a copy: the record stays as drawn
        result.trials.append(Trial(config, float(score)))
    return result


def random_search(space, objective, n_trials, rng, mode="min"):
    """Score ``n_trials`` configurations, each value drawn independently.

    space: dict name -> list (drawn uniformly) or distribution (``sample(rng)``);
    rng: a numpy Generator.
    """
    result = SearchResult(mode=mode)
    for _ in range(n_trials):
        config = {}
        for name, values in space.items():
            if hasattr(values, "sample"):  # a distribution: LogUniform, ...
                config[name] = values.sample(rng)
            else:  # an index, so that a list of tuples gives a tuple
                config[name] = values[int(rng.integers(len(values)))]
        score = objective(dict(config))
        result.trials.append(Trial(config, float(score)))
    return result
