"""dlbook_utils.optim: every optimizer step for step equal to its torch.optim twin.

Random least-squares-plus-tanh problems in float64, two parameter groups with different
hyperparameters, a parameter without a gradient, 50 steps, every option combination.
"""

import copy
import itertools

import pytest
import torch

from dlbook_utils import optim

STEPS = 50

SGD_OPTS = [
    dict(momentum=m, dampening=d, nesterov=n, weight_decay=wd, maximize=mx)
    for m, d, n, wd, mx in itertools.product(
        [0.0, 0.9], [0.0, 0.3], [False, True], [0.0, 1e-2], [False, True]
    )
    if not (n and (m == 0 or d != 0))
]
ADAGRAD_OPTS = [
    dict(lr_decay=ld, weight_decay=wd, initial_accumulator_value=iv, maximize=mx)
    for ld, wd, iv, mx in itertools.product(
        [0.0, 0.05], [0.0, 1e-2], [0.0, 0.1], [False, True]
    )
]
RMSPROP_OPTS = [
    dict(alpha=a, momentum=m, centered=c, weight_decay=wd, maximize=mx)
    for a, m, c, wd, mx in itertools.product(
        [0.99, 0.9], [0.0, 0.8], [False, True], [0.0, 1e-2], [False, True]
    )
]
ADAM_OPTS = [
    dict(betas=b, weight_decay=wd, amsgrad=ams, maximize=mx)
    for b, wd, ams, mx in itertools.product(
        [(0.9, 0.999), (0.5, 0.9)], [0.0, 1e-1], [False, True], [False, True]
    )
]
CASES = (
    [("SGD", 0.02, o) for o in SGD_OPTS]
    + [("Adagrad", 0.05, o) for o in ADAGRAD_OPTS]
    + [("RMSprop", 0.005, o) for o in RMSPROP_OPTS]
    + [("Adam", 0.01, o) for o in ADAM_OPTS]
    + [("AdamW", 0.01, o) for o in ADAM_OPTS]
)


