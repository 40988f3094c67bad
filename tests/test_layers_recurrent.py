"""dlbook_utils.layers recurrent cells and layers against torch, in float64.

Weights are copied with ``load_state_dict`` (so the names and shapes must be torch's);
outputs, final states, every parameter gradient and the input gradient are compared on
random configurations. Padding invariance is checked with packed sequences.
"""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from dlbook_utils.layers import recurrent as R
from dlbook_utils.layers._recurrent_core import gru_cell, lstm_cell, rnn_cell

DT = torch.float64
PAIRS = {"RNN": (R.RNN, nn.RNN), "LSTM": (R.LSTM, nn.LSTM), "GRU": (R.GRU, nn.GRU)}
CELLS = {
    "RNNCell": (R.RNNCell, nn.RNNCell),
    "LSTMCell": (R.LSTMCell, nn.LSTMCell),
    "GRUCell": (R.GRUCell, nn.GRUCell),
}


def twins(ours_cls, torch_cls, seed, **kwargs):
    torch.manual_seed(seed)
    ref = torch_cls(**kwargs).to(DT)
    ours = ours_cls(**kwargs).to(DT)
    ours.load_state_dict(ref.state_dict())  # strict: the same names and shapes
    return ours, ref


def random_config(kind, seed):
    rng = np.random.default_rng(seed)
    kwargs = {
        "input_size": int(rng.integers(1, 6)),
        "hidden_size": int(rng.integers(1, 6)),
        "num_layers": int(rng.integers(1, 4)),
        "bias": bool(rng.random() < 0.7),
        "batch_first": bool(rng.random() < 0.5),
        "bidirectional": bool(rng.random() < 0.5),
    }
    if kind == "RNN":
        kwargs["nonlinearity"] = str(rng.choice(["tanh", "relu"]))
    return (
        kwargs,
        int(rng.integers(1, 7)),
        int(rng.integers(1, 5)),
        bool(rng.random() < 0.5),
    )


def flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def compare(ours, ref, make_inputs, atol=1e-10):
    """Run both on fresh copies of the same inputs; compare outputs and all gradients."""
    outs, leaves = [], []
    for model in (ours, ref):
        inputs = make_inputs()
        out, state = model(*inputs)
        if isinstance(out, nn.utils.rnn.PackedSequence):
            out = out.data
        tensors = [out, *flat(state)]
        loss = sum(
            (t * torch.linspace(-1, 2, t.numel(), dtype=DT).view_as(t)).sum()
            for t in tensors
        )
        loss.backward()
        outs.append(tensors)
        leaves.append([t for t in inputs if isinstance(t, torch.Tensor)])
    for a, b in zip(*outs, strict=True):
        torch.testing.assert_close(a, b, atol=atol, rtol=1e-8)
    for (name, p), q in zip(ours.named_parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, atol=atol, rtol=1e-8, msg=name)
    for a, b in zip(*leaves, strict=True):
        if a.requires_grad:
            torch.testing.assert_close(a.grad, b.grad, atol=atol, rtol=1e-8)


@pytest.mark.parametrize("kind", list(PAIRS))
@pytest.mark.parametrize("seed", range(8))
def test_layer_matches_torch(kind, seed):
    kwargs, length, batch, with_h0 = random_config(kind, seed)
    ours, ref = twins(*PAIRS[kind], seed, **kwargs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    d = 2 if kwargs["bidirectional"] else 1
    shape = (batch, length) if kwargs["batch_first"] else (length, batch)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, kwargs["input_size"], generator=g, dtype=DT)
    state_shape = (kwargs["num_layers"] * d, batch, kwargs["hidden_size"])
    h0 = [torch.randn(state_shape, generator=g, dtype=DT) for _ in range(2)]

    def make_inputs():
        xi = x.clone().requires_grad_()
        if not with_h0:
            return (xi,)
        hs = [h.clone().requires_grad_() for h in h0]
        return (xi, tuple(hs) if kind == "LSTM" else hs[0])

    compare(ours, ref, make_inputs)


