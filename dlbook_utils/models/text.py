"""Review classifiers: a GRU, a transformer and a small BERT-style encoder (chapter 19).

Every model is called as ``model(ids, lengths)``: ids (N, L) int64 padded on the right
with 0, lengths (N,) the real tokens per row (at least 1). Padding never changes the
output (the GRU reads a packed sequence; the transformers mask the padded keys and
average only the real positions), which the tests check. :func:`mask_tokens` is BERT's
masking for the masked-language-model pretraining of :class:`SmallBERT`.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from dlbook_utils.layers import (
    LayerNorm,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)
from dlbook_utils.layers._args import check_int

__all__ = [
    "padding_mask",
    "masked_mean",
    "GRUClassifier",
    "TransformerClassifier",
    "SmallBERT",
    "mask_tokens",
]


def _check_batch(ids, lengths, max_len=None):
    if ids.dim() != 2 or ids.dtype != torch.int64:
        raise ValueError(f"ids must be (N, L) int64, got {tuple(ids.shape)} {ids.dtype}")
    if lengths.shape != ids.shape[:1]:
        raise ValueError(f"lengths must be ({ids.shape[0]},), got {tuple(lengths.shape)}")
    if int(lengths.min()) < 1 or int(lengths.max()) > ids.shape[1]:
        raise ValueError(f"lengths must be in [1, {ids.shape[1]}], every row a token")
    if max_len is not None and ids.shape[1] > max_len:
        raise ValueError(f"sequences of {ids.shape[1]} tokens: at most {max_len}")


def padding_mask(lengths, length):
    """(N, length) bool, True at padded positions (t >= lengths[n]): "ignore"."""
    positions = torch.arange(length, device=lengths.device)
    return positions[None, :] >= lengths[:, None]


def masked_mean(x, pad):
    """Mean of x (N, L, E) over the positions where pad (N, L) is False -> (N, E)."""
    keep = (~pad).unsqueeze(-1).to(x.dtype)  # (N, L, 1)
    return (x * keep).sum(1) / keep.sum(1)


def _encoder_stack(d_model, nhead, dim_feedforward, dropout, num_layers):
    """``num_layers`` pre-norm GELU encoder layers (batch first), as both models use."""
    return nn.ModuleList(
        TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )  # fmt: skip
        for _ in range(num_layers)
    )


class GRUClassifier(nn.Module):
    """Embedding -> (bidirectional) GRU over the packed reviews -> linear layer.

    The final states of the last layer (both directions) are concatenated, so a review
    is read up to its own last word. ``rnn``: the GRU class, ``nn.GRU`` (fast) or
    ``dlbook_utils.layers.GRU`` (the same computation). Returns logits (N, classes).
    """

    def __init__(self, vocab_size, embed_dim=64, hidden_size=64, num_classes=2,
                 num_layers=1, bidirectional=True, dropout=0.0, rnn=nn.GRU):  # fmt: skip
        super().__init__()
        check_int(vocab_size, "vocab_size", 2)
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.rnn = rnn(embed_dim, hidden_size, num_layers=num_layers,
                       batch_first=True, bidirectional=bidirectional)  # fmt: skip
        self.dirs = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(self.dirs * hidden_size, num_classes)

    def forward(self, ids, lengths):
        _check_batch(ids, lengths)
        packed = pack_padded_sequence(self.embed(ids), lengths.cpu(),
                                      batch_first=True, enforce_sorted=False)  # fmt: skip
        _, h_n = self.rnn(packed)  # (layers * dirs, N, H)
        last = torch.cat(list(h_n[-self.dirs :]), dim=1)  # last layer's directions
        return self.out(self.dropout(last))


class TransformerClassifier(nn.Module):
    """Embedding + sinusoidal positions -> encoder layers with a padding mask -> pool.

    ``pooling="mean"`` averages the real positions; ``"cls"`` prepends a learned
    [CLS] vector and classifies its output (BERT's choice). Encoder layers are
    chapter 11's ``TransformerEncoderLayer`` (pre-norm, GELU). Returns (N, classes).
    """

    def __init__(self, vocab_size, max_len, d_model=64, nhead=4, num_layers=2,
                 dim_feedforward=128, dropout=0.1, num_classes=2, pooling="mean"):  # fmt: skip
        super().__init__()
        check_int(vocab_size, "vocab_size", 2)
        check_int(max_len, "max_len", 1)
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', got {pooling!r}")
        self.pooling, self.max_len, self.d_model = pooling, max_len, d_model
        self.embed = nn.Embedding(vocab_size, d_model, padding_idx=0)
        pe = sinusoidal_positional_encoding(max_len + 1, d_model)
        self.register_buffer("pe", pe, persistent=False)
        self.cls = nn.Parameter(torch.randn(1, 1, d_model) * 0.02)
        self.layers = _encoder_stack(d_model, nhead, dim_feedforward, dropout, num_layers)
        self.norm = LayerNorm(d_model)
        self.out = nn.Linear(d_model, num_classes)

    def forward(self, ids, lengths):
        _check_batch(ids, lengths, self.max_len)
        # sqrt(d) scales the embeddings to the size of the encoding, as Vaswani et al.
        x = self.embed(ids) * math.sqrt(self.d_model)
        pad = padding_mask(lengths, ids.shape[1])
        if self.pooling == "cls":
            x = torch.cat([self.cls.expand(len(x), -1, -1), x], dim=1)
            pad = F.pad(pad, (1, 0), value=False)  # [CLS] is never padding
        x = x + self.pe[: x.shape[1]]
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=pad)
        x = self.norm(x)
        pooled = x[:, 0] if self.pooling == "cls" else masked_mean(x, pad)
        return self.out(pooled)


class SmallBERT(nn.Module):
    """A BERT-style encoder with a masked-language-model head and a classifier head.

    Token and learned position embeddings, pre-norm encoder layers, a final layer
    norm. ``encode(ids, lengths)`` -> (N, L, E); ``mlm_logits(ids, lengths)`` ->
    (N, L, vocab), the pretraining head; ``forward(ids, lengths)`` -> (N, classes)
    from the mean of the real positions. Differs from BERT: no [CLS] token, no
    next-sentence head, the MLM head is one linear layer untied from the embedding.
    """

    def __init__(self, vocab_size, max_len, d_model=64, nhead=4, num_layers=2,
                 dim_feedforward=128, dropout=0.1, num_classes=2):  # fmt: skip
        super().__init__()
        check_int(vocab_size, "vocab_size", 2)
        check_int(max_len, "max_len", 1)
        self.max_len = max_len
        self.tok = nn.Embedding(vocab_size, d_model, padding_idx=0)
        self.pos = nn.Embedding(max_len, d_model)
        self.layers = _encoder_stack(d_model, nhead, dim_feedforward, dropout, num_layers)
        self.norm = LayerNorm(d_model)
        self.mlm_head = nn.Linear(d_model, vocab_size)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(d_model, num_classes)

    def encode(self, ids, lengths):
        """Contextual vectors (N, L, E) of every position (padded ones are junk)."""
        _check_batch(ids, lengths, self.max_len)
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.tok(ids) + self.pos(positions)
        pad = padding_mask(lengths, ids.shape[1])
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=pad)
        return self.norm(x)

    def mlm_logits(self, ids, lengths):
        """Scores (N, L, vocab) of the token at each position."""
        return self.mlm_head(self.encode(ids, lengths))

    def forward(self, ids, lengths):
        h = self.encode(ids, lengths)
        pooled = masked_mean(h, padding_mask(lengths, ids.shape[1]))
        return self.classifier(self.dropout(pooled))


def mask_tokens(ids, lengths, mask_id, n_special, vocab_size, generator=None, p=0.15):
    """BERT's masking: returns (inputs, labels), both (N, L).

    Each real token is picked with probability p; a picked token becomes ``mask_id``
    (80%), a random word id in [n_special, vocab_size) (10%) or stays (10%).
    ``labels`` holds the original id at picked positions and -100 (ignored by
    ``F.cross_entropy``) elsewhere, padding included.
    """
    real = ~padding_mask(lengths, ids.shape[1])
    picked = (torch.rand(ids.shape, generator=generator) < p) & real
    labels = torch.where(picked, ids, -100)
    action = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(n_special, vocab_size, ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[picked & (action < 0.8)] = mask_id
    swap = picked & (action >= 0.8) & (action < 0.9)
    inputs[swap] = random_ids[swap]
    return inputs, labels
