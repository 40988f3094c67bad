"""Classification metrics from counts: confusion matrix, rates, F1, ROC and AUC (chapter 7).

Taught in chapter 7 (``ch-data-evaluation``). Every metric is a ratio of the four counts
of a confusion matrix: true/false positives and negatives (TP, FP, TN, FN). Names,
argument order and results match ``sklearn.metrics`` for the cases both support.

Differences from scikit-learn, all deliberate:

- ``zero_division`` defaults to ``0.0`` and never warns (scikit-learn's ``"warn"`` also
  gives 0.0, with an ``UndefinedMetricWarning``; here ``"warn"`` gives 0.0 silently);
  ``np.nan`` and ``1.0`` work as there. ``pos_label`` is silently ignored unless
  ``average="binary"`` (scikit-learn warns).
- ``average`` is one of ``"binary"``, ``"macro"``, ``"micro"`` or ``None``; there is no
  ``sample_weight``; labels must be 1-D (no multilabel indicator matrices).
- ``roc_curve`` and ``roc_auc_score`` raise a ``ValueError`` when ``y_true`` holds a
  single class, where scikit-learn 1.9 warns (``UndefinedMetricWarning``) and returns NaN.
- scikit-learn has no specificity, false positive or false negative rate functions.

Labels may be integers, booleans or strings, given as lists or NumPy arrays.
"""

import numpy as np

__all__ = [
    "confusion_matrix",
    "accuracy_score",
    "error_rate",
    "precision_score",
    "recall_score",
    "f1_score",
    "specificity_score",
    "false_positive_rate",
    "false_negative_rate",
    "roc_curve",
    "roc_auc_score",
]

_AVERAGES = ("binary", "macro", "micro", None)


# --- input checking (kept out of the metric functions so they read like the maths) ----


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


def _check_targets(y_true, y_pred):
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


def _check_binary(y_true, y_pred, pos_label, average="binary"):
    """Raise unless the targets are binary and ``pos_label`` is one of their labels."""
    present = np.union1d(y_true, y_pred)
    if present.size > 2 and average == "binary":
        raise ValueError(
            "Target is multiclass but average='binary'. Please choose another average "
            f"setting, one of {list(_AVERAGES[1:])}."
        )
    if present.size > 2:
        raise ValueError(f"Binary targets are required, got {present.size} labels")
    if present.size == 2 and not np.any(present == pos_label):
        raise ValueError(
            f"pos_label={pos_label} is not a valid label. It should be one of {present}"
        )


def _labels(y_true, y_pred, labels):
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


def _binary_counts(y_true, y_pred, pos_label=1):
    """The four counts (TN, FP, FN, TP) of a binary problem, positive class ``pos_label``."""
    y_true, y_pred = _check_targets(y_true, y_pred)
    _check_binary(y_true, y_pred, pos_label, average=None)
    t, p = y_true == pos_label, y_pred == pos_label  # is truly / is predicted positive
    tn, fp = np.sum(~t & ~p), np.sum(~t & p)
    fn, tp = np.sum(t & ~p), np.sum(t & p)
    return int(tn), int(fp), int(fn), int(tp)


def _class_counts(y_true, y_pred, *, labels, pos_label, average):
    """Per-class (TP, FP, FN), each of shape (n_labels,); summed to shape (1,) if micro."""
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}, got {average!r}")
    y_true, y_pred = _check_targets(y_true, y_pred)
    if average == "binary":
        _check_binary(y_true, y_pred, pos_label)
        labels = np.asarray([pos_label])
    else:
        labels = _labels(y_true, y_pred, labels)
    is_true = y_true[:, None] == labels[None, :]  # (n_samples, n_labels)
    is_pred = y_pred[:, None] == labels[None, :]
    tp = np.sum(is_true & is_pred, axis=0)
    fp, fn = np.sum(~is_true & is_pred, axis=0), np.sum(is_true & ~is_pred, axis=0)
    if average == "micro":
        return tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    return tp, fp, fn


