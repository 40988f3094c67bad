"""Recurrent layers ``RNN``, ``LSTM`` and ``GRU`` with torch's arguments and weight names.

They run whole sequences, deep (``num_layers``) and ``bidirectional``, on (L, N, I) input
(``batch_first``: (N, L, I)), unbatched (L, I) input, or a
``torch.nn.utils.rnn.PackedSequence`` of sequences of different lengths. Each time step
calls a taught core of :mod:`dlbook_utils.layers._recurrent_core`; the cells ``RNNCell``,
``LSTMCell`` and ``GRUCell`` (from :mod:`dlbook_utils.layers.recurrent_cells`) are
re-exported here. Taught in chapter 10.

Differs from torch: a Python loop over time steps (``nn.LSTM`` runs a fused kernel, which
is faster); no ``proj_size``; dropout between layers (``dropout > 0`` in
training mode) draws different random masks from torch's.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from dlbook_utils.layers._args import check_int
from dlbook_utils.layers.recurrent_cells import (
    _GATES,
    GRUCell,
    LSTMCell,
    RNNCell,
    _check_shape,
    _check_tensor,
    _mode,
    _states,
    _step,
)

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU"]


def _run_direction(mode, x, state, weights, lengths=None, reverse=False):
    """One layer, one direction over x (L, N, I) from ``state``; -> (L, N, H), state.

    With ``lengths`` (N,), sequence b only updates its state at steps t < lengths[b],
    so its final state is the one after its own last element (padding is never read),
    and the reverse direction starts at that element.
    """
    outputs = [None] * len(x)
    steps = range(len(x) - 1, -1, -1) if reverse else range(len(x))
    for t in steps:
        new = _step(mode, x[t], state, weights)
        if lengths is not None:
            alive = (t < lengths).unsqueeze(1)  # (N, 1)
            new = tuple(torch.where(alive, n, s) for n, s in zip(new, state, strict=True))
        outputs[t] = new[0]
        state = new
    return torch.stack(outputs), state


def _repack(output, like):
    """(L, N, *) padded output in the batch order of ``like`` -> a PackedSequence."""
    if like.sorted_indices is not None:
        output = output.index_select(1, like.sorted_indices)
    sizes = like.batch_sizes.tolist()
    data = torch.cat([output[t, :b] for t, b in enumerate(sizes)])
    return PackedSequence(
        data, like.batch_sizes, like.sorted_indices, like.unsorted_indices
    )


class _RNNBase(nn.Module):
    """Shared by RNN, LSTM, GRU: parameters ``weight_ih_l{k}[_reverse]`` and friends."""

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers,
        bias,
        batch_first,
        dropout,
        bidirectional,
        device,
        dtype,
    ):
        super().__init__()
        self.mode = mode
        self.input_size = check_int(input_size, "input_size", 1)
        self.hidden_size = check_int(hidden_size, "hidden_size", 1)
        self.num_layers = check_int(num_layers, "num_layers", 1)
        if not 0 <= dropout <= 1:
            raise ValueError(f"dropout must be in [0, 1], got {dropout}")
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        directions = 2 if bidirectional else 1
        g = _GATES[mode][0] * hidden_size
        kw = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * directions
            for suffix in ["", "_reverse"][:directions]:
                name = f"l{layer}{suffix}"
                shapes = {"weight_ih": (g, n_in), "weight_hh": (g, hidden_size)}
                if self.bias:
                    shapes.update(bias_ih=(g,), bias_hh=(g,))
                for kind, shape in shapes.items():
                    p = nn.Parameter(torch.empty(*shape, **kw))
                    self.register_parameter(f"{kind}_{name}", p)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), as torch does."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        for name in ("bias", "batch_first", "dropout", "bidirectional"):
            text += f", {name}={getattr(self, name)}"
        return text

    def _weights(self, layer, direction):
        name = f"l{layer}{'_reverse' if direction else ''}"
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(getattr(self, f"{k}_{name}", None) for k in kinds)

    def _check_input(self, input):
        _check_tensor(input, "input", self.weight_ih_l0.dtype)
        order = "(N, L, " if self.batch_first else "(L, N, "
        if input.dim() not in (2, 3) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__} expects input of shape {order}{self.input_size}) "
                f"or unbatched (L, {self.input_size}), got {tuple(input.shape)}"
            )

    def _initial_state(self, hx, x, batched):
        """Tuple of (num_layers * D, N, H) tensors: zeros, or ``hx`` checked."""
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, x.shape[1], self.hidden_size)
        if hx is None:
            return (x.new_zeros(expected),) * _GATES[self.mode][1]
        names = ("h_0", "c_0")
        state = _states(hx, self.mode, "initial state")
        for name, s in zip(names, state, strict=False):
            _check_tensor(s, name, self.weight_ih_l0.dtype)
            _check_shape(s, name, expected if batched else (expected[0], expected[2]))
        return state if batched else tuple(s.unsqueeze(1) for s in state)

    def forward(self, input, hx=None):
        """Run the sequence; returns (output, h_n), or (output, (h_n, c_n)) for the LSTM.

        input: (L, N, I), (N, L, I) with ``batch_first``, (L, I), or a PackedSequence.
        hx: (num_layers * D, N, H) with D = 2 if bidirectional else 1, or (h_0, c_0).
        output: (L, N, D * H) (as the input's layout, or a PackedSequence); h_n, c_n:
        (num_layers * D, N, H), the final state of each layer and direction.
        """
        packed = isinstance(input, PackedSequence)
        lengths = None
        if packed:
            x, lengths = pad_packed_sequence(input)  # (L, N, I), original batch order
            _check_tensor(x, "input", self.weight_ih_l0.dtype)
            lengths, batched = lengths.to(x.device), True
            self._check_input(x)
        else:
            self._check_input(input)
            batched = input.dim() == 3
            x = input if batched else input.unsqueeze(1)
            x = x.transpose(0, 1) if batched and self.batch_first else x
        state0 = self._initial_state(hx, x, batched)
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                out, state = _run_direction(
                    self.mode,
                    x,
                    tuple(s[k] for s in state0),
                    self._weights(layer, d),
                    lengths,
                    reverse=d == 1,
                )
                outs.append(out)
                finals.append(state)
            x = torch.cat(outs, dim=2)  # (L, N, D * H): the next layer's input
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        final = tuple(torch.stack(s) for s in zip(*finals, strict=True))
        if packed:
            x = _repack(x, input)
        elif not batched:
            x, final = x.squeeze(1), tuple(s.squeeze(1) for s in final)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (final if self.mode == "LSTM" else final[0])


class RNN(_RNNBase):
    """Elman RNN, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh). Matches torch.nn.RNN."""

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        device=None,
        dtype=None,
    ):
        super().__init__(
            _mode(nonlinearity),
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device,
            dtype,
        )
        self.nonlinearity = nonlinearity


class LSTM(_RNNBase):
    """LSTM, gates i, f, g, o; returns (output, (h_n, c_n)). Matches torch.nn.LSTM.

    Differs from torch.nn.LSTM: no ``proj_size``.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        device=None,
        dtype=None,
    ):
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device,
            dtype,
        )


class GRU(_RNNBase):
    """GRU, gates r, z, n, PyTorch's variant (reset gate on W_hn h + b_hn).

    Matches torch.nn.GRU.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        device=None,
        dtype=None,
    ):
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device,
            dtype,
        )
