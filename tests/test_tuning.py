"""dlbook_utils.tuning: grid and random search against sklearn's ParameterGrid/Sampler."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from sklearn.model_selection import ParameterGrid, ParameterSampler

from dlbook_utils.tuning import (
    IntUniform,
    LogUniform,
    Uniform,
    grid_search,
    random_search,
)

SPACE = {"code_size": [8, 16, 32], "lr": [1e-3, 1e-2], "act": ["relu", "tanh"]}


def frozen(config):
    return tuple(sorted(config.items()))


def objective(c):
    return (math.log10(c["lr"]) + 2.5) ** 2 + 1 / c["code_size"]


def test_grid_enumerates_the_product_in_key_order():
    result = grid_search(SPACE, objective)
    configs = [t.config for t in result.trials]
    expected = [
        dict(zip(SPACE, v, strict=True)) for v in itertools.product(*SPACE.values())
    ]
    assert configs == expected  # last key fastest
    assert configs[0] == {"code_size": 8, "lr": 1e-3, "act": "relu"}
    assert configs[1] == {"code_size": 8, "lr": 1e-3, "act": "tanh"}


def test_grid_has_the_same_configurations_as_sklearn_parameter_grid():
    ours = [frozen(t.config) for t in grid_search(SPACE, objective).trials]
    theirs = [frozen(c) for c in ParameterGrid(SPACE)]
    assert len(ours) == len(theirs) == 12
    assert set(ours) == set(theirs)


def test_scores_best_and_mode():
    result = grid_search(SPACE, objective)
    scores = [objective(t.config) for t in result.trials]
    np.testing.assert_allclose(result.scores, scores)
    assert result.best.score == min(scores)
    assert result.best.config["code_size"] == 32
    best_max = grid_search(SPACE, objective, mode="max").best
    assert best_max.score == max(scores)
    running = result.best_so_far()
    np.testing.assert_allclose(running, np.minimum.accumulate(scores))


def test_ties_go_to_the_first_trial():
    result = grid_search({"a": [1, 2, 3]}, lambda c: 0.0)
    assert result.best.config == {"a": 1}


def test_random_search_is_reproducible_by_seed_and_generator():
    space = {"code_size": [8, 16, 32], "lr": LogUniform(1e-4, 1e-1)}
    a = random_search(space, objective, 20, rng=3)
    b = random_search(space, objective, 20, rng=np.random.default_rng(3))
    c = random_search(space, objective, 20, rng=4)
    assert [t.config for t in a.trials] == [t.config for t in b.trials]
    assert [t.config for t in a.trials] != [t.config for t in c.trials]


def test_random_search_over_lists_stays_in_sklearns_grid():
    grid = {frozen(c) for c in ParameterGrid(SPACE)}
    result = random_search(SPACE, objective, 200, rng=0)
    ours = {frozen(t.config) for t in result.trials}
    assert ours <= grid
    assert len(ours) == len(grid)  # 200 draws from 12 cells reach all of them
    sampled = {frozen(c) for c in ParameterSampler(SPACE, 12, random_state=0)}
    assert sampled <= grid  # sklearn's twin draws from the same set


def test_random_search_keeps_list_items_whole():
    space = {"channels": [(8, 16), (16, 32)]}
    result = random_search(space, lambda c: float(c["channels"][0]), 10, rng=0)
    assert all(t.config["channels"] in space["channels"] for t in result.trials)


@pytest.mark.parametrize(
    "dist, ref",
    [
        (LogUniform(1e-4, 1e-1), stats.loguniform(1e-4, 1e-1)),
        (Uniform(-2.0, 3.0), stats.uniform(-2.0, 5.0)),
    ],
)
def test_distributions_match_scipy(dist, ref):
    rng = np.random.default_rng(0)
    draws = np.array([dist.sample(rng) for _ in range(4000)])
    assert draws.min() >= dist.low and draws.max() < dist.high
    assert stats.kstest(draws, ref.cdf).pvalue > 1e-3


def test_int_uniform_includes_both_ends():
    rng = np.random.default_rng(0)
    draws = [IntUniform(2, 4).sample(rng) for _ in range(600)]
    assert set(draws) == {2, 3, 4}
    assert all(isinstance(d, int) for d in draws)


def test_random_search_draws_inside_the_space():
    space = {"lr": LogUniform(1e-3, 1e-2), "p": Uniform(0.0, 0.5),
             "depth": IntUniform(1, 3), "k": [4, 8]}  # fmt: skip
    result = random_search(space, lambda c: c["lr"], 100, rng=1)
    for t in result.trials:
        c = t.config
        assert 1e-3 <= c["lr"] < 1e-2 and 0 <= c["p"] < 0.5
        assert c["depth"] in (1, 2, 3) and c["k"] in (4, 8)
    assert len(result.trials) == 100


@pytest.mark.parametrize(
    "space, match",
    [
        ({}, "non-empty dict"),
        ([("lr", [1])], "non-empty dict"),
        ({"lr": []}, "non-empty list"),
        ({"lr": 0.1}, "non-empty list"),
        ({"lr": "0.1"}, "non-empty list"),
        ({1: [1, 2]}, "names"),
    ],
)
def test_bad_spaces_raise_clear_errors(space, match):
    with pytest.raises(ValueError, match=match):
        grid_search(space, objective)
    with pytest.raises(ValueError, match=match):
        random_search(space, objective, 3, rng=0)


def test_grid_search_refuses_distributions():
    with pytest.raises(ValueError, match="grid search takes no distributions"):
        grid_search({"lr": LogUniform(1e-3, 1e-1)}, objective)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LogUniform(0.0, 1.0),
        lambda: LogUniform(1e-2, 1e-3),
        lambda: Uniform(1.0, 1.0),
        lambda: Uniform(0.0, float("inf")),
        lambda: IntUniform(3, 2),
        lambda: IntUniform(0.5, 2),
    ],
)
def test_bad_distributions_raise(make):
    with pytest.raises(ValueError, match="needs"):
        make()


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_trials"):
        random_search(SPACE, objective, 0, rng=0)
    with pytest.raises(ValueError, match="mode"):
        grid_search(SPACE, objective, mode="best")
    with pytest.raises(TypeError, match="rng"):
        random_search(SPACE, objective, 2, rng="seed")
    with pytest.raises(TypeError, match="objective must return a number"):
        grid_search(SPACE, lambda c: "low")


def test_objective_cannot_edit_the_record():
    def greedy(c):
        c["lr"] = 99.0
        return 0.0

    result = grid_search({"lr": [0.1]}, greedy)
    assert result.trials[0].config == {"lr": 0.1}
