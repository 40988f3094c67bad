"""Layer norm, positional encoding and transformer layers, equal to torch's (chapter 11).

``layer_norm`` and ``sinusoidal_positional_encoding`` are the taught cores, mirrored on
the chapter's page; :class:`LayerNorm`, :class:`TransformerEncoderLayer` and
:class:`TransformerDecoderLayer` carry torch's argument and parameter names, so that
``load_state_dict`` works across with their ``torch.nn`` twins.
"""

import numbers

import torch
import torch.nn.functional as F
from torch import nn

from ._args import check_int
from .attention import MultiheadAttention

__all__ = [
    "layer_norm",
    "LayerNorm",
    "sinusoidal_positional_encoding",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) dimensions, then scale and shift.

    Each sample's features get mean 0 and variance 1 (the biased variance, eps inside
    the root); weight and bias have shape ``normalized_shape``.
    """
    dims = tuple(range(-len(normalized_shape), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class LayerNorm(nn.Module):
    """Layer normalisation with a learned per-feature scale and shift.

    Args:
        normalized_shape: an int or a tuple, the trailing shape to normalise over.
        eps: added to the variance inside the square root.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros).
        bias: learn ``bias`` too (with ``elementwise_affine``).

    Input (..., *normalized_shape); output the same shape. Matches ``torch.nn.LayerNorm``.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        if not self.normalized_shape or min(self.normalized_shape) < 1:
            raise ValueError(f"normalized_shape must be positive, got {normalized_shape}")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        affine = elementwise_affine
        self.weight = nn.Parameter(torch.ones(self.normalized_shape)) if affine else None
        self.bias = (
            nn.Parameter(torch.zeros(self.normalized_shape)) if affine and bias else None
        )

    def forward(self, x):
        k = len(self.normalized_shape)
        if tuple(x.shape[x.dim() - k :]) != self.normalized_shape:
            trailing = ", ".join(map(str, self.normalized_shape))
            raise ValueError(
                f"LayerNorm expects input (..., {trailing}), got shape {tuple(x.shape)}"
            )
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


def sinusoidal_positional_encoding(length, d_model, dtype=torch.float32):
    """(length, d_model): PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(...).

    Vaswani et al. (2017), section 3.5: each pair of columns is a sine and a cosine of
    one frequency, from 1 down to 1/10000 radians per position.
    """
    position = torch.arange(length, dtype=torch.float64)[:, None]  # (length, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # 0, 2, 4, ...
    angle = position / 10000 ** (two_i / d_model)  # (length, ceil(d_model / 2))
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe.to(dtype)


def _activation(activation):
    if callable(activation):
        return activation
    choices = {"relu": F.relu, "gelu": F.gelu}
    if activation not in choices:
        raise ValueError(
            f"activation must be 'relu', 'gelu' or a callable, got {activation!r}"
        )
    return choices[activation]


def _check_sizes(d_model, nhead, dim_feedforward, dropout):
    check_int(d_model, "d_model", 1)
    check_int(nhead, "nhead", 1)
    check_int(dim_feedforward, "dim_feedforward", 1)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


class _FeedForward(nn.Module):
    """The position-wise MLP of both layers: linear1, activation, dropout, linear2."""

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self._dropout_ff(x)  # dropout2 (encoder) or dropout3 (decoder)

    def _init_ff(self, d_model, dim_feedforward, dropout, activation, bias):
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias)
        self.activation = _activation(activation)


class TransformerEncoderLayer(_FeedForward):
    """Self-attention and an MLP, each in a residual branch with layer norm.

    Post-norm (``norm_first=False``, as in Vaswani et al. 2017): x = norm(x + f(x)).
    Pre-norm (``norm_first=True``): x = x + f(norm(x)).

    src (S, N, E), or (N, S, E) with ``batch_first``, or unbatched (S, E); the output has
    the same shape. ``src_mask`` (S, S) or (N * nhead, S, S) and ``src_key_padding_mask``
    (N, S) follow :class:`MultiheadAttention` (True means "ignore").

    Matches ``torch.nn.TransformerEncoderLayer`` (same arguments and parameter names).
    """

    def __init__(
        self,
        d_model,
        nhead,
        dim_feedforward=2048,
        dropout=0.1,
        activation="relu",
        layer_norm_eps=1e-5,
        batch_first=False,
        norm_first=False,
        bias=True,
    ):
        super().__init__()
        _check_sizes(d_model, nhead, dim_feedforward, dropout)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first
        )
        self._init_ff(d_model, dim_feedforward, dropout, activation, bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def _dropout_ff(self, x):
        return self.dropout2(x)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )[0]  # fmt: skip
        return self.dropout1(x)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """One encoder layer: self-attention then the MLP."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x


class TransformerDecoderLayer(_FeedForward):
    """Causal self-attention, cross-attention to the encoder's memory, and an MLP.

    tgt (T, N, E) and memory (S, N, E), or batch first; masks as in
    :class:`TransformerEncoderLayer` (``tgt_mask`` (T, T), ``memory_mask`` (T, S), key
    padding masks (N, T) and (N, S)). Returns (T, N, E), or batch first.

    Matches ``torch.nn.TransformerDecoderLayer`` (same arguments and parameter names).
    Differs from it: after each forward, ``cross_attention_weights`` holds the
    cross-attention weights (N, nhead, T, S), detached, for drawing attention maps.
    """

    def __init__(
        self,
        d_model,
        nhead,
        dim_feedforward=2048,
        dropout=0.1,
        activation="relu",
        layer_norm_eps=1e-5,
        batch_first=False,
        norm_first=False,
        bias=True,
    ):
        super().__init__()
        _check_sizes(d_model, nhead, dim_feedforward, dropout)
        kwargs = dict(dropout=dropout, bias=bias, batch_first=batch_first)
        self.self_attn = MultiheadAttention(d_model, nhead, **kwargs)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **kwargs)
        self._init_ff(d_model, dim_feedforward, dropout, activation, bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.cross_attention_weights = None

    def _dropout_ff(self, x):
        return self.dropout3(x)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )[0]  # fmt: skip
        return self.dropout1(x)

    def _mha_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        x, weights = self.multihead_attn(
            x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            is_causal=is_causal, need_weights=True, average_attn_weights=False,
        )  # fmt: skip
        self.cross_attention_weights = weights.detach()
        return self.dropout2(x)

    def forward(
        self,
        tgt,
        memory,
        tgt_mask=None,
        memory_mask=None,
        tgt_key_padding_mask=None,
        memory_key_padding_mask=None,
        tgt_is_causal=False,
        memory_is_causal=False,
    ):
        """One decoder layer: self-attention, cross-attention, then the MLP."""
        x = tgt
        sa = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        mha = (memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), *sa)
            x = x + self._mha_block(self.norm2(x), *mha)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, *sa))
            x = self.norm2(x + self._mha_block(x, *mha))
            x = self.norm3(x + self._ff_block(x))
        return x
