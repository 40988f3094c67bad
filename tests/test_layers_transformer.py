"""Layer norm and transformer layers against torch, and the properties with no twin."""

import itertools
import math

import pytest
import torch
from torch import nn

from dlbook_utils.layers import (
    LayerNorm,
    TransformerDecoderLayer,
    TransformerEncoderLayer,
    causal_mask,
    layer_norm,
    sinusoidal_positional_encoding,
)
from dlbook_utils.models import TinyGPT, generate

DT = torch.float64


def _grads(out, inputs, seed=0):
    g = torch.randn(out.shape, dtype=DT, generator=torch.Generator().manual_seed(seed))
    return torch.autograd.grad(out, inputs, g)


@pytest.mark.parametrize(
    ("shape", "affine", "bias"),
    [((6,), True, True), ((3, 4), True, True), ((5,), False, True), ((5,), True, False)],
)
def test_layer_norm_matches_torch(shape, affine, bias):
    torch.manual_seed(0)
    ref = nn.LayerNorm(shape, eps=1e-3, elementwise_affine=affine, bias=bias).to(DT)
    ours = LayerNorm(shape, eps=1e-3, elementwise_affine=affine, bias=bias).to(DT)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for p in ref.parameters():
        nn.init.normal_(p)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(2, 3, *shape, dtype=DT, requires_grad=True)
    torch.testing.assert_close(ours(x), ref(x))
    for a, b in zip(
        _grads(ours(x), [x, *ours.parameters()]),
        _grads(ref(x), [x, *ref.parameters()]),
        strict=True,
    ):
        torch.testing.assert_close(a, b)


def test_layer_norm_function_and_bad_input():
    x = torch.randn(4, 7, dtype=DT)
    y = layer_norm(x, (7,))
    torch.testing.assert_close(y.mean(-1), torch.zeros(4, dtype=DT))
    with pytest.raises(ValueError, match=r"expects input \(\.\.\., 7\)"):
        LayerNorm(7)(torch.randn(3, 6))
    with pytest.raises(ValueError, match="positive"):
        LayerNorm(0)


def test_sinusoidal_positional_encoding():
    pe = sinusoidal_positional_encoding(50, 128)
    assert pe.shape == (50, 128) and pe.dtype == torch.float32
    t, i = 7, 5  # one entry of each kind, from the formula
    assert math.isclose(pe[t, 2 * i], math.sin(t / 10000 ** (2 * i / 128)), rel_tol=1e-6)
    assert math.isclose(
        pe[t, 2 * i + 1], math.cos(t / 10000 ** (2 * i / 128)), rel_tol=1e-6
    )
    assert torch.equal(pe[0, 0::2], torch.zeros(64)) and torch.equal(
        pe[0, 1::2], torch.ones(64)
    )
    assert sinusoidal_positional_encoding(4, 5).shape == (4, 5)  # odd width


def _copy(ours, ref):
    ours.load_state_dict(ref.state_dict())
    assert list(ours.state_dict()) == list(ref.state_dict())
    return ours.to(DT), ref.to(DT)


ENC = list(itertools.product([False, True], [False, True], ["relu", "gelu"], [1, 2]))


@pytest.mark.parametrize(("norm_first", "batch_first", "activation", "nhead"), ENC)
@pytest.mark.parametrize("masks", ["none", "causal", "padding"])
def test_encoder_layer_matches_torch(norm_first, batch_first, activation, nhead, masks):
    torch.manual_seed(nhead + 2 * norm_first)
    kw = dict(dim_feedforward=12, dropout=0.0, activation=activation,
              batch_first=batch_first, norm_first=norm_first)  # fmt: skip
    ref = nn.TransformerEncoderLayer(8, nhead, **kw)
    ours, ref = _copy(TransformerEncoderLayer(8, nhead, **kw), ref)
    N, S = 3, 5
    x = torch.randn((N, S, 8) if batch_first else (S, N, 8), dtype=DT, requires_grad=True)
    kwargs = {}
    if masks == "causal":
        kwargs = dict(src_mask=nn.Transformer.generate_square_subsequent_mask(S, dtype=DT),
                      is_causal=True)  # fmt: skip
    if masks == "padding":
        pad = torch.zeros(N, S, dtype=torch.bool)
        pad[0, -2:] = True
        kwargs = dict(src_key_padding_mask=pad)
    out, out_ref = ours(x, **kwargs), ref(x, **kwargs)
    torch.testing.assert_close(out, out_ref)
    g1 = _grads(out, [x, *ours.parameters()])
    g2 = _grads(out_ref, [x, *ref.parameters()])
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b)
    ours.eval(), ref.eval()
    with torch.no_grad():  # torch may take its fused fast path here
        y1, y2 = ours(x, **kwargs), ref(x, **kwargs)
    if masks == "padding" and batch_first:  # the fast path may skip padded positions
        y1, y2 = y1[~pad], y2[~pad]
    torch.testing.assert_close(y1, y2)


