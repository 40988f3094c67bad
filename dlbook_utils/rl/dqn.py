"""Deep Q-learning: Q-networks, the TD target and loss, and a small training loop (ch. 17).

- :class:`QNetFC` and :class:`QNetConv`: Q-networks on the mouse's ``(3, 5, 5)`` view.
- :func:`td_target`: ``r + gamma * (1 - terminated) * max_a' Q_target(s', a')``; a
  truncated transition (time limit) still bootstraps, a terminated one does not.
- :func:`dqn_loss`: the Huber loss between ``Q(s, a)`` and the target, as in
  Mnih et al. (2015) whose "error clipping" is the Huber loss's gradient.
- :func:`sync_target`: copy (or Polyak-average) the online weights into the target net.
- :func:`epsilon_schedule`: constant, linear or exponential decay of exploration.
- :func:`train_dqn`: the loop, short enough to read; :class:`DQNConfig` its settings.
"""

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .replay import ReplayBuffer

__all__ = [
    "QNetFC", "QNetConv", "td_target", "dqn_loss", "sync_target", "epsilon_schedule",
    "epsilon_greedy", "DQNConfig", "train_dqn",
]  # fmt: skip


class QNetFC(nn.Module):
    """Fully connected Q-network: flatten the view, two hidden ReLU layers, one Q per action.

    Input ``(B, C, H, W)``, output ``(B, n_actions)``.
    """

    def __init__(self, obs_shape=(3, 5, 5), n_actions=4, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(math.prod(obs_shape), hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_actions),
        )

    def forward(self, obs):
        return self.net(obs)


class QNetConv(nn.Module):
    """Convolutional Q-network: two 3 x 3 convolutions on the view, then a linear head.

    ``(B, 3, 5, 5)`` -> conv (padding 1) ``(B, c, 5, 5)`` -> conv ``(B, 2c, 3, 3)`` ->
    linear ``hidden`` -> ``(B, n_actions)``. The first layer's filters are the same at
    every cell of the view: "cheese next to me" is one pattern wherever it is.
    """

    def __init__(self, obs_shape=(3, 5, 5), n_actions=4, channels=16, hidden=64):
        super().__init__()
        c, h, w = obs_shape
        self.net = nn.Sequential(
            nn.Conv2d(c, channels, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channels, 2 * channels, 3),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(2 * channels * (h - 2) * (w - 2), hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_actions),
        )

    def forward(self, obs):
        return self.net(obs)


def td_target(reward, next_q, terminated, gamma):
    """r + gamma * max_a' Q(s', a'), without the second term where s' is terminal."""
    # reward, terminated: (B,); next_q: (B, n_actions) from the target network
    return reward + gamma * (1.0 - terminated) * next_q.max(dim=1).values


def dqn_loss(q, action, target):
    """Huber loss between Q(s, a) of the actions taken and the (constant) TD target."""
    # q: (B, n_actions); action, target: (B,)
    q_taken = q.gather(1, action.unsqueeze(1)).squeeze(1)
    return F.smooth_l1_loss(q_taken, target.detach())


@torch.no_grad()
def sync_target(target_net, online_net, tau=1.0):
    """theta_target <- tau * theta_online + (1 - tau) * theta_target (tau = 1: copy)."""
    if not 0.0 < tau <= 1.0:
        raise ValueError(f"tau must be in (0, 1], got {tau}")
    for t, o in zip(target_net.parameters(), online_net.parameters(), strict=True):
        t.copy_(o) if tau == 1.0 else t.lerp_(o, tau)


def epsilon_schedule(kind="linear", start=1.0, end=0.05, steps=10_000):
    """A function ``step -> epsilon``: ``"constant"`` (``start``), ``"linear"`` from
    ``start`` to ``end`` over ``steps`` then flat, or ``"exponential"``
    ``end + (start - end) * exp(-5 step / steps)`` (within 1% of the gap at ``steps``)."""
    if kind not in ("constant", "linear", "exponential"):
        raise ValueError(
            f"kind must be 'constant', 'linear' or 'exponential', got {kind!r}"
        )
    if not (0 <= end <= 1 and 0 <= start <= 1) or steps < 1:
        raise ValueError(f"need 0 <= start, end <= 1 and steps >= 1, got {start}, {end}, "
                         f"{steps}")  # fmt: skip
    if kind == "constant":
        return lambda step: start
    if kind == "linear":
        return lambda step: end if step >= steps else start + (end - start) * step / steps
    return lambda step: end + (start - end) * math.exp(-5.0 * step / steps)


def epsilon_greedy(qnet, obs, epsilon, rng):
    """A random action with probability epsilon, else argmax_a Q(obs, a)."""
    if rng.random() < epsilon:
        return int(rng.integers(4))
    with torch.no_grad():
        return int(qnet(torch.from_numpy(obs).unsqueeze(0)).argmax())


@dataclass
class DQNConfig:
    """Settings of :func:`train_dqn` (the defaults suit the mouse game on a CPU)."""

    steps: int = 20_000  # environment steps
    gamma: float = 0.9  # discount: a reward 10 steps away counts 0.35
    lr: float = 1e-3  # Adam
    batch_size: int = 64
    buffer_size: int = 20_000
    learning_starts: int = 500  # random steps that fill the buffer first
    train_every: int = 1  # environment steps per gradient step
    target_every: int = 500  # gradient steps between target-network copies
    epsilon: object = None  # a function step -> epsilon; None: constant 0.05


def train_dqn(env, qnet, config=None, seed=0):
    """Train ``qnet`` on ``env`` by deep Q-learning; return ``(qnet, history)``.

    ``history`` holds ``returns`` (the undiscounted return of every finished episode),
    ``episode_end`` (the step each ended at) and ``loss`` (one per gradient step).
    Seeds: the boards come from ``env.reset(seed=seed)``, exploration and replay from
    NumPy generators seeded from ``seed``, the network's initialisation is the caller's.
    """
    cfg = config or DQNConfig()
    epsilon = cfg.epsilon or epsilon_schedule("constant", 0.05)
    rng = np.random.default_rng([seed, 1])
    buffer = ReplayBuffer(cfg.buffer_size, env.observation_space.shape, seed=[seed, 2])
    target_net = copy.deepcopy(qnet).requires_grad_(False)
    optimizer = torch.optim.Adam(qnet.parameters(), lr=cfg.lr)
    history = {"returns": [], "episode_end": [], "loss": []}
    obs, _ = env.reset(seed=seed)
    episode_return = 0.0
    for step in range(cfg.steps):
        eps = 1.0 if step < cfg.learning_starts else epsilon(step - cfg.learning_starts)
        action = epsilon_greedy(qnet, obs, eps, rng)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        episode_return += reward
        obs = next_obs
        if terminated or truncated:
            history["returns"].append(episode_return)
            history["episode_end"].append(step + 1)
            obs, _ = env.reset()
            episode_return = 0.0
        if step >= cfg.learning_starts and step % cfg.train_every == 0:
            b = buffer.sample(cfg.batch_size)
            with torch.no_grad():
                target = td_target(b["reward"], target_net(b["next_obs"]),
                                   b["terminated"], cfg.gamma)  # fmt: skip
            loss = dqn_loss(qnet(b["obs"]), b["action"], target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["loss"].append(loss.item())
            if len(history["loss"]) % cfg.target_every == 0:
                sync_target(target_net, qnet)
    return qnet, history
