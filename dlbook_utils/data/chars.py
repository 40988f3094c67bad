"""Character-level text helpers: a vocabulary with PAD, START and STOP, padded batches.

Also ``language_words``, the labelled words of several Debian word lists that chapter 10
classifies by language. Tensors of indices are int64; a padded batch is (N, L) with PAD
(index 0) after each word, and the lengths (N,) that
``torch.nn.utils.rnn.pack_padded_sequence`` takes.
"""

import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence

from .text import load_wordlist

__all__ = ["PAD", "START", "STOP", "CharVocab", "encode_batch", "language_words"]

PAD, START, STOP = "<pad>", "<start>", "<stop>"


class CharVocab:
    """Characters <-> indices: PAD = 0, START = 1, STOP = 2, then the sorted characters."""

    pad_index, start_index, stop_index = 0, 1, 2

    def __init__(self, words):
        chars = sorted(set("".join(words)))
        self.itos = [PAD, START, STOP, *chars]
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def __repr__(self):
        return f"CharVocab({len(self)} tokens: PAD, START, STOP and {len(self) - 3} chars)"

    def encode(self, word, start=False, stop=False):
        """``word`` as an int64 tensor (L,), with START first and STOP last if asked."""
        unknown = sorted(set(word) - self.stoi.keys())
        if unknown:
            raise ValueError(f"characters {unknown} of {word!r} are not in the vocabulary")
        ids = [self.stoi[c] for c in word]
        ids = [self.start_index] * start + ids + [self.stop_index] * stop
        return torch.tensor(ids, dtype=torch.int64)

    def decode(self, indices):
        """Indices -> string: stops at the first STOP, skips PAD and START."""
        chars = []
        for i in torch.as_tensor(indices).tolist():
            if i == self.stop_index:
                break
            if i > self.stop_index:
                chars.append(self.itos[i])
        return "".join(chars)


def encode_batch(words, vocab, start=False, stop=False):
    """Encode and pad ``words``: returns ``(padded (N, L) int64, lengths (N,) int64)``.

    L is the longest encoded word; shorter ones are followed by ``vocab.pad_index``.
    """
    seqs = [vocab.encode(w, start=start, stop=stop) for w in words]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    padded = pad_sequence(seqs, batch_first=True, padding_value=vocab.pad_index)
    return padded, lengths


def language_words(
    languages, min_length=3, max_length=12, n_per_language=None, seed=0, dict_dir=None
):
    """Labelled words of several Debian word lists, balanced, in a shuffled order.

    Each list's words are lower-cased (German capitalises its nouns) and kept if they
    are letters only (no apostrophes or hyphens; accented letters count) and between
    ``min_length`` and ``max_length`` letters long. A word found in two or more of the
    chosen lists is dropped from all of them: its label would be ambiguous. Then
    ``n_per_language`` words (default: as many as the smallest list has) are drawn
    from each list without replacement, with ``np.random.default_rng(seed)``.

    Returns:
        ``(words, labels)``: a list of strings and an int64 array (index into
        ``languages``).
    """
    sets = []
    for language in languages:
        # One pass over the list (about a million words in all): lower, then filter.
        lowered = map(str.lower, load_wordlist(language, dict_dir))
        sets.append(
            {w for w in lowered if min_length <= len(w) <= max_length and w.isalpha()}
        )
    seen_twice = set()
    for i, a in enumerate(sets):
        for b in sets[i + 1 :]:
            seen_twice |= a & b
    pools = [sorted(s - seen_twice) for s in sets]
    n = n_per_language or min(len(p) for p in pools)
    if n > min(len(p) for p in pools):
        raise ValueError(
            f"n_per_language={n} but the smallest list keeps only "
            f"{min(len(p) for p in pools)} words"
        )
    rng = np.random.default_rng(seed)
    words, labels = [], []
    for label, pool in enumerate(pools):
        words += [pool[i] for i in rng.choice(len(pool), size=n, replace=False)]
        labels += [label] * n
    order = rng.permutation(len(words))
    return [words[i] for i in order], np.asarray(labels, dtype=np.int64)[order]
