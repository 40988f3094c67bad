"""A multilayer perceptron in NumPy, with backpropagation written by hand (chapter 6).

Every layer has ``forward(X)``, which keeps what its backward pass will need, and
``backward(grad_out)``, which takes the gradient of the loss with respect to the layer's
output and returns the gradient with respect to its input, storing the gradients of its
own parameters on the way. Rows are examples, as in PyTorch: a batch ``X`` has shape
``(m, features)``.

Each layer holds its parameters in a dict ``params`` and, after ``backward``, their
gradients in a dict ``grads`` with the same keys. The names are PyTorch's: a
:class:`Linear` has ``"weight"`` of shape ``(out_features, in_features)`` and ``"bias"``,
and :class:`Sequential` names them ``"0.weight"``, ``"0.bias"``, ``"2.weight"``... exactly
as ``torch.nn.Sequential`` does, so weights can be copied across with ``load_state_dict``.
"""

import numpy as np

from ..activations import relu, relu_grad, sigmoid, softmax, tanh
from .losses import cross_entropy, one_hot

__all__ = [
    "Layer",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "Sequential",
    "SoftmaxCrossEntropy",
    "sgd_step",
    "train_step",
]


class Layer:
    """What every layer has: ``params`` and ``grads`` dicts, empty for a parameter-free one."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, X):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError


class Linear(Layer):
    """Fully connected layer ``X W^T + b`` on a batch ``X`` of shape (m, in_features).

    Args:
        in_features, out_features: widths of the input and the output.
        rng: a ``numpy.random.Generator`` (or an int seed); weights and bias are drawn
            uniformly from ``[-1/sqrt(in_features), 1/sqrt(in_features)]``.

    Matches torch.nn.Linear: same parameter names, weight layout (out_features,
    in_features) and default initialisation range (drawn from NumPy's generator, so not
    the same numbers). Parameters are float64.
    """

    def __init__(self, in_features, out_features, rng):
        super().__init__()
        rng = np.random.default_rng(rng)  # a Generator passes through; a seed makes one
        bound = 1 / np.sqrt(in_features)  # the range nn.Linear draws from
        self.params["weight"] = rng.uniform(-bound, bound, (out_features, in_features))
        self.params["bias"] = rng.uniform(-bound, bound, out_features)

    def forward(self, X):
        X = np.asarray(X)
        W, b = self.params["weight"], self.params["bias"]
        if X.ndim != 2 or X.shape[1] != W.shape[1]:
            raise ValueError(f"Linear expects inputs (m, {W.shape[1]}), got {X.shape}")
        self.X = X  # backward needs the input
        return X @ W.T + b  # (m, in) @ (in, out) + (out,) -> (m, out)

    def backward(self, grad_out):
        # grad_out = dJ/dZ, one row per example: (m, out)
        self.grads["weight"] = grad_out.T @ self.X  # (out, m) @ (m, in) -> (out, in)
        self.grads["bias"] = grad_out.sum(axis=0)  # (out,): b is added to every row
        return grad_out @ self.params["weight"]  # dJ/dX: (m, out) @ (out, in) -> (m, in)


class ReLU(Layer):
    """max(0, x) elementwise. Matches torch.nn.ReLU (derivative 0 at x = 0)."""

    def forward(self, X):
        self.X = X
        return relu(X)

    def backward(self, grad_out):
        return grad_out * relu_grad(self.X)  # elementwise chain rule


class Sigmoid(Layer):
    """Logistic function elementwise. Matches torch.nn.Sigmoid."""

    def forward(self, X):
        self.out = sigmoid(X)
        return self.out

    def backward(self, grad_out):
        return grad_out * self.out * (1 - self.out)  # sigma' = sigma (1 - sigma)


class Tanh(Layer):
    """Hyperbolic tangent elementwise. Matches torch.nn.Tanh."""

    def forward(self, X):
        self.out = tanh(X)
        return self.out

    def backward(self, grad_out):
        return grad_out * (1 - self.out**2)  # tanh' = 1 - tanh^2


class Sequential:
    """Layers applied one after the other; backward visits them in reverse.

    ``params`` and ``grads`` gather the layers' dicts under torch.nn.Sequential's names
    (``"0.weight"``, ``"0.bias"``, ``"2.weight"``...), so ``load_state_dict`` works both
    ways. Matches torch.nn.Sequential for these layers.
    """

    def __init__(self, *layers):
        self.layers = layers

    def forward(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    @property
    def params(self):
        return {
            f"{i}.{name}": p
            for i, layer in enumerate(self.layers)
            for name, p in layer.params.items()
        }

    @property
    def grads(self):
        return {
            f"{i}.{name}": g
            for i, layer in enumerate(self.layers)
            for name, g in layer.grads.items()
        }

    def load_state_dict(self, state):
        """Copy arrays or CPU tensors into the parameters, in place; names and shapes must match.

        A GPU model's tensors go through ``.cpu()`` first: ``np.asarray`` cannot read them.
        """
        params = self.params
        if set(state) != set(params):
            raise ValueError(f"expected the keys {list(params)}, got {list(state)}")
        for name, p in params.items():
            value = np.asarray(state[name])
            if value.shape != p.shape:
                raise ValueError(f"{name}: expected shape {p.shape}, got {value.shape}")
            p[...] = value


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits) against integer labels, as a layer.

    ``forward(logits, y)`` takes logits (m, K) and labels (m,) and returns a float;
    ``backward()`` returns dJ/dlogits = (softmax(logits) - one_hot(y)) / m.
    Matches torch.nn.CrossEntropyLoss (mean reduction).
    """

    def forward(self, logits, y):
        self.logits, self.y = logits, y
        return cross_entropy(logits, y)  # log-sum-exp inside: finite for any logits

    def backward(self):
        m, k = self.logits.shape
        return (softmax(self.logits, axis=1) - one_hot(self.y, k)) / m


def sgd_step(params, grads, lr):
    """Move every parameter against its gradient, in place: ``p -= lr * grad``.

    Args:
        params, grads: dicts of arrays with the same keys, e.g. ``model.params`` and
            ``model.grads``.
    Matches torch.optim.SGD without momentum or weight decay.
    """
    for name, p in params.items():
        p -= lr * grads[name]  # in place: the layers hold these very arrays


def train_step(model, loss_fn, X, y, lr):
    """One step of gradient descent on the batch (X, y); return the loss before the step."""
    loss = loss_fn.forward(model.forward(X), y)
    model.backward(loss_fn.backward())
    sgd_step(model.params, model.grads, lr)
    return loss
