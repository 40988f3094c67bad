"""Deep Q-learning parts: TD target, loss, replay buffer, target sync, schedules, tabular."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook_utils.rl import (
    DQNConfig,
    MouseGame,
    QNetConv,
    QNetFC,
    ReplayBuffer,
    dqn_loss,
    epsilon_schedule,
    q_learning,
    sync_target,
    tabular_mdp,
    td_target,
    train_dqn,
    value_iteration,
)


def test_td_target_terminal_and_truncated():
    reward = torch.tensor([1.0, 0.5, -1.0, 0.0], dtype=torch.float64)
    next_q = torch.tensor([[0.0, 2.0], [3.0, 1.0], [5.0, 4.0], [-1.0, -2.0]],
                          dtype=torch.float64)  # fmt: skip
    terminated = torch.tensor([0.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    # Transition 2 is truncated (a time limit): it bootstraps like transition 0.
    target = td_target(reward, next_q, terminated, gamma=0.9)
    expected = torch.tensor([1 + 0.9 * 2, 0.5, -1 + 0.9 * 5, 0.9 * -1], dtype=torch.float64)
    torch.testing.assert_close(target, expected, rtol=0, atol=1e-15)
    torch.testing.assert_close(td_target(reward, next_q, terminated, 0.0), reward)


def test_dqn_loss_is_huber_on_taken_actions_and_ignores_target_grad():
    g = torch.Generator().manual_seed(0)
    q = torch.randn(6, 4, dtype=torch.float64, generator=g, requires_grad=True)
    action = torch.tensor([0, 3, 1, 1, 2, 0])
    target = torch.randn(6, dtype=torch.float64, generator=g).mul(3).requires_grad_()
    loss = dqn_loss(q, action, target)
    ref = F.smooth_l1_loss(q[torch.arange(6), action], target.detach())
    torch.testing.assert_close(loss, ref)
    loss.backward()
    assert target.grad is None
    untaken = torch.ones(6, 4, dtype=bool)
    untaken[torch.arange(6), action] = False
    assert q.grad[untaken].abs().max() == 0


def test_replay_buffer_ring_flags_and_seeded_sampling():
    buf = ReplayBuffer(5, (1, 2), seed=0)
    for i in range(7):
        obs = np.full((1, 2), i, dtype=np.float32)
        buf.add(obs, i % 4, float(i), obs + 1, terminated=i == 5, truncated=i == 6)
    assert len(buf) == 5
    assert sorted(buf.reward.tolist()) == [2.0, 3.0, 4.0, 5.0, 6.0]  # 0 and 1 overwritten
    batch = buf.sample(200)
    assert batch["obs"].shape == (200, 1, 2) and batch["action"].dtype == torch.int64
    torch.testing.assert_close(batch["next_obs"], batch["obs"] + 1)
    torch.testing.assert_close(batch["obs"][:, 0, 0], batch["reward"])
    torch.testing.assert_close(batch["terminated"], (batch["reward"] == 5).float())
    torch.testing.assert_close(batch["truncated"], (batch["reward"] == 6).float())
    assert set(batch["reward"].tolist()) == {2.0, 3.0, 4.0, 5.0, 6.0}
    again = ReplayBuffer(5, (1, 2), seed=0)
    for i in range(7):
        obs = np.full((1, 2), i, dtype=np.float32)
        again.add(obs, i % 4, float(i), obs + 1, i == 5, i == 6)
    torch.testing.assert_close(again.sample(200)["reward"], batch["reward"])
    with pytest.raises(ValueError, match="cannot sample 4 transitions from a buffer hold"):
        ReplayBuffer(5, (1, 2)).sample(4)
    with pytest.raises(ValueError, match="capacity"):
        ReplayBuffer(0, (3, 5, 5))


def test_sync_target_copy_and_polyak():
    torch.manual_seed(0)
    online, target = QNetConv(), QNetConv()
    before = [p.clone() for p in target.parameters()]
    sync_target(target, online, tau=0.25)
    for b, t, o in zip(before, target.parameters(), online.parameters(), strict=True):
        torch.testing.assert_close(t, 0.75 * b + 0.25 * o)
    sync_target(target, online)
    for t, o in zip(target.parameters(), online.parameters(), strict=True):
        assert torch.equal(t, o)
    with pytest.raises(ValueError, match="tau"):
        sync_target(target, online, tau=0.0)


def test_epsilon_schedules():
    lin = epsilon_schedule("linear", 1.0, 0.1, steps=100)
    assert lin(0) == 1.0 and lin(50) == pytest.approx(0.55) and lin(100) == lin(500) == 0.1
    exp = epsilon_schedule("exponential", 1.0, 0.1, steps=100)
    assert exp(0) == 1.0 and 0.1 < exp(100) < 0.1 + 0.01 * 0.9
    assert epsilon_schedule("constant", 0.2)(12345) == 0.2
    with pytest.raises(ValueError, match="kind"):
        epsilon_schedule("cosine")
    with pytest.raises(ValueError, match="start, end"):
        epsilon_schedule("linear", 1.5)


def test_q_networks_shapes():
    x = torch.zeros(7, 3, 5, 5)
    assert QNetFC()(x).shape == (7, 4) and QNetConv()(x).shape == (7, 4)


def test_train_dqn_runs_and_is_reproducible():
    def run():
        torch.manual_seed(0)
        cfg = DQNConfig(steps=300, learning_starts=100, batch_size=16, target_every=50)
        env = MouseGame(size=5, n_cheese=3, n_poison=2, max_steps=50)
        net, history = train_dqn(env, QNetFC(), cfg, seed=1)
        return net, history

    (net, h), (net2, h2) = run(), run()
    assert len(h["returns"]) == 6 and h["episode_end"][-1] == 300
    assert len(h["loss"]) == 200 and h["loss"] == h2["loss"]
    for p, p2 in zip(net.parameters(), net2.parameters(), strict=True):
        assert torch.equal(p, p2)


TINY_START = {"mouse": (0, 0), "cheese": [(2, 2)], "poison": [(1, 1)]}


def test_tabular_q_learning_converges_to_value_iteration():
    env = MouseGame(size=3, n_cheese=1, n_poison=1, respawn=False, max_steps=50)
    mdp = tabular_mdp(env, TINY_START)
    q_star = value_iteration(mdp["next_state"], mdp["reward"], mdp["terminated"], 0.9)
    # Hand-checked: from (0, 0) the cheese is 4 steps away, the poison 2 on the way.
    assert q_star[0, 1] == pytest.approx(0.9**3 * 0.5)  # right: 3 more steps
    assert q_star[0, 0] == pytest.approx(0.9**4 * 0.5)  # up: a wasted step
    q = q_learning(env, TINY_START, 20_000, 0.5, 0.9, 1.0, np.random.default_rng(0))
    live = [i for i in range(len(mdp["keys"])) if mdp["expanded"][i]]
    assert len(live) == 7 + 8  # the mouse on a free cell, poison left or eaten
    err = max(np.abs(q[mdp["keys"][i]] - q_star[i]).max() for i in live)
    assert err < 1e-9


def test_tabular_mdp_needs_a_deterministic_game():
    with pytest.raises(ValueError, match="respawn=False"):
        tabular_mdp(MouseGame(size=3, n_cheese=1, n_poison=1), TINY_START)
