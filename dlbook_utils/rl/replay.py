"""A replay buffer for deep Q-learning (chapter 17).

Transitions ``(obs, action, reward, next_obs, terminated, truncated)`` go into fixed-size
arrays used as a ring: once ``capacity`` is reached the oldest is overwritten. Sampling is
uniform with replacement (as in DQN), from a seeded :class:`numpy.random.Generator`, so
a training run is reproducible.
"""

import numpy as np
import torch

__all__ = ["ReplayBuffer"]


class ReplayBuffer:
    """Fixed-capacity ring buffer of transitions with seeded uniform sampling.

    Args:
        capacity: the most transitions kept.
        obs_shape: the shape of one observation, e.g. ``(3, 5, 5)``.
        seed: seed (or ``numpy.random.Generator``) of the sampling.

    ``terminated`` and ``truncated`` are stored separately: a TD target must not
    bootstrap past a termination, but must past a truncation (a time limit).
    """

    def __init__(self, capacity, obs_shape, seed=None):
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        self.capacity = capacity
        self.obs = np.zeros((capacity, *obs_shape), dtype=np.float32)
        self.next_obs = np.zeros_like(self.obs)
        self.action = np.zeros(capacity, dtype=np.int64)
        self.reward = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=bool)
        self.truncated = np.zeros(capacity, dtype=bool)
        self.rng = np.random.default_rng(seed)
        self.size = 0  # transitions stored
        self._next = 0  # index the next transition goes to

    def __len__(self):
        return self.size

    def add(self, obs, action, reward, next_obs, terminated, truncated):
        """Store one transition, overwriting the oldest when full."""
        i = self._next
        self.obs[i], self.next_obs[i] = obs, next_obs
        self.action[i], self.reward[i] = action, reward
        self.terminated[i], self.truncated[i] = terminated, truncated
        self._next = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size):
        """A dict of tensors: ``obs`` (B, *obs_shape), ``action`` (B,), ``reward`` (B,),
        ``next_obs``, ``terminated`` and ``truncated`` (B,) float32 in {0, 1}."""
        if self.size == 0 or batch_size < 1:
            raise ValueError(
                f"cannot sample {batch_size} transitions from a buffer holding {self.size}"
            )
        idx = self.rng.integers(0, self.size, size=batch_size)
        return {
            "obs": torch.from_numpy(self.obs[idx]),
            "action": torch.from_numpy(self.action[idx]),
            "reward": torch.from_numpy(self.reward[idx]),
            "next_obs": torch.from_numpy(self.next_obs[idx]),
            "terminated": torch.from_numpy(self.terminated[idx].astype(np.float32)),
            "truncated": torch.from_numpy(self.truncated[idx].astype(np.float32)),
        }
