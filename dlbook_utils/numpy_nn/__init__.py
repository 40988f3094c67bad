"""Neural networks in plain NumPy, with gradients written by hand (chapters 3 and 6).

- ``losses``: mean squared error and the cross-entropies, computed stably from logits.
- ``linear_models``: the perceptron, linear, logistic and softmax regression (chapter 3).
- ``mlp``: layers with ``forward``/``backward``, a multilayer perceptron and its training
  step (chapter 6).

The code chapter 3 shows lives in ``_linear_models_core`` and ``_losses_core``, without
argument checks; the public functions of the same names check their arguments and call it.
Every gradient here is tested against torch autograd in float64 and by finite differences.
The most used names are importable from the package itself
(``from dlbook_utils.numpy_nn import Linear, Sequential``); the rest from their module.
"""

from . import linear_models, losses, mlp
from .linear_models import (
    logistic_regression_fit,
    logistic_regression_predict,
    softmax_regression_fit,
    softmax_regression_predict,
)
from .losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss, one_hot
from .mlp import (
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    SoftmaxCrossEntropy,
    Tanh,
    sgd_step,
    train_step,
)

__all__ = [
    "linear_models",
    "losses",
    "mlp",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "Sequential",
    "SoftmaxCrossEntropy",
    "sgd_step",
    "train_step",
    "logistic_regression_fit",
    "logistic_regression_predict",
    "softmax_regression_fit",
    "softmax_regression_predict",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "mse_loss",
    "one_hot",
]
