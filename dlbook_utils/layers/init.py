"""Weight initialisation: Xavier/Glorot and He/Kaiming, uniform and normal (chapter 13).

Each keeps the variance of the signal roughly constant from layer to layer. Xavier
chooses Var(w) = gain^2 * 2 / (fan_in + fan_out), a compromise between the forward pass
(which wants 1 / fan_in) and the backward pass (1 / fan_out); He chooses
Var(w) = gain^2 / fan, with gain^2 = 2 for ReLU, which zeroes half of its inputs. A
uniform U(-r, r) has variance r^2 / 3, so the uniform forms use r = sqrt(3) * std: for
Xavier with gain 1, r = sqrt(6 / (fan_in + fan_out)).

The functions fill a tensor in place and return it, as torch.nn.init's do, with the same
names, arguments and defaults; under the same generator they draw the same numbers.
"""

import math

import torch

__all__ = [
    "calculate_gain",
    "calculate_fan_in_and_fan_out",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_LINEAR = (
    "linear",
    "identity",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity, param=None):
    """The factor g by which an initialisation's std is multiplied for a nonlinearity.

    1 for linear layers and sigmoid, 5/3 for tanh, sqrt(2) for relu,
    sqrt(2 / (1 + slope^2)) for leaky_relu (slope ``param``, default 0.01), 3/4 for selu.
    Matches torch.nn.init.calculate_gain.
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, int | float) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{', '.join(_LINEAR)}, tanh, relu, leaky_relu, selu"
    )


def calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight: inputs and outputs of one unit, kernel included.

    A linear weight (out, in) has fan_in = in, fan_out = out; a convolution weight
    (out, in, *kernel) multiplies both by the kernel's size, the number of taps each
    input channel contributes. Matches torch.nn.init._calculate_fan_in_and_fan_out.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dim() < 2:
        raise ValueError(
            "fan in and fan out need a tensor with at least 2 dimensions "
            f"(out, in, *kernel), got shape {tuple(tensor.shape)}"
        )
    receptive_field = math.prod(tensor.shape[2:])  # 1 for a linear weight
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    return fan_in, fan_out


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Fill with U(-r, r), r = gain * sqrt(6 / (fan_in + fan_out)). Matches torch's."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # U(-r, r) has variance r^2 / 3
    with torch.no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Fill with N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)). Matches torch's."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.normal_(0.0, std, generator=generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Fill with U(-r, r), r = sqrt(3) * gain / sqrt(fan). Matches torch's.

    ``a`` is the leaky ReLU's negative slope (used when nonlinearity is "leaky_relu";
    with the default a = 0 the gain is sqrt(2), ReLU's); ``mode`` "fan_in" preserves the
    forward variance, "fan_out" the backward one.
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Fill with N(0, std^2), std = gain / sqrt(fan). Arguments and match as kaiming_uniform_."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    with torch.no_grad():
        return tensor.normal_(0.0, std, generator=generator)