def _safe_divide(numerator, denominator, zero_division):
    """numerator / denominator as float64, with ``zero_division`` where 0/0."""
    if isinstance(zero_division, str) and zero_division == "warn":
        zero_division = 0.0
    if not (np.isnan(zero_division) or zero_division in (0, 1)):
        raise ValueError(f"zero_division must be 0, 1 or np.nan, got {zero_division!r}")
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    ratio = numerator / np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, float(zero_division), ratio)


def _average(scores, average):
    """One score per class -> what ``average`` asks for (a float, or the array if None)."""
    if average is None:
        return scores
    if np.all(np.isnan(scores)):
        return float("nan")
    return float(np.nanmean(scores))  # macro: unweighted mean; binary/micro: one value


def _check_scores(y_true, y_score, pos_label):
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
            "Only one class present in y_true. ROC AUC score is not defined in that "
            f"case (positive label {pos_label!r})."
        )
    return is_pos, y_score


def _positive_label(y_true):
    """The larger of y_true's labels, the positive class; raise unless y_true is binary."""
    classes = np.unique(_as_1d(y_true, "y_true"))
    if classes.size > 2:
        raise ValueError(
            f"roc_auc_score supports binary y_true only, got classes {classes}"
        )
    return classes[-1]


# --- counts -> metrics ------------------------------------------------------------------


def confusion_matrix(y_true, y_pred, *, labels=None):
    """Counts C[i, j] of samples whose true label is labels[i] and predicted labels[j].

    Args: y_true, y_pred: label vectors of shape (n,). labels: the row/column order, of
    shape (k,); default: the sorted union of the labels in y_true and y_pred. Samples
    whose true or predicted label is not in ``labels`` are not counted.
    Returns an int64 array of shape (k, k): rows are true classes, columns predictions.
    Matches sklearn.metrics.confusion_matrix (which also refuses ``labels`` none of which
    occurs in y_true; here those rows are simply zero).
    """
    y_true, y_pred = _check_targets(y_true, y_pred)
    labels = _labels(y_true, y_pred, labels)
    T = (y_true[:, None] == labels[None, :]).astype(np.int64)  # (n, k) one-hot truths
    P = (y_pred[:, None] == labels[None, :]).astype(np.int64)  # (n, k) one-hot guesses
    return T.T @ P  # C[i, j] = sum over samples of T[:, i] * P[:, j]


def accuracy_score(y_true, y_pred):
    """Fraction of samples whose predicted label equals the true label.

    Args: y_true, y_pred of shape (n,). Returns a float in [0, 1].
    Matches sklearn.metrics.accuracy_score.
    """
    y_true, y_pred = _check_targets(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def error_rate(y_true, y_pred):
    """Fraction of misclassified samples, 1 - accuracy. scikit-learn has no twin."""
    y_true, y_pred = _check_targets(y_true, y_pred)
    return float(np.mean(y_true != y_pred))


def precision_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division=0.0
):
    """Precision TP / (TP + FP): of the samples predicted positive, the fraction that are.

    Args: y_true, y_pred of shape (n,). average: "binary" (class ``pos_label`` only),
    "macro" (mean of per-class precisions over ``labels``, default all labels seen),
    "micro" (pool the counts of all classes first) or None (array of shape (k,)).
    zero_division: the value of 0/0 (no sample predicted as the class).
    Matches sklearn.metrics.precision_score (but never warns; see the module docstring).
    """
    tp, fp, fn = _class_counts(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average
    )
    return _average(_safe_divide(tp, tp + fp, zero_division), average)


def recall_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division=0.0
):
    """Recall (true positive rate, TPR) TP / (TP + FN): the fraction of positives found.

    Arguments and averaging as in ``precision_score``; 0/0 happens when a class has no
    true sample. Matches sklearn.metrics.recall_score (but never warns).
    """
    tp, fp, fn = _class_counts(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average
    )
    return _average(_safe_divide(tp, tp + fn, zero_division), average)


