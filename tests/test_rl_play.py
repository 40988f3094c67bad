"""Symmetries of the mouse game, the symmetrised Q-values and softmax play."""

import numpy as np
import pytest
import torch

from dlbook_utils.rl import (
    ACTION_PERMS,
    SYMMETRIES,
    MouseGame,
    QNetConv,
    QNetFC,
    softmax_policy,
    symmetric_q,
    transform_view,
)

MOUSE, CHEESE, POISON = 3, 1, 2


def _cells(grid, value):
    return [(int(r), int(c)) for r, c in np.argwhere(grid == value)]


def test_the_game_is_symmetric_with_these_action_permutations():
    # Turn or mirror a whole board: the view turns the same way, and the turned action
    # gives the turned next view and the same reward. This pins down ACTION_PERMS.
    env = MouseGame(size=6, n_cheese=5, n_poison=5, respawn=False)
    rng = np.random.default_rng(0)
    for trial in range(40):
        env.reset(seed=trial)
        grid = env.board.copy()
        grid[env.mouse] = MOUSE
        action = int(rng.integers(4))
        obs, _ = env.reset(options=_options(grid))
        next_obs, reward, *_ = env.step(action)
        for (k, flip), perm in zip(SYMMETRIES, ACTION_PERMS, strict=True):
            turned = np.rot90(grid, k)
            turned = np.flip(turned, axis=1) if flip else turned
            obs_g, _ = env.reset(options=_options(turned))
            expected = transform_view(torch.from_numpy(obs), k, flip).numpy()
            assert np.array_equal(obs_g, expected)
            next_g, reward_g, *_ = env.step(perm[action])
            expected = transform_view(torch.from_numpy(next_obs), k, flip).numpy()
            assert np.array_equal(next_g, expected) and reward_g == reward


def _options(grid):
    return {"mouse": _cells(grid, MOUSE)[0], "cheese": _cells(grid, CHEESE),
            "poison": _cells(grid, POISON)}  # fmt: skip


def test_symmetries_form_the_group_of_the_square():
    assert len(set(SYMMETRIES)) == 8
    perms = {tuple(p) for p in ACTION_PERMS}
    assert len(perms) == 8 and all(sorted(p) == [0, 1, 2, 3] for p in perms)
    x = torch.arange(25.0).view(1, 5, 5)
    assert (
        len({tuple(transform_view(x, k, f).flatten().tolist()) for k, f in SYMMETRIES}) == 8
    )


@pytest.mark.parametrize("make", [QNetConv, QNetFC])
def test_symmetric_q_is_the_average_and_is_exactly_symmetric(make):
    torch.manual_seed(0)
    net = make().double()
    obs = torch.rand(6, 3, 5, 5, dtype=torch.float64).round()
    q = symmetric_q(net, obs)
    # The definition, one symmetry at a time.
    ref = sum(net(transform_view(obs, k, f))[:, p]
              for (k, f), p in zip(SYMMETRIES, ACTION_PERMS, strict=True)) / 8  # fmt: skip
    torch.testing.assert_close(q, ref, rtol=0, atol=1e-14)
    # Q(g s, g a) = Q(s, a) for every symmetry g.
    for (k, f), perm in zip(SYMMETRIES, ACTION_PERMS, strict=True):
        torch.testing.assert_close(symmetric_q(net, transform_view(obs, k, f))[:, perm], q,
                                   rtol=0, atol=1e-14)  # fmt: skip
    # A view that every symmetry leaves alone: the four values tie.
    empty = torch.zeros(1, 3, 5, 5, dtype=torch.float64)
    q_empty = symmetric_q(net, empty)[0]
    torch.testing.assert_close(q_empty, q_empty[0].expand(4), rtol=0, atol=1e-14)


class _FixedQ(torch.nn.Module):
    def __init__(self, values):
        super().__init__()
        self.values = torch.tensor(values)

    def forward(self, obs):
        return self.values.expand(len(obs), -1)


def test_softmax_policy_frequencies_and_limits():
    values = [0.5, 0.45, -0.5, 0.5]
    policy = softmax_policy(_FixedQ(values), temperature=0.1, symmetric=False)
    rng = np.random.default_rng(0)
    obs = np.zeros((3, 5, 5), dtype=np.float32)
    counts = np.bincount([policy(obs, rng) for _ in range(20_000)], minlength=4)
    p = np.exp(np.array(values) / 0.1)
    np.testing.assert_allclose(counts / counts.sum(), p / p.sum(), atol=0.015)
    cold = softmax_policy(_FixedQ([0.1, 0.9, 0.2, 0.3]), temperature=1e-3, symmetric=False)
    assert {cold(obs, rng) for _ in range(50)} == {1}
    with pytest.raises(ValueError, match="temperature must be > 0"):
        softmax_policy(_FixedQ(values), temperature=0.0)
