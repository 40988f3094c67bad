"""The taught cores of attention (chapter 11): what the chapter's cells mirror.

They take tensors of the right shapes and no options; the checked wrappers in
:mod:`dlbook_utils.layers.attention` handle masks given as booleans, fully masked rows,
heads and argument errors.
"""

import math

import torch

__all__ = ["attention", "split_heads", "merge_heads"]


def attention(query, key, value, mask=None):
    """softmax(Q K^T / sqrt(d_k) + mask) V over the last two dimensions.

    query: (..., L, d_k); key: (..., S, d_k); value: (..., S, d_v); mask: additive,
    broadcastable to (..., L, S), 0 where a key takes part and -inf where it does not.
    Returns the output (..., L, d_v) and the attention weights (..., L, S).
    """
    d_k = query.shape[-1]
    scores = query @ key.transpose(-2, -1) / math.sqrt(d_k)  # (..., L, S)
    if mask is not None:
        scores = scores + mask
    weights = torch.softmax(scores, dim=-1)  # each row sums to 1
    return weights @ value, weights


def split_heads(x, num_heads):
    """(N, L, E) -> (N, num_heads, L, E / num_heads): each head gets a slice of E."""
    n, length, embed = x.shape
    return x.reshape(n, length, num_heads, embed // num_heads).transpose(1, 2)


def merge_heads(x):
    """(N, num_heads, L, head_dim) -> (N, L, num_heads * head_dim), heads side by side."""
    n, heads, length, head_dim = x.shape
    return x.transpose(1, 2).reshape(n, length, heads * head_dim)
