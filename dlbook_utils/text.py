"""Text preparation for sentiment analysis: cleaning, a vocabulary, cut and pad (ch. 19).

``clean_text`` and ``tokenize`` turn a review into lower-case words; :class:`Vocabulary`
maps the most frequent words to ids (``<pad>`` = 0, ``<unk>`` = 1); ``pad_batch`` cuts
and pads id lists into one tensor with their lengths; ``predict_sentiment`` classifies
new text with our models and vocabulary or a Hugging Face model and tokenizer. The
cores ``clean_text``, ``Vocabulary.build`` and ``pad_batch`` are mirrored on the page.
"""

import re
from collections import Counter

import torch

__all__ = [
    "PAD",
    "UNK",
    "clean_text",
    "tokenize",
    "Vocabulary",
    "pad_batch",
    "predict_sentiment",
]

PAD, UNK = "<pad>", "<unk>"
_TAG = re.compile(r"<[^>]*>")  # an HTML tag such as <br /> or <i>
_NOT_WORD = re.compile(r"[\W_]+")  # punctuation, symbols, underscores
_SINGLE = re.compile(r"(?:^|\s)\w(?=\s|$)")  # a one-character word
_SPACES = re.compile(r"\s+")


def _check_text(text):
    if not isinstance(text, str):
        raise TypeError(f"expected a string, got {type(text).__name__}")


def clean_text(text):
    """Lower-case, drop HTML tags, punctuation and one-character words, squeeze spaces.

    Letters of any script and digits are kept ("café" stays "café"); an apostrophe
    splits a word, so "don't" gives "don" (its "t" is a one-character word).
    """
    if not isinstance(text, str):
        raise TypeError(f"expected a string, got {type(text).__name__}")
    text = _TAG.sub(" ", text.lower())  # tags first: "<br />" is not words
    text = _NOT_WORD.sub(" ", text)
    text = _SINGLE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def tokenize(text):
    """The words of ``clean_text(text)``, split on spaces (a list, empty for no words)."""
    return clean_text(text).split()


class Vocabulary:
    """Words <-> ids: the special tokens first, then words by falling frequency.

    ``itos`` lists the tokens by id; ``stoi`` maps a token to its id. Words outside the
    vocabulary encode to ``<unk>``. Build one with :meth:`Vocabulary.build`.
    """

    def __init__(self, itos):
        if len(itos) < 2 or list(itos[:2]) != [PAD, UNK]:
            raise ValueError(f"a vocabulary starts with {PAD!r}, {UNK!r}; got {itos[:2]}")
        if len(set(itos)) != len(itos):
            raise ValueError("the tokens of a vocabulary must be distinct")
        self.itos = list(itos)
        self.stoi = {token: i for i, token in enumerate(self.itos)}
        self.pad_id, self.unk_id = 0, 1

    @classmethod
    def build(cls, texts, max_size=None, min_freq=1, specials=()):
        """Count the words of ``texts``; keep the most frequent ``max_size`` tokens.

        ``max_size`` counts every token, specials included (None: no limit); a word
        needs ``min_freq`` occurrences. Ties in frequency are broken alphabetically,
        so the vocabulary does not depend on the order of the texts. ``specials``
        (e.g. ``("<mask>",)``) follow ``<pad>`` = 0 and ``<unk>`` = 1.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not one string")
        if min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, got {min_freq}")
        head = [PAD, UNK, *specials]
        if max_size is not None and max_size < len(head):
            raise ValueError(f"max_size must be at least {len(head)}, got {max_size}")
        counts = Counter()
        for text in texts:
            counts.update(tokenize(text))
        ranked = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
        words = [w for w, c in ranked if c >= min_freq and w not in head]
        if max_size is not None:
            words = words[: max_size - len(head)]
        return cls(head + words)

    def __len__(self):
        return len(self.itos)

    def __getitem__(self, token):
        return self.stoi.get(token, self.unk_id)

    def encode(self, text):
        """The ids of the words of ``text`` (unknown words -> ``<unk>``), a list."""
        return [self[w] for w in tokenize(text)]

    def decode(self, ids):
        """The tokens of ``ids`` joined by spaces, ``<pad>`` left out."""
        ids = ids.tolist() if torch.is_tensor(ids) else list(ids)
        bad = [i for i in ids if not 0 <= int(i) < len(self)]
        if bad:
            raise ValueError(f"ids {bad[:5]} are outside the vocabulary of {len(self)}")
        return " ".join(self.itos[i] for i in ids if i != self.pad_id)

    def encode_batch(self, texts, max_len):
        """``pad_batch`` of the encoded texts; a text without words gets one ``<unk>``."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not one string")
        return pad_batch([self.encode(t) or [self.unk_id] for t in texts], max_len)


def pad_batch(seqs, max_len, pad_id=0):
    """Cut each id list to its first ``max_len`` ids and pad them to one length.

    Returns ``(ids, lengths)``: ids (N, L) int64 with L = min(max_len, longest), the
    padding ``pad_id`` on the right; lengths (N,) int64, the real ids per row.
    """
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len must be a positive int, got {max_len!r}")
    seqs = [list(s)[:max_len] for s in seqs]
    if not seqs:
        raise ValueError("pad_batch needs at least one sequence")
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    ids = torch.full((len(seqs), max(1, int(lengths.max()))), pad_id)
    for row, s in enumerate(seqs):
        ids[row, : len(s)] = torch.as_tensor(s, dtype=torch.int64)
    return ids, lengths


LABELS = ("negative", "positive")


@torch.no_grad()
def predict_sentiment(model, tokenizer, text, max_len=256):
    """Classify one text (or a list): returns ``(label, P(positive))`` per text.

    ``tokenizer`` is a :class:`Vocabulary`, or anything with its ``encode_batch``
    (the model is called as ``model(ids,
    lengths)``) or a Hugging Face tokenizer (called as ``model(**encoded)``; the
    output's ``.logits`` are used). The model is put in eval mode.
    """
    texts = [text] if isinstance(text, str) else list(text)
    for t in texts:
        _check_text(t)
    model.eval()
    device = next(model.parameters()).device
    if hasattr(tokenizer, "encode_batch"):  # a Vocabulary (or the page's twin)
        ids, lengths = tokenizer.encode_batch(texts, max_len)
        out = model(ids.to(device), lengths.to(device))
    else:
        enc = tokenizer(texts, truncation=True, max_length=max_len, padding=True,
                        return_tensors="pt")  # fmt: skip
        out = model(**{k: v.to(device) for k, v in enc.items()})
    logits = getattr(out, "logits", out)
    if logits.shape != (len(texts), 2):
        raise ValueError(f"expected logits (N, 2), got {tuple(logits.shape)}")
    p_pos = logits.float().softmax(-1)[:, 1].cpu().tolist()
    result = [(LABELS[int(p > 0.5)], p) for p in p_pos]
    return result[0] if isinstance(text, str) else result
