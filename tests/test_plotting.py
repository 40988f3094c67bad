import matplotlib

matplotlib.use("Agg")  # tests draw off-screen; chapters keep the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlbook_utils import plotting  # noqa: E402
from dlbook_utils.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_importing_changes_no_style():
    before = dict(plt.rcParams)
    import importlib

    importlib.reload(plotting)
    assert dict(plt.rcParams) == before


def test_use_book_style_applies_the_style():
    with plt.rc_context():
        plotting.use_book_style()
        assert plt.rcParams["axes.spines.top"] is False


def test_plot_history():
    h = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.7], val_loss=[1.1, 0.6],
                val_acc=[0.4, 0.6])  # fmt: skip
    ax = plotting.plot_history(h, metric="acc")
    assert len(ax.lines) == 2 and ax.get_ylabel() == "accuracy"
    with pytest.raises(ValueError, match="metric"):
        plotting.plot_history(h, metric="f1")


@pytest.mark.parametrize("shape", [(5, 28, 28), (5, 1, 28, 28), (5, 3, 32, 32)])
def test_show_images_accepts_common_layouts(shape):
    images = torch.rand(shape)
    fig = plotting.show_images(
        images, labels=np.arange(5), class_names=list("abcde"), ncols=3
    )
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == list("abcde")


def test_show_images_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        plotting.show_images(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="no images"):
        plotting.show_images(np.zeros((0, 28, 28)))


def test_plot_confusion_matrix():
    cm = np.array([[5, 1], [2, 7]])
    ax = plotting.plot_confusion_matrix(cm, ["cat", "dog"], normalize=True)
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["0.17", "0.22", "0.78", "0.83"]
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix(np.zeros((2, 3)))
