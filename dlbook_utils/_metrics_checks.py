"""Input checks for :mod:`dlbook_utils.metrics`: the errors a wrong call gets.

Kept apart so that the metrics read like chapter 7's cells: each check is one call at the
start of a metric, and says what was expected. Import the public ones (``check_targets``,
``check_labels``, ``check_scores``, ``check_proportion``, ``positive_label``) from
:mod:`dlbook_utils.metrics`, which re-exports them.
"""

import numbers

import numpy as np

from .validation import check_count

__all__ = [
    "check_targets",
    "check_labels",
    "check_scores",
    "check_proportion",
    "positive_label",
    "check_binary",
    "AVERAGES",
]

AVERAGES = ("binary", "macro", "micro", None)


def _as_1d(y, name):
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,), got shape {y.shape}")
    if y.size == 0:
        raise ValueError(f"{name} is empty: at least 1 sample is required")
    return y


def _target_type(y):
    """'continuous' for non-integer floats, else 'binary' (<= 2 values) or 'multiclass'."""
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        return "continuous"
    return "binary" if np.unique(y).size <= 2 else "multiclass"


def check_targets(y_true, y_pred):
    """Both label vectors as 1-D arrays of equal length and compatible label types."""
    y_true, y_pred = _as_1d(y_true, "y_true"), _as_1d(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different lengths: {y_true.size} and {y_pred.size}"
        )
    types = (_target_type(y_true), _target_type(y_pred))
    if "continuous" in types:
        raise ValueError(
            f"Classification metrics can't handle a mix of {types[0]} and {types[1]} "
            "targets: y_true and y_pred must hold class labels, not scores"
        )
    if (y_true.dtype.kind in "OUS") != (y_pred.dtype.kind in "OUS"):
        raise ValueError("Mix of label input types (string and number)")
    return y_true, y_pred


def check_binary(y_true, y_pred, pos_label, average="binary"):
    """Raise unless the targets are binary and ``pos_label`` is one of their labels."""
    present = np.union1d(y_true, y_pred)
    if present.size > 2 and average == "binary":
        raise ValueError(
            "Target is multiclass but average='binary'. Please choose another average "
            f"setting, one of {list(AVERAGES[1:])}."
        )
    if present.size > 2:
        raise ValueError(f"Binary targets are required, got {present.size} labels")
    if present.size == 2 and not np.any(present == pos_label):
        raise ValueError(
            f"pos_label={pos_label} is not a valid label. It should be one of {present}"
        )


def check_labels(y_true, y_pred, labels):
    """``labels`` as a 1-D array; by default the sorted union of the labels seen."""
    if labels is None:
        return np.union1d(y_true, y_pred)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or np.unique(labels).size != labels.size:
        raise ValueError(
            f"labels must be a non-empty 1-D list of distinct labels: {labels}"
        )
    if (labels.dtype.kind in "OUS") != (y_true.dtype.kind in "OUS"):
        raise ValueError(
            f"labels {labels} and y_true {y_true[:3]}... mix strings and numbers"
        )
    return labels


def check_scores(y_true, y_score, pos_label):
    """y_true as booleans (is it ``pos_label``?) and y_score as float64, both 1-D."""
    y_true, y_score = _as_1d(y_true, "y_true"), _as_1d(y_score, "y_score")
    if y_true.shape != y_score.shape:
        raise ValueError(
            f"y_true and y_score have different lengths: {y_true.size} and {y_score.size}"
        )
    if _target_type(y_true) == "continuous":
        raise ValueError("y_true must hold class labels, got non-integer floats")
    if pos_label is None:
        classes = np.unique(y_true)
        if classes.dtype.kind in "OUS" or not (
            set(classes.tolist()) <= {0, 1} or set(classes.tolist()) <= {-1, 1}
        ):
            raise ValueError(
                f"y_true takes value in {classes} and pos_label is not specified: either "
                "make y_true take value in {0, 1} or {-1, 1} or pass pos_label explicitly"
            )
        pos_label = 1
    y_score = y_score.astype(np.float64)
    if not np.all(np.isfinite(y_score)):
        raise ValueError("y_score contains NaN or infinity")
    is_pos = y_true == pos_label
    if is_pos.all() or not is_pos.any():
        raise ValueError(
            "Only one class present in y_true. ROC AUC score and the precision-recall "
            f"curve are not defined in that case (positive label {pos_label!r})."
        )
    return is_pos, y_score


def positive_label(y_true):
    """The larger of y_true's labels, the positive class; raise unless y_true is binary."""
    classes = np.unique(_as_1d(y_true, "y_true"))
    if classes.size > 2:
        raise ValueError(
            f"roc_auc_score supports binary y_true only, got classes {classes}"
        )
    return classes[-1]


def check_proportion(count, nobs, alpha, method):
    """Raise unless 0 <= count <= nobs are integers, 0 < alpha < 1 and method is known."""
    check_count("nobs", nobs, minimum=1)
    check_count("count", count, minimum=0, maximum=nobs)
    is_number = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
    if not is_number or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    if method not in ("normal", "wilson"):
        raise ValueError(f"method must be 'normal' or 'wilson', got {method!r}")
