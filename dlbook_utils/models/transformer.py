"""A small GPT-style language model with a key/value cache (chapter 11).

Files in reading order, as nanoGPT: :class:`CausalSelfAttention` (which keeps the keys
and values of earlier positions, so that generating one more token costs one position's
work), :class:`GPTBlock` (pre-norm), :class:`TinyGPT` and :func:`generate`. The
attention core and the layer norm come from :mod:`dlbook_utils.layers`.
"""

import torch
import torch.nn.functional as F
from torch import nn

from dlbook_utils.layers import LayerNorm
from dlbook_utils.layers._args import check_int
from dlbook_utils.layers._attention_core import attention, merge_heads, split_heads

__all__ = ["CausalSelfAttention", "GPTBlock", "TinyGPT", "generate"]


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t sees positions <= t, with a cache.

    forward(x, cache): x (N, T, E) holds the new positions; cache is ``(keys, values)``
    of the earlier positions, each (N, h, T0, E / h) for h heads, or None. Returns the output
    (N, T, E) and the cache extended to T0 + T positions.
    """

    def __init__(self, d_model, nhead):
        super().__init__()
        self.nhead = nhead
        self.qkv = nn.Linear(d_model, 3 * d_model)  # query, key, value stacked
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, cache=None):
        q, k, v = self.qkv(x).chunk(3, dim=-1)  # each (N, T, E)
        q, k, v = (split_heads(t, self.nhead) for t in (q, k, v))  # (N,h,T,d)
        if cache is not None:  # prepend the earlier keys and values
            k = torch.cat([cache[0], k], dim=2)  # (N, h, T0 + T, d)
            v = torch.cat([cache[1], v], dim=2)
        t_new, t_all = q.shape[2], k.shape[2]
        # New query i is position t_all - t_new + i: it sees keys up to it.
        keep = torch.ones(t_new, t_all, dtype=torch.bool, device=x.device)
        keep = keep.tril(diagonal=t_all - t_new)
        mask = torch.zeros(t_new, t_all, dtype=x.dtype, device=x.device)
        mask = mask.masked_fill(~keep, float("-inf"))
        y, _ = attention(q, k, v, mask)  # (N, h, T, d), d = E / h
        return self.proj(merge_heads(y)), (k, v)


class GPTBlock(nn.Module):
    """Pre-norm transformer block: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0):
        super().__init__()
        self.norm1 = LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, nhead)
        self.norm2 = LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, dim_feedforward),
            nn.GELU(),
            nn.Linear(dim_feedforward, d_model),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, cache=None):
        a, cache = self.attn(self.norm1(x), cache)
        x = x + self.dropout(a)
        x = x + self.dropout(self.mlp(self.norm2(x)))
        return x, cache


class TinyGPT(nn.Module):
    """A decoder-only language model: token and learned position embeddings, blocks.

    Args:
        vocab_size: number of token ids.
        max_len: the longest context (positions 0 .. max_len - 1).
        d_model, nhead, num_layers, dim_feedforward: sizes; d_model divisible by nhead.
        dropout: after the embeddings and in each block's residual branches.

    forward(idx, caches=None): idx (N, T) token ids; caches one (keys, values) per block
    from an earlier call, whose positions come first. Returns logits (N, T, vocab_size)
    and the new caches.
    """

    def __init__(
        self,
        vocab_size,
        max_len,
        d_model=64,
        nhead=4,
        num_layers=2,
        dim_feedforward=256,
        dropout=0.0,
    ):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("max_len", max_len)):
            check_int(value, name, 1)
        check_int(nhead, "nhead", 1)
        if d_model % nhead:
            raise ValueError(f"d_model ({d_model}) must be divisible by nhead ({nhead})")
        self.max_len = max_len
        self.tok_emb = nn.Embedding(vocab_size, d_model)
        self.pos_emb = nn.Embedding(max_len, d_model)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            GPTBlock(d_model, nhead, dim_feedforward, dropout) for _ in range(num_layers)
        )
        self.norm = LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, idx, caches=None):
        start = 0 if caches is None else caches[0][0].shape[2]  # positions already seen
        if start + idx.shape[1] > self.max_len:
            raise ValueError(
                f"{start} cached + {idx.shape[1]} new positions exceed max_len "
                f"{self.max_len}"
            )
        pos = torch.arange(start, start + idx.shape[1], device=idx.device)
        x = self.dropout(self.tok_emb(idx) + self.pos_emb(pos))  # (N, T, E)
        new_caches = []
        for i, block in enumerate(self.blocks):
            x, cache = block(x, None if caches is None else caches[i])
            new_caches.append(cache)
        return self.head(self.norm(x)), new_caches


@torch.no_grad()
def generate(model, idx, max_new_tokens, use_cache=True, temperature=0.0, generator=None):
    """Extend idx (N, T) by ``max_new_tokens`` tokens; returns (N, T + max_new_tokens).

    ``temperature=0`` picks the most likely token (greedy decoding); otherwise tokens
    are sampled from softmax(logits / temperature) with ``generator``. With
    ``use_cache`` the prompt is run once and each new token costs one position (its
    query against the cached keys and values); without, the whole sequence is run again
    for every token. Both give the same tokens (up to floating-point ties).
    """
    if idx.shape[1] + max_new_tokens > model.max_len:
        raise ValueError(
            f"{idx.shape[1]} + {max_new_tokens} tokens exceed max_len {model.max_len}"
        )
    caches, step_input = None, idx
    for _ in range(max_new_tokens):
        if use_cache:
            logits, caches = model(step_input, caches)
        else:
            logits, _ = model(idx)
        logits = logits[:, -1]  # (N, vocab): the next token's scores
        if temperature == 0:
            token = logits.argmax(dim=-1, keepdim=True)
        else:
            probs = F.softmax(logits / temperature, dim=-1)
            token = torch.multinomial(probs, 1, generator=generator)
        idx = torch.cat([idx, token], dim=1)
        step_input = token
    return idx
