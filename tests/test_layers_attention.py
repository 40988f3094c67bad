"""Attention against its torch twins, forward and every gradient, in float64."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlbook_utils.layers import (
    MultiheadAttention,
    attention_with_weights,
    causal_mask,
    scaled_dot_product_attention,
)

DT = torch.float64


def _leaves(*shapes, gen):
    return [torch.randn(*s, dtype=DT, generator=gen).requires_grad_() for s in shapes]


def _grads(out, inputs, seed=0):
    g = torch.randn(out.shape, dtype=DT, generator=torch.Generator().manual_seed(seed))
    return torch.autograd.grad(out, inputs, g, allow_unused=True)


def _random_mask(kind, shape, gen, keep_one=True):
    """A mask of ``kind`` in sdpa's convention (True takes part), no row fully masked."""
    keep = torch.rand(shape, generator=gen) > 0.4
    if keep_one:
        keep[..., 0] = True
    if kind == "bool":
        return keep
    return torch.zeros(shape, dtype=DT).masked_fill(~keep, float("-inf")) + torch.randn(
        shape, dtype=DT, generator=gen
    )


@pytest.mark.parametrize("case", range(12))
def test_sdpa_matches_torch(case):
    gen = torch.Generator().manual_seed(case)
    batch = [(2, 3), (4,), (1, 2)][case % 3]
    L, S, E, Ev = 1 + case % 5, 2 + case % 4, 3 + case % 3, 2 + case % 2
    q, k, v = _leaves((*batch, L, E), (*batch, S, E), (*batch, S, Ev), gen=gen)
    kind = ["none", "bool", "float", "causal"][case % 4]
    kwargs = {}
    if kind == "causal":
        kwargs["is_causal"] = True
    elif kind != "none":
        shape = [(L, S), (*batch, L, S), (batch[0], 1, L, S)[-len(batch) - 2 :]][case % 3]
        kwargs["attn_mask"] = _random_mask(kind, shape, gen)
    ours = scaled_dot_product_attention(q, k, v, **kwargs)
    ref = F.scaled_dot_product_attention(q, k, v, **kwargs)
    torch.testing.assert_close(ours, ref)
    for a, b in zip(_grads(ours, [q, k, v]), _grads(ref, [q, k, v]), strict=True):
        torch.testing.assert_close(a, b)


def test_causal_mask_is_lower_triangle():
    assert causal_mask(3).tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    assert causal_mask(2, 4).shape == (2, 4)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_row_gives_zeros_and_finite_grads(kind):
    gen = torch.Generator().manual_seed(1)
    q, k, v = _leaves((2, 4, 3), (2, 5, 3), (2, 5, 6), gen=gen)
    keep = torch.ones(4, 5, dtype=torch.bool)
    keep[2] = False
    mask = (
        keep
        if kind == "bool"
        else torch.zeros(4, 5, dtype=DT).masked_fill(~keep, -torch.inf)
    )
    out = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.equal(out[:, 2], torch.zeros(2, 6, dtype=DT))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    grads = _grads(out, [q, k, v])
    assert all(torch.isfinite(g).all() for g in grads)
    assert torch.equal(grads[0][:, 2], torch.zeros(2, 3, dtype=DT))


def test_sdpa_bad_input():
    q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 6)
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="not both"):
        scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(3, 5), is_causal=True)
    with pytest.raises(ValueError, match=r"key \(\.\.\., S, E\)"):
        scaled_dot_product_attention(q, torch.randn(2, 5, 3), v)
    with pytest.raises(TypeError, match="boolean or floating"):
        scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(3, 5, dtype=torch.int64))


def _twins(embed_dim, num_heads, bias, batch_first, seed):
    torch.manual_seed(seed)
    ref = nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=batch_first)
    ours = MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=batch_first)
    ref, ours = ref.to(DT), ours.to(DT)
    ours.load_state_dict(ref.state_dict())
    return ours, ref


def test_mha_parameter_layout_and_init():
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(8, 2)
    torch.manual_seed(0)
    ours = MultiheadAttention(8, 2)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for name, p in ref.state_dict().items():
        torch.testing.assert_close(ours.state_dict()[name], p)  # the same draws
    ours_nb = MultiheadAttention(8, 2, bias=False)
    ref_nb = nn.MultiheadAttention(8, 2, bias=False)
    assert set(ours_nb.state_dict()) == set(ref_nb.state_dict())


CONFIGS = list(itertools.product([1, 2, 4], [False, True], [True, False]))


