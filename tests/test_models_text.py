"""Review classifiers (chapter 19): padding invariance, shapes, counts, bad input."""

import pytest
import torch
from torch import nn

from dlbook_utils import layers
from dlbook_utils.models import (
    GRUClassifier,
    SmallBERT,
    TransformerClassifier,
    count_parameters,
    mask_tokens,
    masked_mean,
    padding_mask,
)

VOCAB = 50


def _batch(seed, n=5, max_len=12):
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, max_len + 1, (n,), generator=gen)
    ids = torch.randint(2, VOCAB, (n, max_len), generator=gen)
    ids[padding_mask(lengths, max_len)] = 0
    return ids, lengths


def _models(seed):
    torch.manual_seed(seed)
    return {
        "gru": GRUClassifier(VOCAB, 8, 6),
        "gru ours": GRUClassifier(VOCAB, 8, 6, num_layers=2, rnn=layers.GRU),
        "transformer mean": TransformerClassifier(VOCAB, 40, 16, 2, 1, 32),
        "transformer cls": TransformerClassifier(VOCAB, 40, 16, 2, 2, 32, pooling="cls"),
        "bert": SmallBERT(VOCAB, 40, 16, 2, 2, 32),
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(_models(0)))
def test_padding_invariance(name, seed):
    model = _models(seed)[name].double().eval()
    ids, lengths = _batch(seed)
    longer = torch.cat([ids, torch.zeros(len(ids), 9, dtype=torch.int64)], 1)
    junk = longer.clone()
    junk[padding_mask(lengths, longer.shape[1])] = 7  # whatever sits in padding
    ref = model(ids, lengths)
    assert ref.shape == (5, 2) and ref.dtype == torch.float64
    torch.testing.assert_close(model(longer, lengths), ref)
    torch.testing.assert_close(model(junk, lengths), ref)
    # one review alone equals its row in the batch
    torch.testing.assert_close(model(ids[:1, : lengths[0]], lengths[:1]), ref[:1])


def test_gru_classifier_ours_equals_torch():
    torch.manual_seed(3)
    ours = GRUClassifier(VOCAB, 8, 6, rnn=layers.GRU).double()
    twin = GRUClassifier(VOCAB, 8, 6).double()
    twin.load_state_dict(ours.state_dict())
    ids, lengths = _batch(4)
    a, b = ours(ids, lengths), twin(ids, lengths)
    torch.testing.assert_close(a, b)
    a.sum().backward()
    b.sum().backward()
    for (n, p), q in zip(ours.named_parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, msg=n)


def test_parameter_counts():
    e, h, v = 8, 6, VOCAB
    gru = GRUClassifier(v, e, h)  # embedding, 2 directions x 3 gates, linear
    assert count_parameters(gru) == v * e + 2 * 3 * (h * e + h * h + 2 * h) + 2 * h * 2 + 2
    d, f = 16, 32
    layer = 4 * d * d + 2 * d * f + 9 * d + f  # chapter 11's formula
    tr = TransformerClassifier(v, 40, d, 2, 2, f)
    assert count_parameters(tr) == v * d + d + 2 * layer + 2 * d + d * 2 + 2
    bert = SmallBERT(v, 40, d, 2, 2, f)
    mlm = d * v + v
    assert count_parameters(bert) == v * d + 40 * d + 2 * layer + 2 * d + mlm + d * 2 + 2


def test_small_bert_shapes():
    bert = SmallBERT(VOCAB, 40, 16, 2, 1, 32).eval()
    ids, lengths = _batch(0)
    assert bert.encode(ids, lengths).shape == (5, 12, 16)
    assert bert.mlm_logits(ids, lengths).shape == (5, 12, VOCAB)
    assert bert(ids, lengths).shape == (5, 2)


def test_masked_mean():
    x = torch.arange(12.0).reshape(1, 4, 3)
    pad = torch.tensor([[False, False, True, True]])
    torch.testing.assert_close(masked_mean(x, pad), x[0, :2].mean(0, keepdim=True))


def test_mask_tokens():
    ids, lengths = _batch(0, n=400, max_len=30)
    inputs, labels = mask_tokens(
        ids, lengths, 2, 3, VOCAB, torch.Generator().manual_seed(0)
    )
    real = ~padding_mask(lengths, 30)
    picked = labels != -100
    assert not (picked & ~real).any()  # padding is never a target
    assert torch.equal(labels[picked], ids[picked])
    share = picked.sum() / real.sum()
    assert 0.13 < share < 0.17
    assert abs((inputs[picked] == 2).float().mean() - 0.8) < 0.04
    assert torch.equal(inputs[~picked], ids[~picked])
    # the other 20%: half a random word (never a special id), half unchanged
    rest = picked & (inputs != 2)
    assert (inputs[rest] >= 3).all() and (inputs[rest] < VOCAB).all()
    kept = (inputs[picked] == ids[picked]).float().mean()
    assert abs(kept - 0.1 - 0.1 / (VOCAB - 3)) < 0.03


@pytest.mark.parametrize("cls", [GRUClassifier, TransformerClassifier, SmallBERT])
def test_bad_input(cls):
    model = cls(VOCAB, 8) if cls is not GRUClassifier else cls(VOCAB)
    ids, lengths = _batch(0, max_len=6)
    with pytest.raises(ValueError, match="int64"):
        model(ids.float(), lengths)
    with pytest.raises(ValueError, match="lengths"):
        model(ids, lengths[:2])
    bad = lengths.clone()
    bad[0] = 0
    with pytest.raises(ValueError, match="lengths must be in"):
        model(ids, bad)
    if cls is not GRUClassifier:
        long_ids = torch.ones(2, 9, dtype=torch.int64)
        with pytest.raises(ValueError, match="at most 8"):
            model(long_ids, torch.tensor([9, 9]))


def test_constructor_errors():
    with pytest.raises(ValueError, match="pooling"):
        TransformerClassifier(VOCAB, 8, pooling="max")
    with pytest.raises(ValueError, match="vocab_size"):
        GRUClassifier(1)
    with pytest.raises(TypeError, match="max_len"):
        SmallBERT(VOCAB, 8.0)
    assert isinstance(GRUClassifier(VOCAB).rnn, nn.GRU)
