"""Linear models in NumPy: gradients against torch autograd (float64) and finite differences,
closed forms against numpy/scikit-learn, training against torch.optim.SGD and sklearn."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.linear_model import LinearRegression, LogisticRegression
from torch import nn

from dlbook_utils.data import load_tabular
from dlbook_utils.numpy_nn import linear_models as lm
from dlbook_utils.testing import check_gradient


def _regression_data(m=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    y = X @ rng.normal(size=d) + 0.5 + 0.1 * rng.normal(size=m)
    return X, y


def _binary_data(m=30, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=m) > 0).astype(np.int64)
    return X, y


def _multiclass_data(m=60, d=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = 2 * rng.normal(size=(k, d))
    y = rng.integers(0, k, size=m)
    return centers[y] + rng.normal(size=(m, d)), y


def _t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


# ---- gradients: torch autograd and finite differences ----------------------------------


def test_linear_regression_grads_match_autograd_and_fd():
    X, y = _regression_data()
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=3), 0.3
    loss, dw, db = lm.linear_regression_grads(X, y, w, b)
    tw, tb = _t(w, True), _t(b, True)
    tloss = F.mse_loss(_t(X) @ tw + tb, _t(y))
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-14)
    np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-12)
    assert db == pytest.approx(tb.grad.item(), rel=1e-12)
    check_gradient(lambda v: lm.linear_regression_grads(X, y, v, b)[0], dw, w)
    check_gradient(lambda v: lm.linear_regression_grads(X, y, w, v)[0], db, b)


@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_logistic_regression_grads_match_autograd_and_fd(scale):
    X, y = _binary_data()
    rng = np.random.default_rng(2)
    w, b = rng.normal(size=4) * scale, -0.2 * scale
    loss, dw, db = lm.logistic_regression_grads(X, y, w, b)
    tw, tb = _t(w, True), _t(b, True)
    tloss = F.binary_cross_entropy_with_logits(_t(X) @ tw + tb, _t(y))
    tloss.backward()
    assert np.isfinite(loss)
    assert loss == pytest.approx(tloss.item(), rel=1e-13)
    np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-12, atol=1e-16)
    assert db == pytest.approx(tb.grad.item(), rel=1e-12, abs=1e-16)
    if scale == 1.0:  # finite differences are meaningful only where the loss is smooth
        check_gradient(lambda v: lm.logistic_regression_grads(X, y, v, b)[0], dw, w)
        check_gradient(lambda v: lm.logistic_regression_grads(X, y, w, v)[0], db, b)


def test_softmax_regression_grads_match_autograd_and_fd():
    X, y = _multiclass_data()
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=3)
    loss, dW, db = lm.softmax_regression_grads(X, y, W, b)
    layer = nn.Linear(4, 3).double()
    with torch.no_grad():
        layer.weight.copy_(_t(W))
        layer.bias.copy_(_t(b))
    tloss = F.cross_entropy(layer(_t(X)), torch.tensor(y))
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-13)
    np.testing.assert_allclose(dW, layer.weight.grad.numpy(), rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(db, layer.bias.grad.numpy(), rtol=1e-12, atol=1e-16)
    check_gradient(lambda v: lm.softmax_regression_grads(X, y, v, b)[0], dW, W)
    check_gradient(lambda v: lm.softmax_regression_grads(X, y, W, v)[0], db, b)


def test_huge_logits_give_finite_losses_and_gradients():
    X = np.array([[1.0], [-1.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, dw, db = lm.logistic_regression_grads(X, [0, 1], np.array([1e4]), 0.0)
        closs, dW, cdb = lm.softmax_regression_grads(
            X, [1, 0], np.array([[1e4], [-1e4]]), np.zeros(2)
        )
    assert loss == pytest.approx(1e4) and closs == pytest.approx(2e4)
    assert np.all(np.isfinite(dw)) and np.isfinite(db)
    assert np.all(np.isfinite(dW)) and np.all(np.isfinite(cdb))


# ---- linear regression -------------------------------------------------------------------


def test_normal_equations_match_lstsq_and_sklearn():
    X, y = _regression_data(m=50, d=4)
    w, b = lm.linear_regression_normal_equations(X, y)
    theta, *_ = np.linalg.lstsq(np.hstack([X, np.ones((50, 1))]), y, rcond=None)
    np.testing.assert_allclose(w, theta[:-1], rtol=1e-10)
    assert b == pytest.approx(theta[-1], rel=1e-10)
    sk = LinearRegression().fit(X, y)
    np.testing.assert_allclose(w, sk.coef_, rtol=1e-10)
    assert b == pytest.approx(sk.intercept_, rel=1e-10)
    assert isinstance(b, float)


def test_gradient_descent_reaches_the_normal_equations():
    X, y = _regression_data(m=60)
    w_star, b_star = lm.linear_regression_normal_equations(X, y)
    w, b, hist = lm.linear_regression_fit(X, y, lr=0.1, epochs=400)
    np.testing.assert_allclose(w, w_star, atol=1e-9)
    assert b == pytest.approx(b_star, abs=1e-9)
    assert len(hist) == 400 and hist[-1] <= hist[0]
    assert np.all(np.diff(hist) <= 1e-15)  # a small enough step never increases the loss


# ---- perceptron --------------------------------------------------------------------------


def test_perceptron_converges_on_separable_data():
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(200, 2))
    margin = X @ np.array([1.0, -2.0]) + 0.3
    keep = np.abs(margin) > 0.1
    X, y = X[keep], (margin[keep] > 0).astype(np.int64)
    w, b, mistakes = lm.perceptron_fit(X, y, max_epochs=1000)
    assert mistakes[-1] == 0 and mistakes[0] > 0
    np.testing.assert_array_equal(lm.perceptron_predict(X, w, b), y)
    # Novikoff's bound on the total number of updates, with the bias as a feature
    u = np.array([1.0, -2.0, 0.3])
    Xb = np.hstack([X, np.ones((len(X), 1))])
    gamma = np.min((2 * y - 1) * (Xb @ u)) / np.linalg.norm(u)
    R = np.max(np.linalg.norm(Xb, axis=1))
    assert sum(mistakes) <= (R / gamma) ** 2


def test_perceptron_stops_at_max_epochs_on_xor():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    _, _, mistakes = lm.perceptron_fit(X, [0, 0, 1, 1], max_epochs=25)
    assert len(mistakes) == 25 and min(mistakes) > 0


# ---- logistic regression -----------------------------------------------------------------


def test_logistic_regression_separates_iris_setosa():
    iris = load_tabular("iris")
    X, y = iris.X[:, 2:4], (iris.y == 0).astype(np.int64)  # petal length, width
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[:100], order[100:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    Xs = (X - mean) / std
    w, b, hist = lm.logistic_regression_fit(Xs[train], y[train], lr=0.5, epochs=200)
    assert hist[-1] < 0.05 < hist[0]
    assert np.mean(lm.logistic_regression_predict(Xs[test], w, b) == y[test]) == 1.0
    proba = lm.logistic_regression_predict_proba(Xs[test], w, b)
    np.testing.assert_array_equal(proba > 0.5, y[test] == 1)


def test_logistic_fit_equals_torch_sgd():
    X, y = _binary_data()
    w0, b0 = np.random.default_rng(5).normal(size=4), 0.1
    w, b, _ = lm.logistic_regression_fit(X, y, lr=0.3, epochs=25, w=w0, b=b0)
    layer = nn.Linear(4, 1).double()
    with torch.no_grad():
        layer.weight.copy_(_t(w0[None, :]))
        layer.bias.fill_(b0)
    opt = torch.optim.SGD(layer.parameters(), lr=0.3)
    for _ in range(25):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(layer(_t(X)).squeeze(1), _t(y)).backward()
        opt.step()
    np.testing.assert_allclose(w, layer.weight.detach().numpy()[0], rtol=1e-11)
    assert b == pytest.approx(layer.bias.item(), rel=1e-11)


# ---- softmax regression ------------------------------------------------------------------


def test_softmax_fit_equals_torch_linear_with_sgd():
    X, y = _multiclass_data()
    rng = np.random.default_rng(6)
    W0, b0 = 0.1 * rng.normal(size=(3, 4)), 0.1 * rng.normal(size=3)
    W, b, hist = lm.softmax_regression_fit(X, y, lr=0.2, epochs=30, W=W0, b=b0)
    layer = nn.Linear(4, 3).double()
    with torch.no_grad():
        layer.weight.copy_(_t(W0))
        layer.bias.copy_(_t(b0))
    opt = torch.optim.SGD(layer.parameters(), lr=0.2)
    for _ in range(30):
        opt.zero_grad()
        F.cross_entropy(layer(_t(X)), torch.tensor(y)).backward()
        opt.step()
    np.testing.assert_allclose(W, layer.weight.detach().numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(b, layer.bias.detach().numpy(), rtol=1e-10, atol=1e-13)
    assert hist[-1] < hist[0]


def test_softmax_regression_agrees_with_sklearn():
    X, y = _multiclass_data(m=300, seed=7)
    Xtr, ytr, Xte, yte = X[:200], y[:200], X[200:], y[200:]
    W, b, _ = lm.softmax_regression_fit(Xtr, ytr, lr=0.5, epochs=300)
    ours = lm.softmax_regression_predict(Xte, W, b)
    sk = LogisticRegression(C=1e6, max_iter=2000).fit(Xtr, ytr).predict(Xte)
    assert np.mean(ours == yte) >= np.mean(sk == yte) - 0.02
    assert np.mean(ours == sk) >= 0.95
    proba = lm.softmax_regression_predict_proba(Xte, W, b)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), ours)


def test_softmax_fit_defaults():
    X, y = _multiclass_data()
    W, b, hist = lm.softmax_regression_fit(X, y, epochs=0)
    assert W.shape == (3, 4) and b.shape == (3,) and hist == []
    W, b, _ = lm.softmax_regression_fit(X, y, epochs=1, W=np.zeros((5, 4)))
    assert W.shape == (5, 4) and b.shape == (5,)


# ---- purity and bad input ----------------------------------------------------------------


def test_fits_do_not_modify_their_arguments():
    X, y = _multiclass_data()
    W0, b0 = np.ones((3, 4)), np.ones(3)
    copies = [a.copy() for a in (X, y, W0, b0)]
    lm.softmax_regression_fit(X, y, epochs=3, W=W0, b=b0)
    for before, after in zip(copies, (X, y, W0, b0), strict=True):
        np.testing.assert_array_equal(before, after)
    Xb, yb = _binary_data()
    w0 = np.ones(4)
    lm.logistic_regression_fit(Xb, yb, epochs=3, w=w0)
    np.testing.assert_array_equal(w0, np.ones(4))


def test_bad_shapes_raise():
    X, y = _binary_data()
    with pytest.raises(ValueError, match=r"y must have shape \(30,\)"):
        lm.logistic_regression_fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"X must have shape \(m, d\)"):
        lm.logistic_regression_fit(X[:, 0], y)
    with pytest.raises(ValueError, match=r"weights must have shape \(4,\) or \(K, 4\)"):
        lm.logistic_regression_grads(X, y, np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"bias must have shape \(\)"):
        lm.logistic_regression_grads(X, y, np.zeros(4), np.zeros(2))
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\)"):
        lm.softmax_regression_grads(X, y, np.zeros((3, 4)), 0.0)
    with pytest.raises(ValueError, match=r"y must have shape \(30,\)"):
        lm.linear_regression_normal_equations(X, np.zeros((30, 1)))
    with pytest.raises(ValueError, match="nan or inf"):
        lm.linear_regression_fit(np.full((3, 2), np.nan), np.zeros(3))


def test_bad_labels_raise():
    X, y = _binary_data()
    with pytest.raises(ValueError, match="binary labels must be 0 or 1"):
        lm.logistic_regression_fit(X, 2 * y - 1)  # -1/+1 labels
    with pytest.raises(ValueError, match="binary labels must be 0 or 1"):
        lm.perceptron_fit(X, y + 0.5)
    with pytest.raises(ValueError, match="class labels must be integers"):
        lm.softmax_regression_fit(X, y.astype(float))
    with pytest.raises(ValueError, match="class labels must be >= 0"):
        lm.softmax_regression_fit(X, y - 1)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]"):
        lm.softmax_regression_grads(X, y + 1, np.zeros((2, 4)), np.zeros(2))
    with pytest.raises(ValueError, match="y must hold numbers"):
        lm.linear_regression_fit(X, np.array(["a"] * 30))


def test_bad_schedules_raise():
    X, y = _binary_data()
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        lm.logistic_regression_fit(X, y, lr=0.0)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        lm.linear_regression_fit(X, y, lr="0.1")
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        lm.logistic_regression_fit(X, y, lr=float("inf"))
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        lm.softmax_regression_fit(X, y, epochs=2.5)
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        lm.perceptron_fit(X, y, max_epochs=-1)
    with pytest.raises(ValueError, match="labels must be one of"):
        lm.check_data(X, y, labels="ordinal")
