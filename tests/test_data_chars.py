"""dlbook_utils.data.chars: the character vocabulary, padded batches, language words."""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from dlbook_utils.data.chars import CharVocab, encode_batch, language_words


def test_vocab_round_trip_and_special_tokens():
    vocab = CharVocab(["chat", "hund", "été"])
    assert vocab.itos[:3] == ["<pad>", "<start>", "<stop>"] and len(vocab) == 3 + 8
    ids = vocab.encode("été", start=True, stop=True)
    assert ids.dtype == torch.int64 and ids[0] == 1 and ids[-1] == 2 and len(ids) == 5
    assert vocab.decode(ids) == "été"
    assert vocab.decode([1, *vocab.encode("hat").tolist(), 2, 5, 5]) == "hat"
    with pytest.raises(ValueError, match=r"\['x'\]"):
        vocab.encode("hax")


def test_encode_batch_pads_and_packs():
    words = ["a", "abc", "ab"]
    vocab = CharVocab(words)
    padded, lengths = encode_batch(words, vocab, stop=True)
    assert padded.shape == (3, 4) and lengths.tolist() == [2, 4, 3]
    assert padded[0].tolist() == [3, 2, 0, 0]  # a, STOP, PAD, PAD
    packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
    back, back_lengths = pad_packed_sequence(packed, batch_first=True)
    assert torch.equal(back, padded) and torch.equal(back_lengths, lengths)


def test_language_words(tmp_path):
    (tmp_path / "american-english").write_text("Cat\ndog\ndog's\nhaus\nzebra\nab\n")
    (tmp_path / "ngerman").write_text("Haus\nKatze\nHund\nzebra\nÄrger\n")
    words, labels = language_words(
        ["english", "german"], min_length=3, max_length=5, dict_dir=tmp_path
    )
    # zebra and haus are in both lists; dog's is not letters only; ab is too short.
    by_label = {0: set(), 1: set()}
    for w, y in zip(words, labels, strict=True):
        by_label[int(y)].add(w)
    assert by_label[0] <= {"cat", "dog"} and len(by_label[0]) == 2
    assert by_label[1] <= {"katze", "hund", "ärger"} and len(by_label[1]) == 2
    with pytest.raises(ValueError, match="keeps only 2"):
        language_words(["english", "german"], n_per_language=3, dict_dir=tmp_path)
