"""Reinforcement learning on the mouse game (chapter 17).

- :mod:`.mouse_game`: :class:`MouseGame`, a :class:`gymnasium.Env`
- :mod:`.replay`: :class:`ReplayBuffer`
- :mod:`.dqn`: :class:`QNetFC`, :class:`QNetConv`, :func:`td_target`, :func:`dqn_loss`,
  :func:`sync_target`, :func:`epsilon_schedule`, :func:`epsilon_greedy`,
  :class:`DQNConfig`, :func:`train_dqn`
- :mod:`.tabular`: :func:`tabular_mdp`, :func:`value_iteration`, :func:`q_learning`
- :mod:`.baselines`: :func:`random_policy`, :func:`greedy_policy`,
  :func:`evaluate_policy`
- :mod:`.play`: :func:`symmetric_q`, :func:`softmax_policy` (and the view's symmetries)
"""

from .baselines import evaluate_policy, greedy_policy, random_policy
from .dqn import (
    DQNConfig,
    QNetConv,
    QNetFC,
    dqn_loss,
    epsilon_greedy,
    epsilon_schedule,
    sync_target,
    td_target,
    train_dqn,
)
from .mouse_game import MouseGame
from .play import ACTION_PERMS, SYMMETRIES, softmax_policy, symmetric_q, transform_view
from .replay import ReplayBuffer
from .tabular import q_learning, tabular_mdp, value_iteration

__all__ = [
    "MouseGame",
    "ReplayBuffer",
    "QNetFC",
    "QNetConv",
    "td_target",
    "dqn_loss",
    "sync_target",
    "epsilon_schedule",
    "epsilon_greedy",
    "DQNConfig",
    "train_dqn",
    "tabular_mdp",
    "value_iteration",
    "q_learning",
    "random_policy",
    "greedy_policy",
    "evaluate_policy",
    "SYMMETRIES",
    "ACTION_PERMS",
    "transform_view",
    "symmetric_q",
    "softmax_policy",
]
