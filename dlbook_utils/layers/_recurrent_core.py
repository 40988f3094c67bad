"""The taught recurrent cores: one time step of the Elman RNN, the LSTM and the GRU.

Pure functions of tensors with no argument checks (those live in
:mod:`dlbook_utils.layers.recurrent`, the boundary). Weights use torch's layout: the gates
are stacked along the first axis of ``weight_ih`` (G*H, I) and ``weight_hh`` (G*H, H), in
torch's order (i, f, g, o for the LSTM; r, z, n for the GRU). Taught in chapter 10.
"""

import torch
import torch.nn.functional as F

__all__ = ["rnn_cell", "lstm_cell", "gru_cell"]


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh): x (N, I), h (N, H) -> (N, H).

    Matches one step of torch.nn.RNNCell (``nonlinearity`` "tanh" or "relu").
    """
    z = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (N, H)
    return torch.tanh(z) if nonlinearity == "tanh" else torch.relu(z)


def lstm_cell(x, state, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: x (N, I), state (h, c) each (N, H) -> (h', c').

    Matches torch.nn.LSTMCell: gates stacked in the order i, f, g, o.
    """
    h, c = state
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (N, 4H)
    i, f, g, o = gates.chunk(4, dim=1)  # each (N, H)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    return h, c


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step: x (N, I), h (N, H) -> h' (N, H).

    Matches torch.nn.GRUCell, PyTorch's variant: the reset gate multiplies
    ``W_hn h + b_hn``, not ``h`` before the product (Cho et al. 2014).
    """
    r_x, z_x, n_x = F.linear(x, w_ih, b_ih).chunk(3, dim=1)  # each (N, H)
    r_h, z_h, n_h = F.linear(h, w_hh, b_hh).chunk(3, dim=1)
    r = torch.sigmoid(r_x + r_h)  # reset gate
    z = torch.sigmoid(z_x + z_h)  # update gate: how much of h to keep
    n = torch.tanh(n_x + r * n_h)  # candidate state
    return (1 - z) * n + z * h
