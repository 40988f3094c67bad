"""dlbook_utils.lbfgs.fit_lbfgs against closed forms and scikit-learn, in float64."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from dlbook_utils.lbfgs import fit_lbfgs

DT = torch.float64


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_least_squares_matches_lstsq(seed):
    g = torch.Generator().manual_seed(seed)
    m, d = 50 + 10 * seed, 3 + seed
    X = torch.randn(m, d, generator=g, dtype=DT)
    y = X @ torch.randn(d, 1, generator=g, dtype=DT) + 0.1 * torch.randn(
        m, 1, generator=g, dtype=DT
    )
    net = nn.Linear(d, 1).double()
    loss = fit_lbfgs(net, X, y, nn.MSELoss(), steps=200)
    X1 = torch.cat([X, torch.ones(m, 1, dtype=DT)], dim=1)
    theta = torch.linalg.lstsq(X1, y).solution  # (d + 1, 1): weights, then bias
    torch.testing.assert_close(net.weight.detach(), theta[:d].T, atol=1e-7, rtol=0)
    torch.testing.assert_close(net.bias.detach(), theta[d], atol=1e-7, rtol=0)
    best = ((X1 @ theta - y) ** 2).mean().item()
    assert loss == pytest.approx(best, rel=1e-9)


def test_logistic_regression_matches_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X @ [1.5, -2.0] + 0.3 + rng.normal(size=200) > 0).astype(float)
    net = nn.Linear(2, 1).double()
    fit_lbfgs(net, torch.tensor(X), torch.tensor(y)[:, None], nn.BCEWithLogitsLoss(), 200)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(net.weight.detach().numpy(), ref.coef_, atol=1e-5)
    np.testing.assert_allclose(net.bias.detach().numpy(), ref.intercept_, atol=1e-5)


def test_returns_the_final_loss_and_reduces_it():
    torch.manual_seed(0)
    x = torch.linspace(-2, 2, 100, dtype=DT)[:, None]
    y = torch.sin(3 * x)
    net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)).double()
    with torch.no_grad():
        before = nn.functional.mse_loss(net(x), y).item()
    loss = fit_lbfgs(net, x, y, nn.MSELoss(), steps=300)
    with torch.no_grad():
        assert loss == nn.functional.mse_loss(net(x), y).item()
    assert loss < before / 10


@pytest.mark.parametrize("steps", [0, -1, 2.5])
def test_bad_steps(steps):
    net = nn.Linear(1, 1).double()
    x = torch.zeros(3, 1, dtype=DT)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        fit_lbfgs(net, x, x, nn.MSELoss(), steps=steps)


def test_rows_must_match():
    net = nn.Linear(1, 1).double()
    with pytest.raises(ValueError, match="as many rows: 3 and 4"):
        x, y = torch.zeros(3, 1, dtype=DT), torch.zeros(4, 1, dtype=DT)
        fit_lbfgs(net, x, y, nn.MSELoss())