@pytest.mark.parametrize("kind", list(PAIRS))
def test_unbatched_input_matches_torch(kind):
    ours, ref = twins(
        *PAIRS[kind], 0, input_size=3, hidden_size=4, num_layers=2, bidirectional=True
    )
    x = torch.randn(5, 3, dtype=DT)
    compare(ours, ref, lambda: (x.clone().requires_grad_(),))


@pytest.mark.parametrize("kind", list(PAIRS))
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_packed_sequence_matches_torch(kind, enforce_sorted):
    ours, ref = twins(
        *PAIRS[kind],
        1,
        input_size=3,
        hidden_size=4,
        num_layers=2,
        bidirectional=True,
        batch_first=True,
    )
    lengths = torch.tensor([7, 5, 5, 2, 1] if enforce_sorted else [2, 7, 1, 5, 5])
    x = torch.randn(5, 7, 3, dtype=DT)

    def make_inputs():
        xi = x.clone().requires_grad_()
        packed = pack_padded_sequence(
            xi, lengths, batch_first=True, enforce_sorted=enforce_sorted
        )
        return (packed,)

    compare(ours, ref, make_inputs)


@pytest.mark.parametrize("kind", list(PAIRS))
def test_padding_invariance(kind):
    """The same sequences padded to two lengths give the same output and final state."""
    model = PAIRS[kind][0](3, 4, num_layers=2, bidirectional=True).to(DT)
    lengths = torch.tensor([4, 2, 3])
    x = torch.randn(4, 3, 3, dtype=DT)
    results = []
    for pad in (0, 5):
        garbage = torch.randn(pad, 3, 3, dtype=DT) * 100  # padding is never read
        for b, n in enumerate(lengths.tolist()):
            x[n:, b] = 7.0
        xp = torch.cat([x, garbage])
        out, state = model(pack_padded_sequence(xp, lengths, enforce_sorted=False))
        results.append([out.data, *flat(state)])
    for a, b in zip(*results, strict=True):
        torch.testing.assert_close(a, b, atol=0, rtol=0)


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("seed", range(4))
def test_cell_matches_torch(kind, seed):
    rng = np.random.default_rng(seed)
    n_in, hidden, batch = (int(v) for v in rng.integers(1, 6, size=3))
    kwargs = {"input_size": n_in, "hidden_size": hidden, "bias": bool(seed % 2)}
    ours, ref = twins(*CELLS[kind], seed, **kwargs)
    x = torch.randn(batch, n_in, dtype=DT)
    hs = [torch.randn(batch, hidden, dtype=DT) for _ in range(2)]
    results = []
    for model in (ours, ref):
        xi = x.clone().requires_grad_()
        hi = [h.clone().requires_grad_() for h in hs]
        out = model(xi, tuple(hi) if kind == "LSTMCell" else hi[0])
        loss = sum((t * t.detach().cos()).sum() for t in flat(out))
        loss.backward()
        results.append(
            [*flat(out), xi.grad, hi[0].grad, *[p.grad for p in model.parameters()]]
        )
    for a, b in zip(*results, strict=True):
        torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_unbatched_and_default_state(kind):
    ours, ref = twins(*CELLS[kind], 0, input_size=3, hidden_size=2)
    x = torch.randn(3, dtype=DT)
    for a, b in zip(flat(ours(x)), flat(ref(x)), strict=True):
        torch.testing.assert_close(a, b)


def test_cores_follow_the_equations():
    """lstm_cell and gru_cell written out gate by gate, with torch's gate order."""
    g = torch.Generator().manual_seed(0)
    x, h, c = (torch.randn(2, 3, generator=g, dtype=DT) for _ in range(3))
    w = torch.randn(12, 3, generator=g, dtype=DT)
    u = torch.randn(12, 3, generator=g, dtype=DT)
    wi, wf, wg, wo = w.chunk(4)
    ui, uf, ug, uo = u.chunk(4)
    sig = torch.sigmoid
    c_new = sig(x @ wf.T + h @ uf.T) * c + sig(x @ wi.T + h @ ui.T) * torch.tanh(
        x @ wg.T + h @ ug.T
    )
    h_new = sig(x @ wo.T + h @ uo.T) * torch.tanh(c_new)
    got = lstm_cell(x, (h, c), w, u)
    torch.testing.assert_close(got[0], h_new)
    torch.testing.assert_close(got[1], c_new)
    wr, wz, wn = w[:9].chunk(3)
    ur, uz, un = u[:9].chunk(3)
    r, z = sig(x @ wr.T + h @ ur.T), sig(x @ wz.T + h @ uz.T)
    n = torch.tanh(x @ wn.T + r * (h @ un.T))
    torch.testing.assert_close(gru_cell(x, h, w[:9], u[:9]), (1 - z) * n + z * h)
    torch.testing.assert_close(
        rnn_cell(x, h, w[:3], u[:3]), torch.tanh(x @ w[:3].T + h @ u[:3].T)
    )


