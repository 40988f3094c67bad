import numpy as np
import pytest
import torch
from torch import nn

from dlbook_utils import testing


def test_check_close_prints_and_raises(capsys):
    diff = testing.check_close("same", torch.ones(3), np.ones(3))
    assert diff == 0.0 and "same: max |ours - ref| = 0.0e+00  OK" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="differs from the reference"):
        testing.check_close("off", torch.ones(3), torch.ones(3) + 1e-3)
    with pytest.raises(ValueError, match="shapes differ"):
        testing.check_close("shape", torch.ones(3), torch.ones(4))


def test_check_close_result_is_not_echoed_by_jupyter():
    """A bare ``check_close(...)`` ending a cell shows its printed line, not a second one."""
    from IPython.core.formatters import DisplayFormatter

    diff = testing.check_close("x", np.ones(2), np.ones(2) + 1e-12, verbose=False)
    assert isinstance(diff, float) and 0 < diff < 1e-11
    formatted, _ = DisplayFormatter().format(diff)
    assert formatted == {}
    assert DisplayFormatter().format(float(diff))[0]  # a plain float would be echoed


def my_softplus(x):
    return torch.log1p(torch.exp(x))


def test_compare_with_torch_accepts_a_correct_twin():
    x = torch.randn(5, 4, dtype=torch.float64)
    diffs = testing.compare_with_torch(my_softplus, nn.functional.softplus, x)
    assert set(diffs) == {"output", "input0"} and max(diffs.values()) < 1e-12


def test_compare_with_torch_catches_a_wrong_gradient():
    class WrongGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return torch.relu(x)

        @staticmethod
        def backward(ctx, g):
            return 2 * g  # wrong on purpose

    x = torch.randn(6, dtype=torch.float64)
    with pytest.raises(AssertionError, match="grad input0"):
        testing.compare_with_torch(WrongGrad.apply, torch.relu, x)


def test_compare_with_torch_catches_a_wrong_forward():
    x = torch.randn(3, dtype=torch.float64)
    with pytest.raises(AssertionError, match="output"):
        testing.compare_with_torch(lambda t: t * 1.001, lambda t: t, x)


def test_compare_modules_compares_parameter_gradients():
    torch.manual_seed(0)
    ref = nn.Linear(3, 2).double()
    ours = nn.Linear(3, 2).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(4, 3, dtype=torch.float64)
    diffs = testing.compare_modules(ours, ref, x)
    assert {"weight", "bias", "output", "input0"} <= set(diffs)
    with torch.no_grad():
        ours.bias.add_(1.0)
    with pytest.raises(AssertionError, match="output"):
        testing.compare_modules(ours, ref, x)
    with pytest.raises(ValueError, match="parameter names differ"):
        testing.compare_modules(nn.Sequential(ours), ref, x)


def test_numerical_gradient_and_check_gradient():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])

    def f(x):
        return 0.5 * x @ A @ x

    x = np.array([0.3, -1.2])
    assert np.allclose(testing.numerical_gradient(f, x), A @ x, atol=1e-8)
    assert testing.check_gradient(f, A @ x, x) < 1e-8
    with pytest.raises(AssertionError, match="relative error"):
        testing.check_gradient(f, A @ x + 0.1, x)
    with pytest.raises(ValueError, match="shape"):
        testing.check_gradient(f, np.zeros(3), x)


def test_check_close_wraps_a_line_wider_than_the_code_box(capsys):
    name = "gradient of the loss with respect to the first layer's weights"
    testing.check_close(name, np.ones(2), np.ones(2))
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{name}:", "    max |ours - ref| = 0.0e+00  OK"]
    assert all(len(line) <= testing.LINE_WIDTH for line in lines)
