"""dlbook_utils.clipping against torch.nn.utils: returned norms and clipped gradients."""

import math

import pytest
import torch

from dlbook_utils.clipping import clip_grad_norm_, clip_grad_value_

DT = torch.float64


def parameters_with_grads(seed, scale=1.0, skip=True):
    """Three parameters with random gradients, and one without a gradient (skipped)."""
    g = torch.Generator().manual_seed(seed)
    params = [torch.zeros(s, dtype=DT, requires_grad=True) for s in [(3, 4), (5,), (2, 2)]]
    for p in params:
        p.grad = torch.randn(p.shape, generator=g, dtype=DT) * scale
    if skip:
        params.append(torch.zeros(3, dtype=DT, requires_grad=True))  # .grad is None
    return params


def clones(params):
    out = []
    for p in params:
        q = p.detach().clone().requires_grad_()
        q.grad = None if p.grad is None else p.grad.clone()
        out.append(q)
    return out


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize(("scale", "max_norm"), [(1.0, 0.5), (1.0, 100.0), (10.0, 1.0)])
@pytest.mark.parametrize("seed", range(3))
def test_clip_grad_norm_matches_torch(norm_type, scale, max_norm, seed):
    ours = parameters_with_grads(seed, scale)
    ref = clones(ours)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type=norm_type)
    torch.testing.assert_close(total, expected, atol=0, rtol=1e-14)
    for p, q in zip(ours, ref, strict=True):
        if q.grad is None:
            assert p.grad is None
        else:
            torch.testing.assert_close(p.grad, q.grad, atol=0, rtol=1e-14)


def test_clip_grad_norm_caps_the_norm_and_keeps_the_direction():
    params = parameters_with_grads(0, scale=10.0)
    before = torch.cat([p.grad.flatten() for p in params[:3]])
    total = clip_grad_norm_(params, 1.0)
    after = torch.cat([p.grad.flatten() for p in params[:3]])
    assert total.item() == pytest.approx(before.norm().item())
    assert after.norm().item() == pytest.approx(1.0, rel=1e-5)
    torch.testing.assert_close(after / after.norm(), before / before.norm())


def test_single_tensor_and_no_gradients():
    p = torch.ones(4, dtype=DT, requires_grad=True)
    p.grad = torch.full((4,), 3.0, dtype=DT)
    q = clones([p])[0]
    torch.testing.assert_close(
        clip_grad_norm_(p, 1.0), torch.nn.utils.clip_grad_norm_(q, 1.0)
    )
    torch.testing.assert_close(p.grad, q.grad)
    empty = [torch.zeros(2, requires_grad=True)]
    assert torch.equal(
        clip_grad_norm_(empty, 1.0), torch.nn.utils.clip_grad_norm_(empty, 1.0)
    )


def test_nonfinite_norm():
    params = parameters_with_grads(0, skip=False)
    params[1].grad[0] = math.inf
    with pytest.raises(RuntimeError, match="non-finite|cannot be clipped"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    ref = clones(params)
    total = clip_grad_norm_(params, 1.0)
    assert torch.equal(total, torch.nn.utils.clip_grad_norm_(ref, 1.0))


@pytest.mark.parametrize("clip_value", [0.1, 0.5, 5.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours = parameters_with_grads(1)
    ref = clones(ours)
    assert clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(ref, clip_value)
    for p, q in zip(ours[:3], ref[:3], strict=True):
        assert torch.equal(p.grad, q.grad)
        assert p.grad.abs().max().item() <= clip_value
    assert ours[3].grad is None
