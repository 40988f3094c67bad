"""Recurrent cells (one time step) with torch's arguments, weight names and gate order.

``RNNCell``, ``LSTMCell`` and ``GRUCell`` wrap the taught cores of
:mod:`dlbook_utils.layers._recurrent_core` with the checks, so that bad input fails with
a message naming the expected shape; the helpers here are shared with the sequence layers
of :mod:`dlbook_utils.layers.recurrent`. Taught in chapter 10.
"""

import math

import torch
from torch import nn

from dlbook_utils.layers._args import check_int
from dlbook_utils.layers._recurrent_core import gru_cell, lstm_cell, rnn_cell

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]

# mode -> (gates stacked in weight_ih, number of state tensors: h, or h and c)
_GATES = {"RNN_TANH": (1, 1), "RNN_RELU": (1, 1), "LSTM": (4, 2), "GRU": (3, 1)}


def _step(mode, x, state, weights):
    """One time step of ``mode`` on x (N, I); ``state`` a tuple of (N, H) tensors."""
    if mode == "LSTM":
        return lstm_cell(x, state, *weights)
    if mode == "GRU":
        return (gru_cell(x, state[0], *weights),)
    nonlinearity = "tanh" if mode == "RNN_TANH" else "relu"
    return (rnn_cell(x, state[0], *weights, nonlinearity=nonlinearity),)


def _mode(nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _check_tensor(x, name, dtype):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype != dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype}, expected {dtype} (the layer's parameters); "
            f"convert one of them, e.g. with .to({dtype})"
        )


def _check_shape(x, name, expected):
    if tuple(x.shape) != tuple(expected):
        raise ValueError(f"{name} must have shape {tuple(expected)}, got {tuple(x.shape)}")


def _states(hx, mode, what):
    """``hx`` as a tuple of tensors: (h,) or (h, c) for the LSTM."""
    if mode != "LSTM":
        if isinstance(hx, tuple | list):
            raise TypeError(f"{what} takes one hidden-state tensor, not a tuple")
        return (hx,)
    if not (isinstance(hx, tuple | list) and len(hx) == 2):
        raise TypeError(f"the LSTM's {what} must be a tuple (h_0, c_0)")
    return tuple(hx)


class _CellBase(nn.Module):
    """One step: parameters ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), biases (G*H,)."""

    def __init__(self, mode, input_size, hidden_size, bias, device=None, dtype=None):
        super().__init__()
        self.input_size = check_int(input_size, "input_size", 1)
        self.hidden_size = check_int(hidden_size, "hidden_size", 1)
        self.bias, self.mode = bool(bias), mode
        gates = _GATES[mode][0]
        kw = {"device": device, "dtype": dtype}
        g = gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(g, input_size, **kw))
        self.weight_hh = nn.Parameter(torch.empty(g, hidden_size, **kw))
        if self.bias:
            self.bias_ih = nn.Parameter(torch.empty(g, **kw))
            self.bias_hh = nn.Parameter(torch.empty(g, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), as torch does."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"

    def forward(self, input, hx=None):
        """input (N, I) or (I,); hx (N, H) or (H,) (LSTM: a tuple (h, c)); zeros if None."""
        dtype = self.weight_ih.dtype
        _check_tensor(input, "input", dtype)
        if input.dim() not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__} expects input of shape (N, {self.input_size}) "
                f"or ({self.input_size},), got {tuple(input.shape)}"
            )
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        n = len(x)
        n_states = _GATES[self.mode][1]
        if hx is None:
            zeros = x.new_zeros(n, self.hidden_size)
            state = (zeros,) * n_states
        else:
            state = _states(hx, self.mode, "hx")
            expected = (n, self.hidden_size) if batched else (self.hidden_size,)
            for s in state:
                _check_tensor(s, "hx", dtype)
                _check_shape(s, "hx", expected)
            state = state if batched else tuple(s.unsqueeze(0) for s in state)
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        out = _step(self.mode, x, state, weights)
        out = out if batched else tuple(s.squeeze(0) for s in out)
        return out if self.mode == "LSTM" else out[0]


class RNNCell(_CellBase):
    """Elman cell h' = tanh(W_ih x + b_ih + W_hh h + b_hh). Matches torch.nn.RNNCell."""

    def __init__(
        self,
        input_size,
        hidden_size,
        bias=True,
        nonlinearity="tanh",
        device=None,
        dtype=None,
    ):
        super().__init__(_mode(nonlinearity), input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(_CellBase):
    """LSTM cell, gates i, f, g, o; forward returns (h', c'). Matches torch.nn.LSTMCell."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)


class GRUCell(_CellBase):
    """GRU cell, gates r, z, n, PyTorch's variant. Matches torch.nn.GRUCell."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)
