"""Tabular reinforcement learning on a tiny mouse board: the exact check (chapter 17).

With ``respawn=False`` the game is deterministic, and on a 3 x 3 board the 5 x 5 view
shows the whole board, so the view *is* the state. :func:`tabular_mdp` lists every state
reachable from a start board and its transitions (using the environment itself as the
model); :func:`value_iteration` solves the Bellman optimality equation on that table;
:func:`q_learning` learns the same ``Q*`` from experience alone, without the model.
"""

import numpy as np

__all__ = ["tabular_mdp", "value_iteration", "q_learning", "obs_key"]


def obs_key(obs):
    """A hashable key for an observation (its bytes)."""
    return obs.tobytes()


def tabular_mdp(env, start):
    """Enumerate the states reachable from the board ``start`` (a ``reset`` options dict).

    Returns a dict with ``keys`` (the observation key of each state, in order), arrays
    ``next_state`` (S, A) int, ``reward`` (S, A) float and ``terminated`` (S, A) bool, and
    ``expanded`` (S,) bool: False for terminal states, whose rows are unused.
    """
    if env.respawn:
        raise ValueError("tabular_mdp needs a deterministic game: MouseGame(respawn=False)")
    n_actions = env.action_space.n
    obs, _ = env.reset(options=start)
    states, keys = [start], [obs_key(obs)]
    index = {keys[0]: 0}
    rows, expanded, i = [], [], 0
    while i < len(states):
        row = []
        for a in range(n_actions):
            env.reset(options=states[i])
            obs, r, term, _, _ = env.step(a)
            key = obs_key(obs)
            if key not in index:
                mouse, cheese, poison = env.board_state()
                index[key] = len(states)
                keys.append(key)
                states.append({"mouse": mouse, "cheese": cheese, "poison": poison})
            row.append((index[key], r, term))
        rows.append(row)
        expanded.append(bool(states[i]["cheese"]))  # no cheese left: terminal
        i += 1
    table = np.array(rows, dtype=object)  # (S, A, 3)
    return {
        "keys": keys,
        "next_state": table[:, :, 0].astype(np.int64),
        "reward": table[:, :, 1].astype(np.float64),
        "terminated": table[:, :, 2].astype(bool),
        "expanded": np.array(expanded),
    }


def value_iteration(next_state, reward, terminated, gamma, tol=1e-12):
    """Q*(s, a) = r + gamma * max_a' Q*(s', a'), iterated to a fixed point."""
    q = np.zeros(reward.shape)  # (S, A)
    while True:
        new_q = reward + gamma * ~terminated * q[next_state].max(axis=2)
        if np.abs(new_q - q).max() < tol:
            return new_q
        q = new_q


def q_learning(env, start, steps, alpha, gamma, epsilon, rng):
    """Tabular Q-learning from experience; returns a dict obs key -> Q row (A,)."""
    q = {}
    obs, _ = env.reset(options=start)
    for _ in range(steps):
        q_s = q.setdefault(obs_key(obs), np.zeros(env.action_space.n))
        if rng.random() < epsilon:
            a = int(rng.integers(len(q_s)))
        else:
            a = int(q_s.argmax())
        next_obs, r, terminated, truncated, _ = env.step(a)
        q_next = q.setdefault(obs_key(next_obs), np.zeros(len(q_s)))
        # A time limit (truncation) is not the end of the task: bootstrap anyway.
        target = r + gamma * (not terminated) * q_next.max()
        q_s[a] += alpha * (target - q_s[a])
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset(options=start)
    return q
