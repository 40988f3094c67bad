import io

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlbook_utils import train
from dlbook_utils.data import BatchLoader


def tiny_problem(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=g)
    y = (X[:, 0] + X[:, 1] > 0).long()
    return X, y


def test_seed_everything_returns_a_seeded_generator():
    g1, g2 = train.seed_everything(3), train.seed_everything(3)
    assert torch.equal(torch.randn(5, generator=g1), torch.randn(5, generator=g2))
    train.seed_everything(3)
    a = torch.randn(3)
    train.seed_everything(3)
    assert torch.equal(a, torch.randn(3))


def test_seed_everything_rejects_non_int():
    with pytest.raises(TypeError, match="seed must be an int"):
        train.seed_everything(1.5)


def test_get_device(monkeypatch):
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)
    assert train.get_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    assert train.get_device() == torch.device("cpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        train.get_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            train.get_device("cuda")


def test_fit_learns_and_records_history():
    X, y = tiny_problem()
    gen = train.seed_everything(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    batches = BatchLoader(X, y, batch_size=32, generator=gen)
    out = io.StringIO()
    history = train.fit(model, batches, nn.CrossEntropyLoss(), opt, 5, val_batches=batches,
                        file=out)  # fmt: skip
    assert history.epochs == 5 and len(history.val_acc) == 5 and len(history.seconds) == 5
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] > 0.9
    lines = out.getvalue().splitlines()
    assert len(lines) == 5 and "epoch 5/5" in lines[-1] and "\r" not in out.getvalue()


def test_train_epoch_matches_a_manual_loop():
    """The book's loop does exactly forward, loss, zero_grad, backward, step per batch."""
    X, y = tiny_problem(64)
    torch.manual_seed(0)
    a = nn.Linear(4, 2)
    b = nn.Linear(4, 2)
    b.load_state_dict(a.state_dict())
    loss_fn = nn.CrossEntropyLoss()
    opt_a = torch.optim.SGD(a.parameters(), lr=0.1)
    opt_b = torch.optim.SGD(b.parameters(), lr=0.1)
    batches = list(DataLoader(TensorDataset(X, y), batch_size=16))
    loss, acc = train.train_epoch(a, batches, loss_fn, opt_a)
    total = 0.0
    for xb, yb in batches:
        opt_b.zero_grad()
        batch_loss = loss_fn(b(xb), yb)
        batch_loss.backward()
        opt_b.step()
        total += batch_loss.item() * len(yb)
    assert loss == pytest.approx(total / 64)
    assert 0.0 <= acc <= 1.0
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_evaluate_is_gradient_free_and_in_eval_mode():
    X, y = tiny_problem(50)
    model = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.5))
    loss, acc = train.evaluate(model, [(X, y)], nn.CrossEntropyLoss())
    assert not model.training
    assert all(p.grad is None for p in model.parameters())
    loss2, acc2 = train.evaluate(model, [(X, y)], nn.CrossEntropyLoss())
    assert (loss, acc) == (loss2, acc2)  # dropout is off in eval mode


def test_regression_targets_report_zero_accuracy():
    X = torch.randn(20, 3)
    y = torch.randn(20, 1)
    model = nn.Linear(3, 1)
    loss, acc = train.train_epoch(model, [(X, y)], nn.MSELoss(),
                                  torch.optim.SGD(model.parameters(), lr=0.01))  # fmt: skip
    assert acc == 0.0 and loss > 0


def test_bad_input_is_explained():
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="no batches"):
        train.train_epoch(model, [], nn.CrossEntropyLoss(), opt)
    with pytest.raises(ValueError, match="no batches"):
        train.evaluate(model, [], nn.CrossEntropyLoss())
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        train.fit(model, [], nn.CrossEntropyLoss(), opt, 0)


def test_the_progress_line_fits_the_page():
    """Code boxes on the page are 80 characters wide: a wider log line would scroll."""
    line = train._progress_line(100, 100, 12.3456, 0.98765, 12.3456, 0.98765, 9999.9)
    assert len(line) <= 80, line
    assert line.startswith("epoch 100/100 loss 12.3456")