def f1_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division=0.0
):
    """F1, the harmonic mean of precision P and recall R: 2PR / (P + R).

    Written with counts, 2 TP / (2 TP + FP + FN), which stays defined when P or R is 0/0.
    Arguments and averaging as in ``precision_score`` (macro averages per-class F1, it is
    not the F1 of the averaged P and R). Matches sklearn.metrics.f1_score (never warns).
    """
    tp, fp, fn = _class_counts(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average
    )
    return _average(_safe_divide(2 * tp, 2 * tp + fp + fn, zero_division), average)


def specificity_score(y_true, y_pred, *, pos_label=1, zero_division=0.0):
    """Specificity, the true negative rate TNR = TN / (TN + FP), for binary labels.

    The fraction of negatives predicted negative. (Not TP / (TN + FP), a formula seen in
    some cheat sheets.) Equals the recall of the negative class. scikit-learn has no twin.
    """
    tn, fp, fn, tp = _binary_counts(y_true, y_pred, pos_label)
    return float(_safe_divide(tn, tn + fp, zero_division))


def false_positive_rate(y_true, y_pred, *, pos_label=1, zero_division=0.0):
    """FPR = FP / (FP + TN) = 1 - specificity: the fraction of negatives flagged positive.

    Binary labels only. scikit-learn has no twin (``roc_curve`` gives it per threshold).
    """
    tn, fp, fn, tp = _binary_counts(y_true, y_pred, pos_label)
    return float(_safe_divide(fp, fp + tn, zero_division))


def false_negative_rate(y_true, y_pred, *, pos_label=1, zero_division=0.0):
    """FNR = FN / (FN + TP) = 1 - recall: the fraction of positives missed.

    Binary labels only. scikit-learn has no twin.
    """
    tn, fp, fn, tp = _binary_counts(y_true, y_pred, pos_label)
    return float(_safe_divide(fn, fn + tp, zero_division))


# --- scores -> ROC curve ------------------------------------------------------------------


def roc_curve(y_true, y_score, *, pos_label=None, drop_intermediate=True):
    """False and true positive rates of the rule "positive if score >= t", for every t.

    Args: y_true of shape (n,), two classes (with ``pos_label=None`` they must be {0, 1}
    or {-1, 1}, and 1 is positive). y_score of shape (n,): higher means more positive.
    drop_intermediate: drop points lying on a straight segment between their neighbours.
    Returns (fpr, tpr, thresholds), thresholds decreasing from inf (nothing positive);
    tied scores give one threshold. Matches sklearn.metrics.roc_curve.
    """
    is_pos, y_score = _check_scores(y_true, y_score, pos_label)
    order = np.argsort(-y_score, kind="stable")  # highest score first
    y_score, is_pos = y_score[order], is_pos[order]
    # Lowering t past a group of tied scores makes the whole group positive at once,
    # so thresholds sit at the last index of each group of equal scores.
    last = np.r_[np.flatnonzero(np.diff(y_score)), y_score.size - 1]
    tps = np.cumsum(is_pos)[last]  # positives with score >= t
    fps = last + 1 - tps  # negatives with score >= t
    thresholds = y_score[last]
    if drop_intermediate and fps.size > 2:
        # keep the ends and every point where the slope changes (non-zero 2nd difference)
        bends = (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0)
        keep = np.r_[True, bends, True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps, thresholds = np.r_[0, fps], np.r_[0, tps], np.r_[np.inf, thresholds]
    return fps / fps[-1], tps / tps[-1], thresholds


def roc_auc_score(y_true, y_score):
    """Area under the ROC curve by the trapezoidal rule, for binary y_true.

    Equals the probability that a random positive scores above a random negative, ties
    counting 1/2 (the Mann-Whitney U statistic divided by n_pos * n_neg). The larger of
    the two labels is the positive class. Matches sklearn.metrics.roc_auc_score (binary).
    """
    pos_label = _positive_label(y_true)  # the larger label; binary y_true only
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=pos_label)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # sum of trapezoids
