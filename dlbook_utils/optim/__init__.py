"""Optimizers and learning-rate schedules from scratch, each equal to its torch twin.

``_core``: the update rules as pure in-place functions (``sgd_update``,
``adagrad_update``, ``rmsprop_update``, ``adam_update``, ``adamw_update``), the code
chapter 14 derives; ``optimizers``: thin ``torch.optim.Optimizer`` classes (``SGD``,
``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``) with torch's arguments and defaults;
``schedules``: learning-rate schedules as functions of t, ``ScheduleLR`` and
``ReduceLROnPlateau``. Importing this package does no work beyond importing torch.
"""

from dlbook_utils.optim._core import (
    adagrad_update,
    adam_update,
    adamw_update,
    rmsprop_update,
    sgd_update,
)
from dlbook_utils.optim.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from dlbook_utils.optim.schedules import (
    ReduceLROnPlateau,
    ScheduleLR,
    cosine_lr,
    exponential_lr,
    linear_warmup_lr,
    power_lr,
    warmup_cosine_lr,
)

__all__ = [
    "sgd_update",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
    "adamw_update",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "exponential_lr",
    "power_lr",
    "cosine_lr",
    "linear_warmup_lr",
    "warmup_cosine_lr",
    "ScheduleLR",
    "ReduceLROnPlateau",
]
