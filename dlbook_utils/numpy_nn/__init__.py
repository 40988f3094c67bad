"""Neural networks in plain NumPy, with gradients written by hand (chapters 3 and 6).

- ``losses``: mean squared error and the cross-entropies, computed stably from logits.
- ``linear_models``: the perceptron, linear, logistic and softmax regression (chapter 3).
- ``mlp``: layers with ``forward``/``backward``, a multilayer perceptron and its training
  step (chapter 6).

Every gradient here is tested against torch autograd in float64 and by finite differences.
"""

from . import losses

__all__ = ["losses"]