def test_parameter_counts():
    """PyTorch's LSTM(2, 32) has two bias vectors: 4,608; one bias (Keras) gives 4,480."""
    count = sum(p.numel() for p in R.LSTM(2, 32).parameters())
    assert count == sum(p.numel() for p in nn.LSTM(2, 32).parameters()) == 4_608
    assert count - 4 * 32 == 4 * (2 + 32 + 1) * 32 == 4_480


def test_dropout_between_layers_is_off_in_eval():
    ours, ref = twins(
        R.GRU, nn.GRU, 0, input_size=2, hidden_size=3, num_layers=2, dropout=0.5
    )
    ours.eval(), ref.eval()
    x = torch.randn(4, 1, 2, dtype=DT)
    torch.testing.assert_close(ours(x)[0], ref(x)[0])
    ours.train()
    assert not torch.equal(ours(x)[0], ref(x)[0])  # some units were dropped


@pytest.mark.parametrize(
    ("make", "call", "match"),
    [
        (lambda: R.LSTM(3, 4), lambda m: m(torch.randn(5, 2, 4, dtype=DT)), r"\(L, N, 3\)"),
        (
            lambda: R.GRU(3, 4, batch_first=True),
            lambda m: m(torch.randn(2, 5, 2, dtype=DT)),
            r"\(N, L, 3\)",
        ),
        (
            lambda: R.RNN(3, 4),
            lambda m: m(torch.randn(5, 3, dtype=DT).unsqueeze(0)[0][0]),
            r"got \(3,\)",
        ),
        (
            lambda: R.GRU(3, 4, num_layers=2),
            lambda m: m(torch.randn(5, 2, 3, dtype=DT), torch.zeros(1, 2, 4, dtype=DT)),
            r"h_0 must have shape \(2, 2, 4\)",
        ),
        (
            lambda: R.LSTM(3, 4),
            lambda m: m(torch.randn(5, 2, 3, dtype=DT), torch.zeros(1, 2, 4, dtype=DT)),
            r"tuple \(h_0, c_0\)",
        ),
        (
            lambda: R.LSTM(3, 4, bidirectional=True),
            lambda m: m(
                torch.randn(5, 2, 3, dtype=DT),
                (torch.zeros(2, 2, 4, dtype=DT), torch.zeros(1, 2, 4, dtype=DT)),
            ),
            r"c_0 must have shape \(2, 2, 4\)",
        ),
        (lambda: R.RNN(3, 4), lambda m: m(torch.randn(5, 2, 3)), "expected torch.float64"),
        (lambda: R.RNN(3, 4), lambda m: m([[1.0, 2.0, 3.0]]), "torch.Tensor"),
        (
            lambda: R.LSTMCell(3, 4),
            lambda m: m(torch.randn(2, 5, dtype=DT)),
            r"\(N, 3\) or \(3,\)",
        ),
        (
            lambda: R.GRUCell(3, 4),
            lambda m: m(torch.randn(2, 3, dtype=DT), torch.zeros(3, 4, dtype=DT)),
            r"hx must have shape \(2, 4\)",
        ),
    ],
)
def test_bad_input_names_the_expected_shape(make, call, match):
    model = make().to(DT)
    with pytest.raises((ValueError, TypeError), match=match):
        call(model)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        R.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size"):
        R.LSTM(2, 0)
    with pytest.raises(ValueError, match="dropout"):
        R.GRU(2, 3, dropout=1.5)
