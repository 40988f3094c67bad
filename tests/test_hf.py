"""Loading Hugging Face BERT models offline (chapter 19), on a seeded tiny random BERT."""

import time

import pytest
import torch

from dlbook_utils.hf import (
    PretrainedUnavailableError,
    fine_tune_hf,
    load_pretrained_bert,
    save_tiny_bert,
)
from dlbook_utils.text import predict_sentiment

WORDS = "the film was great terrible boring good bad plot".split()


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return save_tiny_bert(tmp_path_factory.mktemp("tiny_bert"), WORDS, seed=0)


def test_load_forward_and_predict(tiny_dir):
    model, tokenizer = load_pretrained_bert(tiny_dir)
    assert type(model).__name__ == "BertForSequenceClassification"
    enc = tokenizer(["the film was great", "bad"], padding=True, return_tensors="pt")
    assert enc["input_ids"][0, 0].item() == tokenizer.cls_token_id
    # the vocabulary passed with vocab= is the one used
    words = tokenizer.convert_ids_to_tokens(enc["input_ids"][0])[1:5]
    assert words == ["the", "film", "was", "great"]
    model.eval()
    logits = model(**enc).logits
    assert logits.shape == (2, 2)
    again, _ = load_pretrained_bert(tiny_dir)  # seeded: the same weights
    torch.testing.assert_close(again.eval()(**enc).logits, logits)
    label, p = predict_sentiment(model, tokenizer, "The film was GREAT!")
    assert label in ("negative", "positive") and 0 < p < 1
    out = predict_sentiment(model, tokenizer, ["good", "bad plot", ""])
    assert len(out) == 3


def test_fine_tune_moves_the_loss(tiny_dir):
    model, tokenizer = load_pretrained_bert(tiny_dir)
    texts = ["great good film", "terrible bad boring"] * 8
    labels = torch.tensor([1, 0] * 8)
    gen = torch.Generator().manual_seed(0)
    seconds = fine_tune_hf(model, tokenizer, texts, labels, epochs=6, lr=3e-3,
                           batch_size=8, generator=gen)  # fmt: skip
    assert seconds > 0
    preds = [lab for lab, _ in predict_sentiment(model, tokenizer, texts[:2])]
    assert preds == ["positive", "negative"]


def test_missing_model_fails_at_once_with_a_remedy(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(PretrainedUnavailableError, match="DLBOOK_OFFLINE") as info:
        load_pretrained_bert("google/no-such-model-in-any-cache")
    assert time.perf_counter() - start < 10  # no network retries
    assert "save_pretrained" in str(info.value) and "internet" in str(info.value)
    assert "not cached" in info.value.reason
    with pytest.raises(PretrainedUnavailableError, match="not a folder"):
        load_pretrained_bert(tmp_path / "missing")
