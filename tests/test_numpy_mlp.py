"""The NumPy MLP of chapter 6 against torch autograd (float64) and finite differences."""

import numpy as np
import pytest
import torch
from torch import nn

from dlbook_utils.numpy_nn.mlp import (
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    SoftmaxCrossEntropy,
    Tanh,
    sgd_step,
    train_step,
)
from dlbook_utils.testing import check_gradient

ATOL, RTOL = 1e-12, 1e-10


def _t(a):
    return torch.from_numpy(np.array(a, dtype=np.float64))


def _close(ours, theirs):
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, atol=ATOL, rtol=RTOL)


def _pair(rng, widths=(5, 7, 6, 4), acts=(ReLU, Tanh)):
    """Our Sequential and its torch twin holding the same float64 weights."""
    torch_acts = {ReLU: nn.ReLU, Tanh: nn.Tanh, Sigmoid: nn.Sigmoid}
    ours, theirs = [], []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        ours.append(Linear(a, b, rng))
        theirs.append(nn.Linear(a, b, dtype=torch.float64))
        if i < len(acts):
            ours.append(acts[i]())
            theirs.append(torch_acts[acts[i]]())
    ours, theirs = Sequential(*ours), nn.Sequential(*theirs)
    theirs.load_state_dict({k: _t(v) for k, v in ours.params.items()})
    return ours, theirs


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_linear_forward_and_backward_match_torch(rng):
    layer = Linear(5, 3, rng)
    X = rng.normal(size=(8, 5))
    G = rng.normal(size=(8, 3))  # an arbitrary upstream gradient dJ/dZ
    W, b, Xt = _t(layer.params["weight"]), _t(layer.params["bias"]), _t(X)
    for t in (W, b, Xt):
        t.requires_grad_()
    Z = torch.nn.functional.linear(Xt, W, b)
    Z.backward(_t(G))
    _close(layer.forward(X), Z)
    _close(layer.backward(G), Xt.grad)
    _close(layer.grads["weight"], W.grad)
    _close(layer.grads["bias"], b.grad)


def test_linear_init_matches_nn_linear_layout_and_range(rng):
    layer = Linear(400, 30, rng)
    W, b = layer.params["weight"], layer.params["bias"]
    ref = nn.Linear(400, 30)
    assert W.shape == tuple(ref.weight.shape) and b.shape == tuple(ref.bias.shape)
    assert W.dtype == np.float64
    bound = 1 / np.sqrt(400)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    # uniform on [-r, r] has standard deviation r / sqrt(3)
    assert abs(W.std() - bound / np.sqrt(3)) < 0.05 * bound
    again = Linear(400, 30, np.random.default_rng(0))
    np.testing.assert_array_equal(again.params["weight"], W)


@pytest.mark.parametrize(
    ("ours", "theirs"), [(ReLU, torch.relu), (Sigmoid, torch.sigmoid), (Tanh, torch.tanh)]
)
def test_activation_layers_match_torch(ours, theirs, rng):
    X = rng.normal(size=(6, 4)) * 3
    X[0, :2] = 0.0  # the kink of ReLU: autograd uses derivative 0 there
    G = rng.normal(size=X.shape)
    layer = ours()
    Xt = _t(X).requires_grad_()
    out = theirs(Xt)
    out.backward(_t(G))
    _close(layer.forward(X), out)
    _close(layer.backward(G), Xt.grad)
    assert layer.params == {} and layer.grads == {}


def test_softmax_cross_entropy_matches_torch(rng):
    logits = rng.normal(size=(7, 4)) * 5
    logits[0] = [1000.0, -1000.0, 0.0, 3.0]  # stable: no overflow, no log(0)
    y = rng.integers(0, 4, size=7)
    loss_fn = SoftmaxCrossEntropy()
    Lt = _t(logits).requires_grad_()
    ref = nn.CrossEntropyLoss()(Lt, torch.from_numpy(y))
    ref.backward()
    loss = loss_fn.forward(logits, y)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    _close(loss_fn.backward(), Lt.grad)


def test_sequential_matches_torch_sequential_forward_and_every_gradient(rng):
    ours, theirs = _pair(rng, widths=(5, 8, 6, 6, 3), acts=(ReLU, Tanh, Sigmoid))
    names = [name for name, _ in theirs.named_parameters()]
    assert list(ours.params) == names  # "0.weight", "0.bias", "2.weight", ...
    X = rng.normal(size=(10, 5))
    y = rng.integers(0, 3, size=10)
    Xt = _t(X).requires_grad_()
    logits_t = theirs(Xt)
    nn.CrossEntropyLoss()(logits_t, torch.from_numpy(y)).backward()

    loss_fn = SoftmaxCrossEntropy()
    logits = ours.forward(X)
    loss_fn.forward(logits, y)
    grad_X = ours.backward(loss_fn.backward())
    _close(logits, logits_t)
    _close(grad_X, Xt.grad)
    grads = ours.grads
    assert list(grads) == names
    for name, p in theirs.named_parameters():
        _close(grads[name], p.grad)


