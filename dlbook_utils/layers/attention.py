"""Scaled dot-product and multi-head attention, equal to their torch twins (chapter 11).

The cores (``attention``, ``split_heads``, ``merge_heads``) live in
:mod:`dlbook_utils.layers._attention_core`, mirrored on the chapter's page; this module
adds what a real layer needs: boolean masks, the causal mask, fully masked rows, heads,
projections and argument checks.

Mask conventions differ between the two torch functions, and this module follows each:
``F.scaled_dot_product_attention`` takes a boolean ``attn_mask`` where True means "this
key takes part"; ``nn.MultiheadAttention`` takes boolean masks where True means "ignore
this key". Float masks are added to the scores in both (0 to keep, -inf to drop).
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._args import check_int
from ._attention_core import attention, merge_heads, split_heads

__all__ = [
    "scaled_dot_product_attention",
    "attention_with_weights",
    "causal_mask",
    "MultiheadAttention",
]


def causal_mask(length, key_length=None, device=None):
    """Boolean (L, S) mask, True where query i may see key j (j <= i): a lower triangle.

    The convention of ``F.scaled_dot_product_attention`` (True takes part); for
    ``nn.MultiheadAttention``, whose True means "ignore", pass ``~causal_mask(L)``.
    """
    key_length = length if key_length is None else key_length
    ones = torch.ones(length, key_length, dtype=torch.bool, device=device)
    return ones.tril()


def _additive(mask, dtype, true_means_keep):
    """A boolean or float mask as a float mask to add to the scores (0 or -inf)."""
    if mask.dtype == torch.bool:
        keep = mask if true_means_keep else ~mask
        zeros = torch.zeros(mask.shape, dtype=dtype, device=mask.device)
        return zeros.masked_fill(~keep, float("-inf"))
    if not mask.is_floating_point():
        raise TypeError(f"a mask must be boolean or floating point, got {mask.dtype}")
    return mask.to(dtype)


def attention_with_weights(query, key, value, mask=None):
    """:func:`attention` with a fully masked row giving zeros instead of NaN.

    ``mask`` is additive (float, -inf where a key is dropped), broadcastable to
    (..., L, S). A query row whose keys are all masked has no softmax (0 / 0): its
    weights are set to 0 and its output to 0, and its gradients are 0, not NaN.
    Returns ``(output, weights)`` of shapes (..., L, d_v) and (..., L, S).
    """
    if mask is None:
        return attention(query, key, value)
    dead = torch.isneginf(mask).all(dim=-1, keepdim=True)  # (..., L, 1)
    if not dead.any():
        return attention(query, key, value, mask)
    # Scores of a dead row are set finite so that softmax and its gradient stay finite.
    output, weights = attention(query, key, value, mask.masked_fill(dead, 0.0))
    return output.masked_fill(dead, 0.0), weights.masked_fill(dead, 0.0)


def _check_qkv(query, key, value, op):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{op}: {name} must be a torch.Tensor, got {type(t).__name__}")
    if query.dim() < 2 or key.dim() != query.dim() or value.dim() != query.dim():
        raise ValueError(
            f"{op}: query, key and value must have the same number (>= 2) of dimensions "
            f"(..., L, E), got shapes {tuple(query.shape)}, {tuple(key.shape)}, "
            f"{tuple(value.shape)}"
        )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{op}: expected query (..., L, E), key (..., S, E), value (..., S, Ev), got "
            f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
        )


def _check_mask_shape(mask, shape, name):
    try:
        torch.broadcast_shapes(mask.shape, shape)
    except RuntimeError:
        raise ValueError(
            f"{name} of shape {tuple(mask.shape)} does not broadcast to the scores' shape "
            f"{tuple(shape)} (..., L, S)"
        ) from None


def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False):
    """softmax(Q K^T / sqrt(E) + mask) V, with boolean, float or causal masks.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev).
        attn_mask: boolean, True where a key takes part, or float, added to the scores;
            broadcastable to (..., L, S).
        is_causal: mask key j > query i (the upper triangle); no ``attn_mask`` then.

    Returns:
        (..., L, Ev).

    Matches ``torch.nn.functional.scaled_dot_product_attention`` (without dropout,
    ``scale`` or ``enable_gqa``). A query whose keys are all masked gets an output of
    zeros, with zero gradients: torch 2.13 returns zeros there too (older versions
    returned NaN), and :class:`MultiheadAttention` follows the same rule.
    """
    op = "scaled_dot_product_attention"
    _check_qkv(query, key, value, op)
    scores_shape = (*query.shape[:-1], key.shape[-2])
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{op}: pass attn_mask or is_causal=True, not both")
        attn_mask = causal_mask(query.shape[-2], key.shape[-2], device=query.device)
    mask = None
    if attn_mask is not None:
        _check_mask_shape(attn_mask, scores_shape, "attn_mask")
        mask = _additive(attn_mask, query.dtype, true_means_keep=True)
    return attention_with_weights(query, key, value, mask)[0]


class MultiheadAttention(nn.Module):
    """Multi-head attention: project, split into heads, attend, merge, project.

    Args:
        embed_dim: E, the size of queries, keys and values.
        num_heads: H; E must be divisible by H (each head has E / H dimensions).
        dropout: dropout on the attention weights, in training mode.
        bias: biases in the input and output projections.
        kdim, vdim: only ``None`` or ``embed_dim`` (separate key and value sizes are
            not supported: a ValueError says so).
        batch_first: inputs (N, L, E) if True, else (L, N, E).

    Parameters ``in_proj_weight`` (3E, E) (the query, key and value projections
    stacked), ``in_proj_bias`` (3E,), ``out_proj`` (an E -> E ``nn.Linear``): the
    layout of ``nn.MultiheadAttention``, so that ``load_state_dict`` works across.

    Matches ``torch.nn.MultiheadAttention`` (same forward arguments and returns, same
    initialisation). Differs from it: ``add_bias_kv`` and ``add_zero_attn`` do not
    exist; ``is_causal=True`` without ``attn_mask`` builds the causal mask (torch raises);
    a query whose keys are all masked attends to nothing (its weights are 0 and its
    output is ``out_proj.bias``), where torch returns NaN when ``need_weights=True``.
    """

    def __init__(
        self,
        embed_dim,
        num_heads,
        dropout=0.0,
        bias=True,
        kdim=None,
        vdim=None,
        batch_first=False,
    ):
        super().__init__()
        check_int(embed_dim, "embed_dim", 1)
        check_int(num_heads, "num_heads", 1)
        if embed_dim % num_heads:
            raise ValueError(
                f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        for name, dim in (("kdim", kdim), ("vdim", vdim)):
            if dim not in (None, embed_dim):
                raise ValueError(
                    f"{name}={dim} differs from embed_dim={embed_dim}: separate key and "
                    "value sizes are not supported; use torch.nn.MultiheadAttention"
                )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.empty(3 * embed_dim)) if bias else None
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self._reset_parameters()

    def _reset_parameters(self):
        # torch's initialisation: Xavier for the stacked projections, zero biases.
        nn.init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            nn.init.zeros_(self.in_proj_bias)
            nn.init.zeros_(self.out_proj.bias)

    def _mask(self, attn_mask, key_padding_mask, is_causal, n, length, src_len, dtype):
        """The additive mask (N or 1, H or 1, L, S), or None."""
        if is_causal and attn_mask is None:
            attn_mask = ~causal_mask(length, src_len, device=self.in_proj_weight.device)
        mask = None
        if attn_mask is not None:
            shapes = [(length, src_len), (n * self.num_heads, length, src_len)]
            if tuple(attn_mask.shape) not in shapes:
                raise ValueError(
                    f"attn_mask must have shape (L, S) = {shapes[0]} or "
                    f"(N * num_heads, L, S) = {shapes[1]}, got {tuple(attn_mask.shape)}"
                )
            mask = _additive(attn_mask, dtype, true_means_keep=False)
            mask = (
                mask.reshape(-1, self.num_heads, length, src_len)
                if mask.dim() == 3
                else mask
            )
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (n, src_len):
                raise ValueError(
                    f"key_padding_mask must have shape (N, S) = {(n, src_len)}, "
                    f"got {tuple(key_padding_mask.shape)}"
                )
            pad = _additive(key_padding_mask, dtype, true_means_keep=False)
            pad = pad[:, None, None, :]  # (N, 1, 1, S): the same for every head and query
            mask = pad if mask is None else mask + pad
        return mask

    def forward(
        self,
        query,
        key,
        value,
        key_padding_mask=None,
        need_weights=True,
        attn_mask=None,
        average_attn_weights=True,
        is_causal=False,
    ):
        """Attend from ``query`` to ``key``/``value``; returns ``(output, weights)``.

        query (L, N, E), key and value (S, N, E), or (N, L, E) with ``batch_first``, or
        unbatched (L, E). ``key_padding_mask`` (N, S), True (or -inf) at padding;
        ``attn_mask`` (L, S) or (N * H, L, S), True (or -inf) where query i must not
        see key j. Returns the output, shaped like ``query``, and the weights (N, L, S)
        averaged over heads, or (N, H, L, S) with ``average_attn_weights=False``, or
        None with ``need_weights=False``.
        """
        _check_qkv(query, key, value, "MultiheadAttention")
        if query.dim() not in (2, 3):
            raise ValueError(
                "MultiheadAttention expects (L, N, E), (N, L, E) with batch_first, or "
                f"unbatched (L, E); got a query of shape {tuple(query.shape)}"
            )
        batched = query.dim() == 3
        if not batched:  # one sequence: add a batch of 1, remove it at the end
            query, key, value = query[None], key[None], value[None]
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask[None]
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, length, embed = query.shape
        if embed != self.embed_dim or key.shape[0] != n or value.shape[0] != n:
            raise ValueError(
                f"expected embed_dim {self.embed_dim} and one batch size, got query "
                f"{tuple(query.shape)}, key {tuple(key.shape)}, value {tuple(value.shape)}"
            )
        mask = self._mask(
            attn_mask, key_padding_mask, is_causal, n, length, key.shape[1], query.dtype
        )
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (
            (None,) * 3 if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        )
        q = split_heads(F.linear(query, w_q, b_q), self.num_heads)  # (N, H, L, E/H)
        k = split_heads(F.linear(key, w_k, b_k), self.num_heads)  # (N, H, S, E/H)
        v = split_heads(F.linear(value, w_v, b_v), self.num_heads)
        heads, weights = attention_with_weights(q, k, v, mask)  # (N, H, L, E/H)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout)
            heads = weights @ v
        output = self.out_proj(merge_heads(heads))  # (N, L, E)
        if not batched:
            output, weights = output[0], weights[0]
        elif not self.batch_first:
            output = output.transpose(0, 1)
        if not need_weights:
            return output, None
        return output, weights.mean(dim=-3) if average_attn_weights else weights
