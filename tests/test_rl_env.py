"""The mouse game: gymnasium's checker, seeding, rewards, the 5 x 5 view, time limit, errors."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from dlbook_utils.rl import MouseGame, evaluate_policy, greedy_policy, random_policy
from dlbook_utils.rl.mouse_game import CHEESE, POISON

UP, RIGHT, DOWN, LEFT = range(4)


def test_check_env_passes_and_spaces():
    env = MouseGame(render_mode="rgb_array")
    check_env(env, skip_render_check=False)
    assert env.action_space.n == 4
    assert env.observation_space.shape == (3, 5, 5)
    assert env.observation_space.dtype == np.float32
    check_env(MouseGame(size=3, n_cheese=1, n_poison=1, respawn=False))


def test_default_board_counts_and_observation_in_space():
    env = MouseGame()
    obs, info = env.reset(seed=0)
    assert env.observation_space.contains(obs) and info == {}
    assert (env.board == CHEESE).sum() == env.n_cheese == 8
    assert (env.board == POISON).sum() == env.n_poison == 6
    assert env.board[env.mouse] == 0


def test_seeding_is_reproducible():
    def rollout(seed):
        env = MouseGame()
        obs, _ = env.reset(seed=seed)
        out = [obs]
        rng = np.random.default_rng(1)
        for _ in range(150):  # crosses one reset
            obs, r, term, trunc, _ = env.step(int(rng.integers(4)))
            out += [obs, np.array([r])]
            if term or trunc:
                out.append(env.reset()[0])
        return np.concatenate([o.ravel() for o in out])

    assert np.array_equal(rollout(3), rollout(3))
    assert not np.array_equal(rollout(3), rollout(4))


def test_rewards_cheese_poison_and_respawn():
    env = MouseGame(size=6, n_cheese=1, n_poison=1)
    env.reset(seed=0, options={"mouse": (2, 2), "cheese": [(2, 3)], "poison": [(3, 2)]})
    _, r, term, trunc, info = env.step(RIGHT)
    assert r == 0.5 and info["ate"] == "cheese" and not term and not trunc
    assert env.mouse == (2, 3)
    assert (env.board == CHEESE).sum() == 1 and env.board[2, 3] == 0  # respawned elsewhere
    env.reset(options={"mouse": (2, 2), "cheese": [(0, 0)], "poison": [(3, 2)]})
    _, r, _, _, info = env.step(DOWN)
    assert r == -1.0 and info["ate"] == "poison"
    assert (env.board == POISON).sum() == 1 and env.board[3, 2] == 0


def test_edge_move_stays_and_no_respawn_terminates():
    env = MouseGame(size=3, n_cheese=1, n_poison=0, respawn=False)
    env.reset(options={"mouse": (0, 0), "cheese": [(0, 1)]})
    _, r, term, _, _ = env.step(UP)
    assert env.mouse == (0, 0) and r == 0.0 and not term
    _, r, term, trunc, _ = env.step(RIGHT)
    assert r == 0.5 and term and not trunc


def test_view_on_hand_built_board_with_edges():
    env = MouseGame(size=5, n_cheese=1, n_poison=1)
    obs, _ = env.reset(options={"mouse": (0, 1), "cheese": [(2, 3)], "poison": [(1, 0)]})
    cheese, poison, wall = obs
    # The window spans rows -2..2 and columns -1..3: rows -2, -1 and column -1 are wall.
    expected_wall = np.zeros((5, 5))
    expected_wall[:2, :] = 1
    expected_wall[:, 0] = 1
    assert np.array_equal(wall, expected_wall)
    assert np.argwhere(cheese).tolist() == [[4, 4]]  # (2, 3) - (0, 1) + (2, 2)
    assert np.argwhere(poison).tolist() == [[3, 1]]  # (1, 0) - (0, 1) + (2, 2)
    assert obs.sum() == expected_wall.sum() + 2  # channels never overlap
    # Corner (4, 4): two rows and two columns of wall on the bottom right.
    obs, _ = env.reset(options={"mouse": (4, 4), "cheese": [(2, 2)], "poison": []})
    assert obs[2, 3:, :].all() and obs[2, :, 3:].all() and obs[2, :3, :3].sum() == 0
    assert obs[0, 0, 0] == 1 and obs[1].sum() == 0
    # Centre of a big board: no wall, an item two cells away in each direction.
    env = MouseGame(size=9)
    obs, _ = env.reset(options={"mouse": (4, 4), "cheese": [(2, 4), (4, 6)],
                                "poison": [(6, 4), (4, 2)]})  # fmt: skip
    assert obs[2].sum() == 0
    assert np.argwhere(obs[0]).tolist() == [[0, 2], [2, 4]]
    assert np.argwhere(obs[1]).tolist() == [[2, 0], [4, 2]]


def test_truncation_at_time_limit_not_termination():
    env = MouseGame(size=4, n_cheese=1, n_poison=0, max_steps=7)
    env.reset(seed=0)
    flags = []
    for _ in range(7):
        _, _, term, trunc, _ = env.step(UP)
        flags.append((term, trunc))
    assert flags[:-1] == [(False, False)] * 6 and flags[-1] == (False, True)


def test_render_rgb_array():
    env = MouseGame(size=6, render_mode="rgb_array")
    env.reset(seed=1)
    image = env.render()
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8
    assert MouseGame().render() is None  # no render_mode: nothing to draw


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 1}, "size must be at least 2"),
        ({"size": 3, "n_cheese": 5, "n_poison": 3}, "too many items"),
        ({"n_poison": -1}, "n_poison must be a non-negative integer"),
        ({"n_cheese": 0}, "n_cheese must be at least 1"),
        ({"size": 2.5}, "size must be a non-negative integer"),
        ({"max_steps": 0}, "max_steps and vision"),
        ({"render_mode": "human"}, "render_mode"),
    ],
)
def test_bad_configuration(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MouseGame(**kwargs)


def test_bad_actions_and_boards():
    env = MouseGame()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset(seed=0)
    for action in (4, -1, 1.5, "up"):
        with pytest.raises(ValueError, match="action must be an integer in 0..3"):
            env.step(action)
    with pytest.raises(ValueError, match="off the"):
        env.reset(options={"mouse": (8, 0)})
    with pytest.raises(ValueError, match="twice"):
        env.reset(options={"mouse": (0, 0), "cheese": [(0, 0)]})
    with pytest.raises(ValueError, match="options must be"):
        env.reset(options={"cheese": [(0, 0)]})


def test_baselines_rank_as_expected():
    seeds = range(100, 120)
    greedy = evaluate_policy(MouseGame(), greedy_policy, seeds)
    rand = evaluate_policy(MouseGame(), random_policy, seeds)
    assert greedy.shape == (20,) and greedy.mean() > rand.mean() + 2
    # The greedy mouse never eats visible poison: only a boxed-in mouse could.
    env = MouseGame(size=5, n_cheese=1, n_poison=3)
    obs, _ = env.reset(options={"mouse": (2, 2), "cheese": [(0, 2)],
                                "poison": [(1, 2), (2, 1), (3, 2)]})  # fmt: skip
    rng = np.random.default_rng(0)
    assert all(greedy_policy(obs, rng) == RIGHT for _ in range(10))
