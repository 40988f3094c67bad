"""Gradient descent (chapter 4): against torch.optim.SGD step for step, the quadratic's
convergence condition, epoch coverage, reproducibility and bad input."""

import math

import numpy as np
import pytest
import torch

from dlbook_utils import _gradient_descent_core as core
from dlbook_utils.gradient_descent import (
    GDHistory,
    batch_indices,
    gradient_descent,
    minibatch_gradient_descent,
)
from dlbook_utils.numpy_nn.losses import cross_entropy, cross_entropy_grad


def linear_regression(n=50, seed=0):
    """Design matrix (n, 3) with a column of ones, targets (n,), and a starting point."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(1.0, 1.0, (n, 2)), np.ones(n)])
    y = X @ np.array([2.0, -1.0, 0.5]) + 0.3 * rng.normal(size=n)
    return X, y, np.array([-1.0, 1.0, 0.0])


def mse_and_grad(theta, X, y):
    """Mean squared error of X theta against y, and its gradient 2/b X^T r."""
    r = X @ theta - y
    return np.mean(r**2), 2 / len(y) * X.T @ r


def torch_sgd_path(theta0, X, y, orders, lr, loss_fn):
    """Step torch.optim.SGD through the batches given by `orders`; return path and losses."""
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt = torch.optim.SGD([theta], lr=lr)
    path, losses = [], []
    for rows in orders:
        rows = torch.from_numpy(rows)
        opt.zero_grad()
        loss = loss_fn(Xt[rows], theta, yt[rows])
        loss.backward()
        opt.step()
        path.append(theta.detach().numpy().copy())
        losses.append(loss.item())
    return np.array(path), np.array(losses)


def torch_mse(Xb, theta, yb):
    return torch.nn.functional.mse_loss(Xb @ theta, yb)


# ---------------------------------------------------------------- against torch.optim.SGD


@pytest.mark.parametrize("batch_size", [1, 7, 50])
@pytest.mark.parametrize("drop_last", [False, True])
def test_minibatch_matches_torch_sgd_step_for_step(batch_size, drop_last):
    X, y, theta0 = linear_regression()
    epochs, lr = 3, 0.05
    path = []
    theta, history = minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, lr=lr, batch_size=batch_size, epochs=epochs,
        rng=np.random.default_rng(1), drop_last=drop_last, callback=path.append,
    )  # fmt: skip
    # The same seed gives the same index order: feed it to torch.
    order_rng = np.random.default_rng(1)
    orders = [
        rows
        for _ in range(epochs)
        for rows in batch_indices(len(X), batch_size, order_rng, drop_last)
    ]
    torch_path, torch_losses = torch_sgd_path(theta0, X, y, orders, lr, torch_mse)
    np.testing.assert_allclose(np.array(path), torch_path, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(history.loss, torch_losses, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(theta, path[-1])
    assert history.batch_size == [len(rows) for rows in orders]


def test_matrix_parameters_match_torch_sgd_on_softmax_regression():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(40, 5)), rng.integers(0, 4, 40)
    # W as nn.Linear stores it, (out_features, in_features), as chapters 3 and 4 do
    theta0 = 0.1 * rng.normal(size=(4, 5))

    def loss_and_grad(W, Xb, yb):
        Z = Xb @ W.T  # (B, K) logits
        dZ = cross_entropy_grad(Z, yb)  # (B, K)
        return cross_entropy(Z, yb), dZ.T @ Xb  # dW: (K, d), the shape of W

    path = []
    minibatch_gradient_descent(
        loss_and_grad, theta0, X, y, lr=0.5, batch_size=8, epochs=2,
        rng=np.random.default_rng(5), callback=path.append,
    )  # fmt: skip
    order_rng = np.random.default_rng(5)
    orders = [r for _ in range(2) for r in batch_indices(40, 8, order_rng)]
    torch_path, _ = torch_sgd_path(
        theta0, X, y, orders, 0.5,
        lambda Xb, W, yb: torch.nn.functional.cross_entropy(
            torch.nn.functional.linear(Xb, W), yb
        ),
    )  # fmt: skip
    np.testing.assert_allclose(np.array(path), torch_path, rtol=1e-12, atol=1e-12)


def test_gradient_descent_matches_torch_sgd_on_a_nonquadratic_function():
    a = np.array([1.0, 3.0])

    def grad(theta):  # of f = sum(cosh(a * theta)) + theta_0 * theta_1
        return a * np.sinh(a * theta) + theta[::-1]

    path = gradient_descent(grad, [0.8, -0.5], lr=0.05, steps=30)
    theta = torch.tensor([0.8, -0.5], dtype=torch.float64, requires_grad=True)
    at = torch.from_numpy(a)
    opt = torch.optim.SGD([theta], lr=0.05)
    for k in range(30):
        opt.zero_grad()
        (torch.cosh(at * theta).sum() + theta[0] * theta[1]).backward()
        opt.step()
        np.testing.assert_allclose(path[k + 1], theta.detach().numpy(), rtol=1e-12)


# ------------------------------------------------------------------ batch size n is GD


def test_full_batch_equals_gradient_descent():
    X, y, theta0 = linear_regression(n=30)
    epochs, lr = 25, 0.1
    path = [theta0]
    minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, lr=lr, batch_size=len(X), epochs=epochs,
        rng=np.random.default_rng(0), callback=path.append,
    )  # fmt: skip
    gd_path = gradient_descent(lambda t: mse_and_grad(t, X, y)[1], theta0, lr, epochs)
    # Shuffling only reorders the sum inside the mean: equal up to rounding.
    np.testing.assert_allclose(np.array(path), gd_path, rtol=1e-12, atol=1e-13)


# ------------------------------------------------------------- the quadratic's condition


def quadratic_path(lam, lr, steps=60, theta0=1.0):
    return gradient_descent(lambda t: lam * t, np.array([theta0]), lr, steps)[:, 0]


@pytest.mark.parametrize("lam", [0.5, 2.0, 40.0])
def test_quadratic_iterates_are_powers_of_one_minus_lr_lambda(lam):
    lr = 0.7 / lam
    path = quadratic_path(lam, lr, steps=20, theta0=3.0)
    np.testing.assert_allclose(path, 3.0 * (1 - lr * lam) ** np.arange(21), rtol=1e-12)


@pytest.mark.parametrize("lam", [0.5, 2.0, 40.0])
@pytest.mark.parametrize(
    ("fraction", "behaviour"),
    [
        (0.05, "monotone"),  # lr = 0.1 / lam: crawls toward 0
        (0.25, "monotone"),  # lr = 0.5 / lam
        (0.5, "one step"),  # lr = 1 / lam: lands on the minimum
        (0.75, "oscillates"),  # lr = 1.5 / lam
        (0.99, "oscillates"),  # lr = 1.98 / lam
        (1.01, "diverges"),  # lr = 2.02 / lam
        (1.5, "diverges"),
    ],
)
def test_quadratic_converges_iff_lr_below_two_over_lambda(lam, fraction, behaviour):
    """For J = lam theta^2 / 2, GD converges iff 0 < lr < 2 / lam, oscillates above 1 / lam."""
    lr = fraction * 2 / lam
    path = quadratic_path(lam, lr, steps=400)
    if behaviour == "diverges":
        assert abs(path[-1]) > 1e1
        assert np.all(np.abs(np.diff(np.abs(path))) > 0)  # |theta| grows at every step
        return
    assert abs(path[-1]) < 1e-1
    if behaviour == "one step":
        assert abs(path[1]) < 1e-15
    elif behaviour == "monotone":
        assert np.all(path > 0) and np.all(np.diff(path) < 0)
    else:
        assert np.all(np.sign(path[:20]) == (-1) ** np.arange(20))  # flips every step


def test_quadratic_at_exactly_two_over_lambda_bounces_forever():
    path = quadratic_path(4.0, 0.5, steps=50)  # 1 - lr * lam = -1
    np.testing.assert_array_equal(np.abs(path), np.ones(51))


def test_ill_conditioned_quadratic_limit_is_set_by_the_largest_curvature():
    lams = np.array([1.0, 25.0])
    ok = gradient_descent(lambda t: lams * t, [1.0, 1.0], lr=1.9 / 25, steps=300)
    bad = gradient_descent(lambda t: lams * t, [1.0, 1.0], lr=2.1 / 25, steps=300)
    assert np.all(np.abs(ok[-1]) < 1e-6)
    assert abs(bad[-1, 1]) > 1e6  # the steep direction explodes
    # and in the steep direction the stable run zig-zags: sign flips every step
    assert np.all(np.sign(ok[:30, 1]) == (-1) ** np.arange(30))


# ------------------------------------------------------------------------ epoch coverage


@pytest.mark.parametrize(("n", "b"), [(10, 1), (10, 3), (10, 5), (10, 10), (7, 4)])
def test_each_epoch_visits_every_example_exactly_once(n, b):
    rng = np.random.default_rng(0)
    for _ in range(3):
        batches = batch_indices(n, b, rng)
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
        expected = [b] * (n // b) + ([n % b] if n % b else [])
        assert [len(rows) for rows in batches] == expected


@pytest.mark.parametrize(("n", "b"), [(10, 3), (10, 5), (7, 4), (5, 5)])
def test_drop_last_keeps_only_full_batches_of_distinct_examples(n, b):
    batches = batch_indices(n, b, np.random.default_rng(0), drop_last=True)
    assert [len(rows) for rows in batches] == [b] * (n // b)
    seen = np.concatenate(batches)
    assert len(np.unique(seen)) == len(seen) == n - n % b
    assert set(seen.tolist()) <= set(range(n))


def test_minibatch_gd_sees_each_example_once_per_epoch_in_a_new_order():
    n, b, epochs = 11, 4, 3
    X, y = np.zeros((n, 1)), np.arange(n)  # y names the example
    seen = []

    def spy(theta, Xb, yb):
        seen.append(yb.copy())
        return 0.0, np.zeros_like(theta)

    _, history = minibatch_gradient_descent(
        spy, np.zeros(1), X, y, lr=1.0, batch_size=b, epochs=epochs,
        rng=np.random.default_rng(2),
    )  # fmt: skip
    per_epoch = math.ceil(n / b)
    assert history.updates == len(seen) == epochs * per_epoch
    orders = []
    for e in range(epochs):
        order = np.concatenate(seen[e * per_epoch : (e + 1) * per_epoch])
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1])  # reshuffled every epoch
    assert history.epoch == [e for e in range(epochs) for _ in range(per_epoch)]


# ---------------------------------------------------------------------------- history


def test_history_counts_samples_and_averages_epoch_losses():
    h = GDHistory()
    for epoch, size, loss in [(0, 4, 1.0), (0, 2, 4.0), (1, 4, 0.5), (1, 2, 2.0)]:
        h.record(epoch, size, loss)
    assert h.updates == 4
    np.testing.assert_array_equal(h.samples_seen(), [4, 6, 10, 12])
    np.testing.assert_allclose(h.epoch_loss(), [(4 + 8) / 6, (2 + 4) / 6])
    assert GDHistory().epoch_loss().shape == (0,)


def test_full_batch_history_loss_is_the_full_loss_before_each_step():
    X, y, theta0 = linear_regression(n=20)
    path = [theta0]
    _, history = minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, lr=0.05, batch_size=20, epochs=5,
        rng=np.random.default_rng(0), callback=path.append,
    )  # fmt: skip
    full = [mse_and_grad(t, X, y)[0] for t in path[:-1]]
    np.testing.assert_allclose(history.loss, full, rtol=1e-12)
    np.testing.assert_allclose(history.epoch_loss(), full, rtol=1e-12)


def test_inputs_are_not_modified_and_path_points_are_distinct_arrays():
    X, y, theta0 = linear_regression(n=12)
    saved = theta0.copy()
    path = []
    theta, _ = minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, lr=0.05, batch_size=4, epochs=2,
        rng=np.random.default_rng(0), callback=path.append,
    )  # fmt: skip
    np.testing.assert_array_equal(theta0, saved)
    assert len({id(p) for p in path}) == len(path) == 6
    assert not np.array_equal(path[0], path[1])
    gd = gradient_descent(lambda t: t, theta0, lr=0.5, steps=0)
    np.testing.assert_array_equal(gd, theta0[None])


# ---------------------------------------------------------------------- reproducibility


def run_once(seed, batch_size=5):
    X, y, theta0 = linear_regression(n=23)
    return minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, lr=0.05, batch_size=batch_size, epochs=4,
        rng=np.random.default_rng(seed),
    )  # fmt: skip


def test_same_seed_same_run_other_seed_other_run():
    (a, ha), (b, hb), (c, hc) = run_once(7), run_once(7), run_once(8)
    np.testing.assert_array_equal(a, b)
    assert ha == hb
    assert not np.array_equal(a, c)
    assert ha.loss != hc.loss


def test_the_generator_advances_between_calls():
    rng = np.random.default_rng(0)
    first, second = batch_indices(20, 20, rng)[0], batch_indices(20, 20, rng)[0]
    assert not np.array_equal(first, second)


# ---------------------------------------------------------------------------- bad input


def call(**overrides):
    X, y, theta0 = linear_regression(n=10)
    kwargs = dict(lr=0.1, batch_size=2, epochs=1, rng=np.random.default_rng(0))
    kwargs.update(overrides)
    X, y = kwargs.pop("X", X), kwargs.pop("y", y)
    return minibatch_gradient_descent(mse_and_grad, theta0, X, y, **kwargs)


@pytest.mark.parametrize("batch_size", [0, -1, 11, 2.0, True, None])
def test_bad_batch_size_raises(batch_size):
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1 and <= 10"):
        call(batch_size=batch_size)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_learning_rate_raises(lr):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        call(lr=lr)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        gradient_descent(lambda t: t, [1.0], lr=lr, steps=3)


def test_mismatched_or_empty_data_raises():
    X, y, _ = linear_regression(n=10)
    with pytest.raises(ValueError, match=r"same number of examples.*\(10, 3\) and \(9,\)"):
        call(X=X, y=y[:9])
    with pytest.raises(ValueError, match="same number of examples"):
        call(X=X[:0], y=y[:0], batch_size=1)
    with pytest.raises(ValueError, match="same number of examples"):
        call(X=X, y=np.float64(1.0))


@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0), torch.Generator()])
def test_rng_must_be_a_numpy_generator(rng):
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        call(rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        batch_indices(10, 2, rng)


def test_bad_epochs_and_steps_raise():
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        call(epochs=-1)
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        call(epochs=1.5)
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        gradient_descent(lambda t: t, [1.0], lr=0.1, steps=-2)
    theta, history = call(epochs=0)  # zero epochs: nothing happens
    assert history.updates == 0


def test_one_call_of_e_epochs_equals_e_calls_of_one_epoch():
    X, y, theta0 = linear_regression(n=17)
    kwargs = dict(lr=0.05, batch_size=4)
    once, h_once = minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, epochs=3, rng=np.random.default_rng(4), **kwargs
    )
    rng, theta, losses = np.random.default_rng(4), theta0, []
    for _ in range(3):  # the generator carries the shuffling state between calls
        theta, h = minibatch_gradient_descent(
            mse_and_grad, theta, X, y, epochs=1, rng=rng, **kwargs
        )
        losses += h.loss
    np.testing.assert_array_equal(theta, once)
    assert losses == h_once.loss


@pytest.mark.parametrize("n", [0, -3, 5.0, True])
def test_batch_indices_names_a_bad_example_count(n):
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        batch_indices(n, 1, np.random.default_rng(0))


# ------------------------------------------------------------- the core and its wrapper


def test_public_functions_run_the_chapter_core_unchanged():
    """The checked functions return exactly what chapter 4's unchecked core returns."""
    X, y, theta0 = linear_regression(n=13)
    kwargs = dict(lr=0.05, batch_size=4, epochs=2, drop_last=True)
    theta, history = minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, rng=np.random.default_rng(3), **kwargs
    )
    core_theta, core_history = core.minibatch_gradient_descent(
        mse_and_grad, theta0, X, y, rng=np.random.default_rng(3), **kwargs
    )
    np.testing.assert_array_equal(theta, core_theta)
    assert history == core_history
    np.testing.assert_array_equal(
        gradient_descent(lambda t: 2 * t, theta0, 0.1, 5),
        core.gradient_descent(lambda t: 2 * t, theta0, 0.1, 5),
    )
    for a, b in zip(
        batch_indices(10, 3, np.random.default_rng(0)),
        core.batch_indices(10, 3, np.random.default_rng(0)),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


def test_bad_input_is_refused_before_the_first_update():
    X, y, theta0 = linear_regression(n=10)
    calls = []

    def spy(theta, Xb, yb):
        calls.append(len(yb))
        return 0.0, np.zeros_like(theta)

    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        minibatch_gradient_descent(
            spy, theta0, X, y, lr=0.1, batch_size=2, epochs=3, rng=None
        )
    assert calls == []