def _problem(seed):
    """Parameters (two groups and one unused tensor) and a loss function of them."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(32, 5, generator=g, dtype=torch.float64)
    y = torch.randn(32, 3, generator=g, dtype=torch.float64)
    W = torch.randn(5, 3, generator=g, dtype=torch.float64)
    b = torch.randn(3, generator=g, dtype=torch.float64)
    unused = torch.randn(4, generator=g, dtype=torch.float64)

    def loss_fn(W, b, unused):
        return ((torch.tanh(X @ W) + b - y) ** 2).mean()

    return [W, b, unused], loss_fn


def _run(cls, tensors, loss_fn, lr, opts, steps=STEPS, state=None):
    params = [t.clone().requires_grad_(True) for t in tensors]
    groups = [
        {"params": [params[0], params[2]]},
        {"params": [params[1]], "lr": lr * 0.5},  # a second group, other settings
    ]
    opt = cls(groups, lr=lr, **opts)
    if state is not None:
        opt.load_state_dict(state)
    trace = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(*params).backward()  # `unused` gets no gradient: grad stays None
        opt.step()
        trace.append([p.detach().clone() for p in params])
    return trace, opt


@pytest.mark.parametrize(("name", "lr", "opts"), CASES, ids=lambda x: str(x))
def test_step_for_step_equal_to_torch(name, lr, opts):
    tensors, loss_fn = _problem(seed=len(CASES) + hash(name) % 97)
    ours, _ = _run(getattr(optim, name), tensors, loss_fn, lr, opts)
    ref, _ = _run(getattr(torch.optim, name), tensors, loss_fn, lr, opts)
    for step, (a, b) in enumerate(zip(ours, ref, strict=True)):
        for p, q in zip(a, b, strict=True):
            torch.testing.assert_close(
                p, q, rtol=1e-12, atol=1e-12, msg=lambda m, s=step: f"step {s}: {m}"
            )
    assert torch.equal(ours[-1][2], tensors[2])  # the gradient-less tensor never moved
    assert not torch.equal(ours[-1][0], tensors[0])


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_state_dict_round_trip_with_torch(name):
    opts = {
        "SGD": dict(momentum=0.9),
        "RMSprop": dict(momentum=0.5, centered=True),
        "Adam": dict(amsgrad=True),
    }.get(name, {})
    tensors, loss_fn = _problem(seed=3)
    full, _ = _run(getattr(optim, name), tensors, loss_fn, 0.01, opts, steps=20)
    half, ours = _run(getattr(optim, name), tensors, loss_fn, 0.01, opts, steps=10)
    resumed = [t.clone() for t in half[-1]]
    saved = copy.deepcopy(ours.state_dict())  # loading shares tensors: keep a copy
    # our state loads into torch's optimizer, which continues exactly where we stopped
    rest, theirs = _run(
        getattr(torch.optim, name),
        resumed,
        loss_fn,
        0.01,
        opts,
        steps=10,
        state=copy.deepcopy(saved),
    )
    for p, q in zip(rest[-1], full[-1], strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)
    # and torch's state loads back into ours
    again, _ = _run(
        getattr(optim, name),
        resumed,
        loss_fn,
        0.01,
        opts,
        steps=10,
        state=copy.deepcopy(saved),
    )
    _, back = _run(
        getattr(optim, name),
        resumed,
        loss_fn,
        0.01,
        opts,
        steps=0,
        state=theirs.state_dict(),
    )
    theirs_state = theirs.state_dict()["state"]
    for i, state in back.state_dict()["state"].items():  # the same keys and values
        assert state.keys() == theirs_state[i].keys()
        for key, value in state.items():
            torch.testing.assert_close(value, theirs_state[i][key])
    for p, q in zip(again[-1], full[-1], strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_defaults_match_torch():
    for name in ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]:
        p = [torch.zeros(2, requires_grad=True)]
        ours = getattr(optim, name)(p).defaults
        theirs = getattr(torch.optim, name)(p).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (name, key, value, theirs[key])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), "learning rate"),
        (lambda p: optim.SGD(p, momentum=-0.5), "momentum"),
        (lambda p: optim.SGD(p, nesterov=True), "Nesterov"),
        (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.SGD(p, weight_decay=-1e-4), "weight_decay"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "index 0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "index 1"),
        (lambda p: optim.AdamW(p, betas=(0.9, 1.5)), "index 1"),
        (lambda p: optim.Adam(p, eps=-1.0), "epsilon"),
        (lambda p: optim.Adagrad(p, lr_decay=-1.0), "lr_decay"),
        (lambda p: optim.RMSprop(p, alpha=-0.1), "alpha"),
        (lambda p: optim.RMSprop(p, lr=float("nan")), "learning rate"),
    ],
)
def test_bad_hyperparameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make([torch.zeros(2, requires_grad=True)])


def test_sparse_gradients_are_refused():
    p = torch.zeros(3, requires_grad=True)
    p.grad = torch.sparse_coo_tensor([[0]], [1.0], (3,), check_invariants=True)
    with pytest.raises(RuntimeError, match="sparse"):
        optim.Adam([p]).step()


def test_closure_returns_loss():
    p = torch.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 2.0
    torch.testing.assert_close(p.detach(), torch.full((2,), 0.8))


def test_pure_functions_update_in_place():
    param, grad = torch.ones(3), torch.full((3,), 0.5)
    buf = optim.sgd_update(param, grad, None, lr=0.1, momentum=0.9)
    torch.testing.assert_close(buf, grad)  # the first velocity is the gradient
    torch.testing.assert_close(param, torch.full((3,), 0.95))
    m, v = torch.zeros(3), torch.zeros(3)
    optim.adam_update(param, grad, m, v, 1, lr=0.1)
    # the first Adam step moves each coordinate by about lr, whatever the gradient's size
    torch.testing.assert_close(param, torch.full((3,), 0.85), rtol=0, atol=1e-6)
