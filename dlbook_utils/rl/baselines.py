"""Hand-written agents for the mouse game, and the evaluation of any agent (chapter 17).

A *policy* here is a function ``(obs, rng) -> action`` on the ``(3, 5, 5)`` view, with a
``numpy.random.Generator`` for whatever randomness it uses.
"""

import numpy as np

from .mouse_game import MOVES

__all__ = ["random_policy", "greedy_policy", "evaluate_policy"]


def random_policy(obs, rng):
    """One of the four moves, uniformly at random."""
    return int(rng.integers(4))


def greedy_policy(obs, rng):
    """Walk to the nearest visible cheese, never onto visible poison or into a wall.

    Among the safe moves (no poison, no wall on the next cell), take one that shortens
    the Manhattan distance to the nearest visible cheese (ties at random); with no cheese
    in view, or no safe move that gets closer, a random safe move (any move if none is).
    """
    cheese, poison, wall = obs
    centre = obs.shape[1] // 2
    safe = [
        a
        for a, (dr, dc) in enumerate(MOVES)
        if not (poison[centre + dr, centre + dc] or wall[centre + dr, centre + dc])
    ]
    rows, cols = np.nonzero(cheese)
    if len(rows) and safe:
        dist = np.abs(rows - centre) + np.abs(cols - centre)
        near = dist == dist.min()
        closer = [
            a
            for a in safe
            if (
                np.abs(rows[near] - centre - MOVES[a][0])
                + np.abs(cols[near] - centre - MOVES[a][1])
            ).min()
            < dist.min()
        ]
        if closer:
            return int(rng.choice(closer))
    return int(rng.choice(safe)) if safe else int(rng.integers(4))


def evaluate_policy(env, policy, seeds, rng=None):
    """Undiscounted return of one episode of ``policy`` per board seed, as an array."""
    rng = np.random.default_rng(0) if rng is None else rng
    returns = []
    for seed in seeds:
        obs, _ = env.reset(seed=int(seed))
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(policy(obs, rng))
            total += reward
            done = terminated or truncated
        returns.append(total)
    return np.array(returns)
