"""Hugging Face BERT models offline and online: load, build a tiny one, fine-tune (ch. 19).

:func:`load_pretrained_bert` loads a sequence classifier and its tokenizer from a folder
(``save_pretrained``) or a hub name. With downloads off (``DLBOOK_OFFLINE=1``) the hub
is switched offline before ``transformers`` is imported, so a model that is not cached
fails at once with :class:`PretrainedUnavailableError` saying what to do.
:func:`save_tiny_bert` writes a seeded random tiny BERT and tokenizer to a folder: the
same loading path, tested without a network.
"""

import os
import socket
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

from dlbook_utils.data.hub import prepare_hf_hub

__all__ = [
    "PretrainedUnavailableError",
    "load_pretrained_bert",
    "save_tiny_bert",
    "fine_tune_hf",
]


class PretrainedUnavailableError(RuntimeError):
    """A pretrained model is neither in a local folder nor in the cache, nor downloadable.

    ``reason``: a one-line summary for a page's note box.
    """

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def _transformers():
    offline = prepare_hf_hub()  # before the first import of transformers
    with warnings.catch_warnings():  # tqdm's "IProgress not found" on import
        warnings.simplefilter("ignore")
        import transformers

    # tqdm bars print one line per refresh on a built page (DESIGN.md)
    transformers.utils.logging.disable_progress_bar()
    return transformers, offline


def _hub_reachable(host="huggingface.co", timeout=3.0):
    """One TCP connection attempt: without a network the hub retries for 25-45 s."""
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def load_pretrained_bert(name_or_dir, num_labels=2):
    """``(model, tokenizer)``: a ``BertForSequenceClassification`` and its tokenizer.

    ``name_or_dir``: a folder written by ``save_pretrained`` (loaded with
    ``local_files_only=True``) or a hub name such as
    ``"google/bert_uncased_L-2_H-128_A-2"``. The classification head is new (random)
    unless the checkpoint has one with ``num_labels`` outputs.
    """
    tf, offline = _transformers()
    folder = Path(name_or_dir)
    local = folder.is_dir()
    if not local and (folder.is_absolute() or str(name_or_dir).startswith(".")):
        raise PretrainedUnavailableError(
            f"{folder} is not a folder: save a model there with save_pretrained",
            reason=f"the folder {folder} does not exist",
        )
    if not (local or offline) and not _hub_reachable():
        offline = True  # use the cache only, and fail at once if it is not there
    kwargs = dict(local_files_only=local or offline)
    try:
        tokenizer = tf.AutoTokenizer.from_pretrained(str(name_or_dir), **kwargs)
        model = tf.BertForSequenceClassification.from_pretrained(
            str(name_or_dir), num_labels=num_labels, **kwargs
        )
    except OSError as err:  # not cached, no network, or no such model
        how = (
            "unset DLBOOK_OFFLINE and HF_HUB_OFFLINE and run with internet access "
            "(the model is then cached), or save it with save_pretrained to a folder "
            "and pass the folder"
        )
        why = (
            "downloads are off (DLBOOK_OFFLINE=1)"
            if os.environ.get("DLBOOK_OFFLINE", "").strip() not in ("", "0")
            else "the hub could not be reached"
        )
        raise PretrainedUnavailableError(
            f"the pretrained model {name_or_dir!r} is not available: {why}. To get it, "
            f"{how}. ({type(err).__name__}: {str(err).splitlines()[0]})",
            reason=f"{name_or_dir} is not cached and {why}",
        ) from err
    return model, tokenizer


def save_tiny_bert(folder, words, seed=0, hidden_size=32, num_layers=2, num_heads=2):
    """Write a seeded random tiny BERT classifier and its word-level tokenizer.

    ``words``: the tokenizer's vocabulary after [PAD] [UNK] [CLS] [SEP] [MASK]. Returns
    the folder. Reloads with :func:`load_pretrained_bert` like a downloaded model.
    """
    tf, _ = _transformers()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {w: i for i, w in enumerate(specials + [w for w in words if w not in specials])}
    # vocab=, not vocab_file=: BertTokenizerFast ignores vocab_file silently
    tokenizer = tf.BertTokenizerFast(vocab=vocab, do_lower_case=True)
    config = tf.BertConfig(
        vocab_size=len(vocab), hidden_size=hidden_size, num_hidden_layers=num_layers,
        num_attention_heads=num_heads, intermediate_size=2 * hidden_size,
        max_position_embeddings=512, num_labels=2,
    )  # fmt: skip
    torch.manual_seed(seed)
    model = tf.BertForSequenceClassification(config)
    folder = Path(folder)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def fine_tune_hf(model, tokenizer, texts, labels, epochs=1, lr=5e-5, batch_size=32,
                 max_len=256, generator=None, log_every=30.0):  # fmt: skip
    """Fine-tune a Hugging Face sequence classifier with AdamW; returns seconds taken.

    ``texts`` a list of strings, ``labels`` (n,) int64. Prints a line per epoch, and
    every ``log_every`` seconds within long epochs.
    """
    device = next(model.parameters()).device
    labels = torch.as_tensor(labels)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    start = last = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(texts), generator=generator)
        for step, batch in enumerate(order.split(batch_size)):
            enc = tokenizer([texts[i] for i in batch], truncation=True,
                            max_length=max_len, padding=True, return_tensors="pt")  # fmt: skip
            logits = model(**{k: v.to(device) for k, v in enc.items()}).logits
            loss = F.cross_entropy(logits, labels[batch].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if time.perf_counter() - last > log_every:
                last = time.perf_counter()
                print(f"  epoch {epoch + 1}, step {step + 1}: loss {loss.item():.3f}")
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}")
    return time.perf_counter() - start
