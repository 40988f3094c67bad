"""Text preparation (chapter 19): cleaning rules, vocabulary, cut and pad."""

import pytest
import torch

from dlbook_utils.text import (
    PAD,
    UNK,
    Vocabulary,
    clean_text,
    pad_batch,
    predict_sentiment,
    tokenize,
)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Great <br /><br />film", "great film"),  # HTML tags
        ("<i>Bad</i>, bad!!! movie...", "bad bad movie"),  # tags and punctuation
        ("well-made_film", "well made film"),  # hyphen and underscore split
        ("a film I liked x", "film liked"),  # one-character words
        ("  many    spaces\n\tand tabs  ", "many spaces and tabs"),
        ("LOUD Words", "loud words"),
        ("don't", "don"),  # the apostrophe splits, "t" is a single character
        ("10/10 would watch", "10 10 would watch"),  # digits are kept
    ],
)
def test_clean_text_rules(raw, clean):
    assert clean_text(raw) == clean


def test_clean_text_empty_and_non_ascii():
    assert clean_text("") == ""
    assert clean_text("  <br/> !! a ") == ""
    assert tokenize("") == []
    assert clean_text("Café CRÈME über 東京 é") == "café crème über 東京"
    assert clean_text("naïve — “quoted”") == "naïve quoted"


def test_clean_text_rejects_non_strings():
    with pytest.raises(TypeError, match="string"):
        clean_text(None)
    with pytest.raises(TypeError, match="string"):
        clean_text(["a list"])


def test_vocabulary_order_frequency_then_alphabet():
    texts = ["bb aa cc", "cc bb", "cc dd", "zz"]
    vocab = Vocabulary.build(texts)
    # cc 3, bb 2, then the ties of 1 alphabetically: aa, dd, zz
    assert vocab.itos == [PAD, UNK, "cc", "bb", "aa", "dd", "zz"]
    assert vocab.itos == Vocabulary.build(texts[::-1]).itos  # order-free
    assert vocab.pad_id == 0 and vocab.unk_id == 1 and len(vocab) == 7


def test_vocabulary_max_size_min_freq_and_specials():
    texts = ["bb aa cc", "cc bb", "cc dd"]
    assert Vocabulary.build(texts, max_size=4).itos == [PAD, UNK, "cc", "bb"]
    assert Vocabulary.build(texts, min_freq=2).itos == [PAD, UNK, "cc", "bb"]
    vocab = Vocabulary.build(texts, max_size=4, specials=("<mask>",))
    assert vocab.itos == [PAD, UNK, "<mask>", "cc"]


def test_unknown_words_encode_and_decode():
    vocab = Vocabulary.build(["the film was great", "the plot"])
    ids = vocab.encode("The FILM was dreadful!")
    assert ids == [vocab["the"], vocab["film"], vocab["was"], vocab.unk_id]
    assert vocab.decode(ids) == "the film was <unk>"
    assert vocab.encode("") == []
    assert vocab.decode([]) == ""


def test_round_trip_of_known_text():
    text = "the plot was great the film"
    vocab = Vocabulary.build([text])
    assert vocab.decode(vocab.encode(text)) == text
    ids, lengths = vocab.encode_batch([text, "plot"], max_len=50)
    assert vocab.decode(ids[1]) == "plot"  # padding is left out
    assert vocab.decode(ids[0]) == text


def test_vocabulary_bad_input():
    with pytest.raises(TypeError, match="list of strings"):
        Vocabulary.build("one string")
    with pytest.raises(ValueError, match="max_size"):
        Vocabulary.build(["aa"], max_size=1)
    with pytest.raises(ValueError, match="min_freq"):
        Vocabulary.build(["aa"], min_freq=0)
    with pytest.raises(ValueError, match="starts with"):
        Vocabulary(["aa", "bb"])
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary([PAD, UNK, "aa", "aa"])
    with pytest.raises(ValueError, match="outside"):
        Vocabulary.build(["aa"]).decode([0, 7])


def test_pad_batch_cuts_and_pads():
    ids, lengths = pad_batch([[5, 6, 7, 8], [9], []], max_len=3)
    assert ids.dtype == torch.int64 and lengths.dtype == torch.int64
    assert ids.tolist() == [[5, 6, 7], [9, 0, 0], [0, 0, 0]]
    assert lengths.tolist() == [3, 1, 0]
    ids, lengths = pad_batch([[1, 2]], max_len=10)  # L = the longest, not max_len
    assert ids.shape == (1, 2) and lengths.tolist() == [2]
    ids, _ = pad_batch([[3]], max_len=5, pad_id=9)
    assert ids.tolist() == [[3]]


def test_pad_batch_bad_input():
    with pytest.raises(ValueError, match="max_len"):
        pad_batch([[1]], max_len=0)
    with pytest.raises(ValueError, match="max_len"):
        pad_batch([[1]], max_len=2.5)
    with pytest.raises(ValueError, match="at least one"):
        pad_batch([], max_len=4)


def test_encode_batch_gives_empty_text_one_unknown():
    vocab = Vocabulary.build(["good film"])
    ids, lengths = vocab.encode_batch(["good good film", "!!!"], max_len=2)
    assert ids.tolist() == [[vocab["good"], vocab["good"]], [1, 0]]
    assert lengths.tolist() == [2, 1]
    with pytest.raises(TypeError, match="list of strings"):
        vocab.encode_batch("good film", max_len=4)


class _Counts(torch.nn.Module):
    """Positive when a review has more 'good' than 'bad' words."""

    def __init__(self, good, bad):
        super().__init__()
        self.good, self.bad = good, bad
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, ids, lengths):
        score = (ids == self.good).sum(1) - (ids == self.bad).sum(1)
        return torch.stack([-score, score], dim=1).float() + self.w


def test_predict_sentiment_with_a_vocabulary():
    vocab = Vocabulary.build(["good bad film"])
    model = _Counts(vocab["good"], vocab["bad"])
    label, p = predict_sentiment(model, vocab, "A good, good film")
    assert label == "positive" and p > 0.5
    out = predict_sentiment(model, vocab, ["bad film", "good", ""])
    assert [lab for lab, _ in out] == ["negative", "positive", "negative"]
    assert out[2][1] == pytest.approx(0.5)
    with pytest.raises(TypeError, match="string"):
        predict_sentiment(model, vocab, [3])
