"""The book's figure style and its recurring plots: training curves, image grids, confusion
matrices. Nothing here changes matplotlib's state until :func:`use_book_style` is called.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = [
    "BOOK_STYLE",
    "use_book_style",
    "plot_history",
    "show_images",
    "plot_confusion_matrix",
]

BOOK_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


def use_book_style():
    """Apply the book's figure style; chapters call it once in their setup cell."""
    plt.rcParams.update(BOOK_STYLE)


def plot_history(history, ax=None, metric="loss"):
    """Plot per-epoch ``train_<metric>`` and, if recorded, ``val_<metric>``; return the axes.

    Args:
        history: a :class:`dlbook_utils.train.History` (or anything with those lists).
        metric: ``"loss"`` or ``"acc"``.
    """
    if metric not in ("loss", "acc"):
        raise ValueError(f"metric must be 'loss' or 'acc', got {metric!r}")
    ax = ax or plt.subplots()[1]
    train = getattr(history, f"train_{metric}")
    val = getattr(history, f"val_{metric}")
    epochs = np.arange(1, len(train) + 1)
    ax.plot(epochs, train, marker="o", label="train")
    if len(val):
        ax.plot(epochs, val, marker="s", label="validation")
    ax.set(xlabel="epoch", ylabel={"loss": "loss", "acc": "accuracy"}[metric])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.legend()
    return ax


def show_images(images, labels=None, class_names=None, ncols=8, cmap="gray_r", size=1.2):
    """Show a grid of images; return the figure.

    Args:
        images: array or tensor of shape (N, H, W), (N, 1, H, W) or (N, 3, H, W).
        labels: optional (N,) integer labels or strings used as titles.
        class_names: maps integer labels to names.
    """
    images = np.asarray(images.detach().cpu() if hasattr(images, "detach") else images)
    if images.ndim == 4 and images.shape[1] in (1, 3):
        images = images.transpose(0, 2, 3, 1)
        if images.shape[-1] == 1:
            images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, C, H, W), got {images.shape}")
    n = len(images)
    if n == 0:
        raise ValueError("show_images got no images")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.3 * nrows)
    )
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap=cmap if images.ndim == 3 else None)
        if labels is not None:
            label = labels[i]
            label = (
                int(label) if np.ndim(label) == 0 and not isinstance(label, str) else label
            )
            name = class_names[label] if class_names is not None else label
            ax.set_title(str(name), fontsize=8)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(cm, class_names=None, ax=None, normalize=False):
    """Draw a confusion matrix (rows: true class, columns: predicted class); return the axes."""
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"confusion matrix must be square, got shape {cm.shape}")
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    k = len(cm)
    names = class_names if class_names is not None else [str(i) for i in range(k)]
    ax = ax or plt.subplots(figsize=(0.55 * k + 2, 0.55 * k + 1.5))[1]
    ax.imshow(cm, cmap="Blues")
    ax.grid(False)
    ax.set_xticks(range(k), names, rotation=45, ha="right")
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted", ylabel="true")
    threshold = cm.max() / 2
    for i in range(k):
        for j in range(k):
            text = f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
            color = "white" if cm[i, j] > threshold else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=color)
    return ax