def test_load_state_dict_from_torch(rng):
    theirs = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    ours = Sequential(Linear(3, 4, rng), ReLU(), Linear(4, 2, rng))
    arrays = {k: v for k, v in ours.params.items()}
    ours.load_state_dict(theirs.state_dict())
    for name, p in ours.params.items():
        assert p is arrays[name]  # copied in place: the layers keep their arrays
    X = rng.normal(size=(5, 3))
    with torch.no_grad():
        _close(ours.forward(X), theirs(_t(X)))


def test_gradients_pass_a_finite_difference_check(rng):
    model = Sequential(
        Linear(3, 4, rng), Tanh(), Linear(4, 4, rng), ReLU(), Linear(4, 3, rng)
    )
    loss_fn = SoftmaxCrossEntropy()
    X = rng.normal(size=(6, 3))
    y = np.array([0, 1, 2, 2, 1, 0])

    def loss_at(p):
        def f(value):
            saved = p.copy()
            p[...] = value
            loss = loss_fn.forward(model.forward(X), y)
            p[...] = saved
            return loss

        return f

    loss_fn.forward(model.forward(X), y)
    grad_X = model.backward(loss_fn.backward())
    grads = {k: g.copy() for k, g in model.grads.items()}
    for name, p in model.params.items():
        assert check_gradient(loss_at(p), grads[name], p.copy(), tol=1e-6) < 1e-6
    check_gradient(lambda Xv: loss_fn.forward(model.forward(Xv), y), grad_X, X, tol=1e-6)


def test_sgd_steps_equal_torch_optim_sgd(rng):
    ours, theirs = _pair(rng)
    optimizer = torch.optim.SGD(theirs.parameters(), lr=0.3)
    loss_fn, ref_loss_fn = SoftmaxCrossEntropy(), nn.CrossEntropyLoss()
    for _ in range(5):
        X = rng.normal(size=(9, 5))
        y = rng.integers(0, 4, size=9)
        loss = train_step(ours, loss_fn, X, y, lr=0.3)
        optimizer.zero_grad()
        ref = ref_loss_fn(theirs(_t(X)), torch.from_numpy(y))
        ref.backward()
        optimizer.step()
        assert loss == pytest.approx(ref.item(), rel=1e-12)
        for name, p in theirs.named_parameters():
            _close(ours.params[name], p)


def test_sgd_step_updates_in_place():
    params = {"w": np.array([1.0, 2.0])}
    w = params["w"]
    sgd_step(params, {"w": np.array([10.0, -10.0])}, lr=0.1)
    assert params["w"] is w
    np.testing.assert_allclose(w, [0.0, 3.0])


def test_overfits_a_tiny_batch(rng):
    X = rng.normal(size=(12, 4))
    y = np.arange(12) % 3
    model = Sequential(Linear(4, 32, rng), ReLU(), Linear(32, 3, rng))
    loss_fn = SoftmaxCrossEntropy()
    losses = [train_step(model, loss_fn, X, y, lr=0.5) for _ in range(500)]
    assert losses[-1] < 0.02 < losses[0]
    assert np.array_equal(model.forward(X).argmax(axis=1), y)


def test_wrong_input_width_raises(rng):
    model = Sequential(Linear(4, 3, rng), ReLU(), Linear(3, 2, rng))
    with pytest.raises(ValueError, match=r"Linear expects inputs \(m, 4\), got \(5, 3\)"):
        model.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"expects inputs \(m, 4\), got \(4,\)"):
        model.forward(np.zeros(4))


def test_wrong_labels_raise(rng):
    loss_fn = SoftmaxCrossEntropy()
    logits = rng.normal(size=(5, 3))
    with pytest.raises(ValueError, match=r"labels must have shape \(5,\)"):
        loss_fn.forward(logits, np.zeros((5, 1), dtype=np.int64))
    with pytest.raises(ValueError, match="integer class indices"):
        loss_fn.forward(logits, np.zeros(5))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        loss_fn.forward(logits, np.array([0, 1, 2, 3, 0]))


def test_load_state_dict_rejects_wrong_names_and_shapes(rng):
    model = Sequential(Linear(2, 3, rng), ReLU(), Linear(3, 1, rng))
    state = {k: v.copy() for k, v in model.params.items()}
    with pytest.raises(ValueError, match="expected the keys"):
        model.load_state_dict({**state, "4.weight": np.zeros(1)})
    state["2.weight"] = np.zeros((3, 1))
    with pytest.raises(
        ValueError, match=r"2.weight: expected shape \(1, 3\), got \(3, 1\)"
    ):
        model.load_state_dict(state)
