"""How a trained Q-network plays the mouse game (chapter 17).

The game looks the same after a quarter turn or a mirror image of the board, so the true
``Q(s, a)`` does too: rotating the view and the action together leaves it unchanged.

- :data:`SYMMETRIES`: the 8 symmetries of the square view, as ``(k, flip)``: ``k``
  quarter turns anticlockwise (``torch.rot90``), then a left-right mirror if ``flip``.
- :data:`ACTION_PERMS`: where each symmetry sends each action (``perm[a]``).
- :func:`transform_view`, :func:`symmetric_q`: the view under a symmetry, and the
  Q-values averaged over all 8, which makes any network exactly symmetric.
- :func:`softmax_policy`: play ``a`` with probability proportional to ``exp(Q / T)``.
"""

import numpy as np
import torch

__all__ = [
    "SYMMETRIES", "ACTION_PERMS", "action_perm", "transform_view", "symmetric_q",
    "softmax_policy",
]  # fmt: skip

SYMMETRIES = tuple((k, flip) for flip in (False, True) for k in range(4))


def action_perm(k, flip):
    """The image of each action (0 up, 1 right, 2 down, 3 left) under ``(k, flip)``."""
    # A quarter turn anticlockwise sends up -> left, right -> up, down -> right,
    # left -> down: a -> a - 1 (mod 4); the mirror swaps right and left: a -> -a.
    perm = [(a - k) % 4 for a in range(4)]
    return [(-a) % 4 for a in perm] if flip else perm


ACTION_PERMS = tuple(action_perm(k, flip) for k, flip in SYMMETRIES)


def transform_view(obs, k, flip):
    """The view ``obs`` (..., H, W) turned ``k`` quarter turns, then mirrored if ``flip``.

    Matches ``numpy.rot90(obs, k, axes=(-2, -1))`` followed by ``numpy.flip(axis=-1)``.
    """
    obs = torch.rot90(obs, k, dims=(-2, -1))
    return obs.flip(-1) if flip else obs


def symmetric_q(qnet, obs):
    """Q(s, a) averaged over the 8 symmetries g: mean_g Q_net(g s)[g a]."""
    # obs: (B, C, H, W) -> views: (8 B, C, H, W), one forward pass for all 8
    views = torch.cat([transform_view(obs, k, flip) for k, flip in SYMMETRIES])
    q = qnet(views).unflatten(0, (len(SYMMETRIES), -1))  # (8, B, A)
    # q_g[g][:, a] = Q_net(g s, g a)
    q_g = [q[g][:, perm] for g, perm in enumerate(ACTION_PERMS)]
    return torch.stack(q_g).mean(0)


def softmax_policy(qnet, temperature, symmetric=True):
    """A policy ``(obs, rng) -> action`` with pi(a | s) proportional to exp(Q(s, a) / T).

    Args:
        qnet: a Q-network on ``(B, 3, 5, 5)`` views.
        temperature: ``T > 0``; small ``T`` plays the best action, actions whose values
            differ by much less than ``T`` are about equally likely.
        symmetric: use :func:`symmetric_q` rather than the network's own values.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")

    def policy(obs, rng):
        with torch.no_grad():
            x = torch.from_numpy(obs).unsqueeze(0)
            q = (symmetric_q(qnet, x) if symmetric else qnet(x))[0].double().numpy()
        p = np.exp((q - q.max()) / temperature)  # the largest term is 1: no overflow
        return int(rng.choice(len(p), p=p / p.sum()))

    return policy