@pytest.mark.parametrize(("norm_first", "batch_first"), [(False, False), (True, True)])
def test_decoder_layer_matches_torch(norm_first, batch_first):
    torch.manual_seed(3)
    kw = dict(
        dim_feedforward=16, dropout=0.0, batch_first=batch_first, norm_first=norm_first
    )
    ref = nn.TransformerDecoderLayer(8, 2, **kw)
    ours, ref = _copy(TransformerDecoderLayer(8, 2, **kw), ref)
    N, T, S = 2, 4, 6
    shape = (lambda t: (N, t, 8)) if batch_first else (lambda t: (t, N, 8))
    tgt = torch.randn(shape(T), dtype=DT, requires_grad=True)
    mem = torch.randn(shape(S), dtype=DT, requires_grad=True)
    mem_pad = torch.zeros(N, S, dtype=torch.bool)
    mem_pad[1, -3:] = True
    kwargs = dict(
        tgt_mask=nn.Transformer.generate_square_subsequent_mask(T, dtype=DT),
        tgt_is_causal=True,
        memory_key_padding_mask=mem_pad,
    )
    out, out_ref = ours(tgt, mem, **kwargs), ref(tgt, mem, **kwargs)
    torch.testing.assert_close(out, out_ref)
    g1 = _grads(out, [tgt, mem, *ours.parameters()])
    g2 = _grads(out_ref, [tgt, mem, *ref.parameters()])
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b)
    w = ours.cross_attention_weights
    assert w.shape == (N, 2, T, S)
    assert torch.equal(w[1, :, :, -3:], torch.zeros(2, T, 3, dtype=DT))  # padding unseen


def test_transformer_layers_bad_input():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        TransformerEncoderLayer(10, 3)
    with pytest.raises(ValueError, match="activation"):
        TransformerEncoderLayer(8, 2, activation="swish")
    with pytest.raises(ValueError, match="dropout"):
        TransformerDecoderLayer(8, 2, dropout=1.5)
    layer = TransformerEncoderLayer(8, 2, batch_first=True)
    with pytest.raises(ValueError, match=r"src|attn_mask must have shape"):
        layer(torch.randn(2, 5, 8), src_mask=torch.zeros(4, 4, dtype=torch.bool))


def _causal_encoder(dropout):
    torch.manual_seed(0)
    return TransformerEncoderLayer(8, 2, 16, dropout=dropout, batch_first=True).to(DT)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_causality_encoder_layer_and_gpt(mode):
    """Changing token t + 1 leaves every output at positions <= t unchanged."""
    layer = _causal_encoder(dropout=0.2)
    torch.manual_seed(1)
    gpt = TinyGPT(11, max_len=12, d_model=16, nhead=2, dropout=0.2).to(DT)
    for m in (layer, gpt):
        m.train(mode == "train")
    T = 9
    x = torch.randn(2, T, 8, dtype=DT)
    idx = torch.randint(0, 11, (2, T))
    mask = ~causal_mask(T)
    for t in range(T - 1):
        x2, idx2 = x.clone(), idx.clone()
        x2[:, t + 1 :] = torch.randn(2, T - t - 1, 8, dtype=DT)
        idx2[:, t + 1] = (idx[:, t + 1] + 1) % 11
        outs = []
        for xi, ii in ((x, idx), (x2, idx2)):
            torch.manual_seed(5)  # the same dropout draws for both inputs
            y = layer(xi, src_mask=mask, is_causal=True)
            torch.manual_seed(6)
            logits = gpt(ii)[0]
            outs.append((y, logits))
        (y1, l1), (y2, l2) = outs
        torch.testing.assert_close(y1[:, : t + 1], y2[:, : t + 1], rtol=0, atol=1e-12)
        torch.testing.assert_close(l1[:, : t + 1], l2[:, : t + 1], rtol=0, atol=1e-12)
        assert not torch.allclose(l1[:, t + 1], l2[:, t + 1])  # the changed position moves


@pytest.mark.parametrize("norm_first", [False, True])
def test_padding_invariance_encoder_layer(norm_first):
    """One sequence padded to two lengths: the same outputs at its real positions."""
    torch.manual_seed(0)
    layer = TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first
    ).to(DT)
    seq = torch.randn(1, 5, 8, dtype=DT)
    outs = []
    for total in (7, 11):
        x = torch.cat([seq, 100 * torch.randn(1, total - 5, 8, dtype=DT)], dim=1)
        pad = torch.arange(total)[None] >= 5
        outs.append(layer(x, src_key_padding_mask=pad)[:, :5])
    torch.testing.assert_close(outs[0], outs[1], rtol=0, atol=1e-12)
    torch.testing.assert_close(outs[0], layer(seq), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kv_cache_decoding_equals_full_recomputation(seed):
    torch.manual_seed(seed)
    gpt = TinyGPT(13, max_len=40, d_model=32, nhead=4, num_layers=3).to(DT).eval()
    prompt = torch.randint(0, 13, (3, 5))
    cached = generate(gpt, prompt, 30, use_cache=True)
    full = generate(gpt, prompt, 30, use_cache=False)
    assert torch.equal(cached, full)
    assert torch.equal(cached[:, :5], prompt)
    # and the cached logits equal the full forward pass's, position by position
    logits_full = gpt(cached)[0]
    logits, caches = gpt(cached[:, :5])
    steps = [logits]
    for t in range(5, cached.shape[1]):
        logits, caches = gpt(cached[:, t : t + 1], caches)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, dim=1), logits_full)


def test_gpt_sampling_and_bad_input():
    torch.manual_seed(0)
    gpt = TinyGPT(7, max_len=10, d_model=8, nhead=2).eval()
    gens = [torch.Generator().manual_seed(4) for _ in range(2)]
    a = generate(
        gpt, torch.zeros(2, 1, dtype=torch.long), 6, temperature=1.0, generator=gens[0]
    )
    b = generate(gpt, torch.zeros(2, 1, dtype=torch.long), 6, use_cache=False,
                 temperature=1.0, generator=gens[1])  # fmt: skip
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="exceed max_len"):
        generate(gpt, torch.zeros(1, 4, dtype=torch.long), 7)
    with pytest.raises(ValueError, match="exceed max_len"):
        gpt(torch.zeros(1, 11, dtype=torch.long))
    with pytest.raises(ValueError, match="divisible by nhead"):
        TinyGPT(7, 10, d_model=10, nhead=3)
