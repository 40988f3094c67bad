"""Fit a small network to a whole training set with L-BFGS (used in chapter 1).

Chapter 1 trains a few tiny networks before the book has taught training: it imports
:func:`fit_lbfgs` so that the page can say what training does ("adjust the weights to
reduce the loss on the examples") and leave how to chapters 2-6, which build the
mini-batch training loop step by step. L-BFGS suits these problems: a few hundred
examples, a few hundred weights, and a loss that is cheap to evaluate on all of them.
"""

import torch

__all__ = ["fit_lbfgs"]


def fit_lbfgs(net, x, y, loss_fn, steps=100, history_size=20):
    """Minimise ``loss_fn(net(x), y)`` over the parameters of ``net``, in place.

    Every L-BFGS iteration uses all examples (full batch) and estimates the curvature
    of the loss from the last ``history_size`` gradients; a strong-Wolfe line search
    picks the step, so there is no learning rate to tune.

    Args:
        net: a ``torch.nn.Module``; its parameters are updated in place.
        x: inputs, a tensor of shape (m, ...) with the dtype of ``net``.
        y: targets, a tensor with m rows, as ``loss_fn`` expects them.
        loss_fn: a loss such as ``nn.MSELoss()`` or ``nn.BCEWithLogitsLoss()``.
        steps: the most L-BFGS iterations (``max_iter`` of torch.optim.LBFGS).
        history_size: how many past gradients the curvature estimate keeps.

    Returns:
        The loss after training, a Python float.

    A thin wrapper around torch.optim.LBFGS, with tolerances small enough that it
    runs all ``steps`` iterations unless the loss stops changing in float64.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have as many rows: {len(x)} and {len(y)}")
    optimizer = torch.optim.LBFGS(
        net.parameters(),
        max_iter=steps,
        history_size=history_size,
        tolerance_grad=1e-10,
        tolerance_change=1e-14,
        line_search_fn="strong_wolfe",
    )

    def closure():  # L-BFGS evaluates the loss several times per iteration
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        return loss_fn(net(x), y).item()