@pytest.mark.parametrize(("num_heads", "batch_first", "bias"), CONFIGS)
@pytest.mark.parametrize(
    "masks", ["none", "padding", "bool", "float", "both", "3d", "causal"]
)
def test_mha_matches_torch(num_heads, batch_first, bias, masks):
    seed = num_heads * 7 + batch_first * 3 + bias
    gen = torch.Generator().manual_seed(seed)
    E, N, L, S = 8, 3, 4, 5
    if masks == "causal":
        S = L
    ours, ref = _twins(E, num_heads, bias, batch_first, seed)
    shape = (lambda n, t: (n, t, E)) if batch_first else (lambda n, t: (t, n, E))
    q, k, v = _leaves(shape(N, L), shape(N, S), shape(N, S), gen=gen)
    kwargs = {}
    if masks in ("padding", "both"):
        pad = torch.zeros(N, S, dtype=torch.bool)
        pad[0, -2:] = True
        pad[1, -1] = True
        kwargs["key_padding_mask"] = pad
    if masks in ("bool", "both"):
        kwargs["attn_mask"] = ~_random_mask("bool", (L, S), gen)  # True: ignore
    if masks == "float":
        kwargs["attn_mask"] = torch.randn(L, S, dtype=DT, generator=gen)
    if masks == "3d":
        kwargs["attn_mask"] = ~_random_mask("bool", (N * num_heads, L, S), gen)
    if masks == "causal":
        kwargs.update(attn_mask=~causal_mask(L), is_causal=True)
    for need, avg in [(True, True), (True, False), (False, True)]:
        o1, w1 = ours(q, k, v, need_weights=need, average_attn_weights=avg, **kwargs)
        o2, w2 = ref(q, k, v, need_weights=need, average_attn_weights=avg, **kwargs)
        torch.testing.assert_close(o1, o2)
        if need:
            torch.testing.assert_close(w1, w2)
        else:
            assert w1 is None and w2 is None
    params = [q, k, v, *ours.parameters()]
    params_ref = [q, k, v, *ref.parameters()]
    g1 = _grads(ours(q, k, v, **kwargs)[0], params)
    g2 = _grads(ref(q, k, v, **kwargs)[0], params_ref)
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b)


def test_mha_unbatched_and_self_attention_grads():
    ours, ref = _twins(6, 3, True, False, 5)
    x = torch.randn(4, 6, dtype=DT, requires_grad=True)
    o1, w1 = ours(x, x, x, key_padding_mask=torch.tensor([False, False, True, False]))
    o2, w2 = ref(x, x, x, key_padding_mask=torch.tensor([False, False, True, False]))
    torch.testing.assert_close(o1, o2)
    torch.testing.assert_close(w1, w2)
    torch.testing.assert_close(_grads(o1, [x])[0], _grads(o2, [x])[0])


def test_mha_fully_padded_sequence_attends_to_nothing():
    ours, ref = _twins(4, 2, True, True, 0)
    nn.init.normal_(ours.out_proj.bias)
    x = torch.randn(2, 3, 4, dtype=DT)
    pad = torch.zeros(2, 3, dtype=torch.bool)
    pad[0] = True  # the first sequence is all padding
    out, weights = ours(x, x, x, key_padding_mask=pad)
    torch.testing.assert_close(out[0], ours.out_proj.bias.expand(3, 4))
    assert torch.equal(weights[0], torch.zeros(3, 3, dtype=DT))
    assert torch.isnan(ref(x, x, x, key_padding_mask=pad)[1][0]).all()  # torch: NaN


def test_mha_dropout_in_training_only():
    torch.manual_seed(0)
    mha = MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = torch.randn(2, 5, 8)
    mha.eval()
    torch.testing.assert_close(mha(x, x, x)[0], mha(x, x, x)[0])
    mha.train()
    w = mha(x, x, x, average_attn_weights=False)[1]
    assert (w == 0).any()  # dropped weights


def test_mha_bad_input():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="kdim"):
        MultiheadAttention(8, 2, kdim=4)
    with pytest.raises(TypeError, match="embed_dim must be an int"):
        MultiheadAttention(8.0, 2)
    mha = MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(3, 4, 8)
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(N, S\)"):
        mha(x, x, x, key_padding_mask=torch.zeros(4, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"attn_mask must have shape \(L, S\)"):
        mha(x, x, x, attn_mask=torch.zeros(4, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="expected embed_dim 8"):
        mha(torch.randn(3, 4, 6), torch.randn(3, 4, 6), torch.randn(3, 4, 6))
    with pytest.raises(ValueError, match="unbatched"):
        mha(torch.randn(1, 3, 4, 8), torch.randn(1, 3, 4, 8), torch.randn(1, 3, 4, 8))


def test_attention_with_weights_rows_sum_to_one():
    q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 2)
    _, w = attention_with_weights(q, k, v)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3))
