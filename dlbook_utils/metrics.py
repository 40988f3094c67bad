"""Classification metrics: confusion matrix, rates, F1, ROC, precision-recall, intervals.

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
- ``roc_curve``, ``roc_auc_score``, ``precision_recall_curve`` and
  ``average_precision_score`` raise a ``ValueError`` when ``y_true`` holds a
  single class, where scikit-learn 1.9 warns (``UndefinedMetricWarning``) and returns NaN.
- scikit-learn has no specificity, false positive or false negative rate functions.
- ``proportion_confint`` (an interval for an accuracy) is statsmodels', for the
  ``"normal"`` and ``"wilson"`` methods.

Labels may be integers, booleans or strings, given as lists or NumPy arrays.
"""

import math
from statistics import NormalDist

import numpy as np

from ._metrics_checks import (
    AVERAGES,
    check_binary,
    check_labels,
    check_proportion,
    check_scores,
    check_targets,
    positive_label,
)

__all__ = [
    "check_targets",
    "check_labels",
    "check_scores",
    "check_proportion",
    "positive_label",
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
    "counts_at_thresholds",
    "precision_recall_curve",
    "average_precision_score",
    "proportion_confint",
]

# --- counting helpers (kept out of the metric functions so they read like the maths) --


def _binary_counts(y_true, y_pred, pos_label=1):
    """The four counts (TN, FP, FN, TP) of a binary problem, positive class ``pos_label``."""
    y_true, y_pred = check_targets(y_true, y_pred)
    check_binary(y_true, y_pred, pos_label, average=None)
    t, p = y_true == pos_label, y_pred == pos_label  # is truly / is predicted positive
    tn, fp = np.sum(~t & ~p), np.sum(~t & p)
    fn, tp = np.sum(t & ~p), np.sum(t & p)
    return int(tn), int(fp), int(fn), int(tp)


def _class_counts(y_true, y_pred, *, labels, pos_label, average):
    """Per-class (TP, FP, FN), each of shape (n_labels,); summed to shape (1,) if micro."""
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    y_true, y_pred = check_targets(y_true, y_pred)
    if average == "binary":
        check_binary(y_true, y_pred, pos_label)
        labels = np.asarray([pos_label])
    else:
        labels = check_labels(y_true, y_pred, labels)
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
    y_true, y_pred = check_targets(y_true, y_pred)
    labels = check_labels(y_true, y_pred, labels)
    T = (y_true[:, None] == labels[None, :]).astype(np.int64)  # (n, k) one-hot truths
    P = (y_pred[:, None] == labels[None, :]).astype(np.int64)  # (n, k) one-hot guesses
    return T.T @ P  # C[i, j] = sum over samples of T[:, i] * P[:, j]


def accuracy_score(y_true, y_pred):
    """Fraction of samples whose predicted label equals the true label.

    Args: y_true, y_pred of shape (n,). Returns a float in [0, 1].
    Matches sklearn.metrics.accuracy_score.
    """
    y_true, y_pred = check_targets(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def error_rate(y_true, y_pred):
    """Fraction of misclassified samples, 1 - accuracy. scikit-learn has no twin."""
    y_true, y_pred = check_targets(y_true, y_pred)
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

    The fraction of negatives predicted negative. (Not TP / (TN + FP), which is not a
    rate.) Equals the recall of the negative class. scikit-learn has no twin.
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


# --- scores -> ROC and precision-recall curves ------------------------------------------


def counts_at_thresholds(is_pos, y_score):
    """Negatives and positives scored >= t, for every distinct score t, highest first.

    The core of ``roc_curve`` and ``precision_recall_curve``. Args: is_pos, boolean of
    shape (n,) (is the sample positive?); y_score, float of shape (n,). Returns
    (fps, tps, thresholds), each of shape (n_thresholds,): the distinct scores in
    decreasing order and, at each, the negatives and positives with score >= it.
    Matches the fps, tps and thresholds of sklearn.metrics.confusion_matrix_at_thresholds
    (which also returns tns and fns, and takes labels rather than a boolean mask).
    """
    order = np.argsort(-y_score, kind="stable")  # highest score first
    y_score, is_pos = y_score[order], is_pos[order]
    # Lowering t past a group of tied scores makes the whole group positive at once,
    # so thresholds sit at the last index of each group of equal scores.
    last = np.r_[np.flatnonzero(np.diff(y_score)), y_score.size - 1]
    tps = np.cumsum(is_pos)[last]  # positives with score >= t
    fps = last + 1 - tps  # negatives with score >= t
    return fps, tps, y_score[last]


def roc_curve(y_true, y_score, *, pos_label=None, drop_intermediate=True):
    """False and true positive rates of the rule "positive if score >= t", for every t.

    Args: y_true of shape (n,), two classes (with ``pos_label=None`` they must be {0, 1}
    or {-1, 1}, and 1 is positive). y_score of shape (n,): higher means more positive.
    drop_intermediate: drop points lying on a straight segment between their neighbours.
    Returns (fpr, tpr, thresholds), thresholds decreasing from inf (nothing positive);
    tied scores give one threshold. Matches sklearn.metrics.roc_curve.
    """
    is_pos, y_score = check_scores(y_true, y_score, pos_label)
    fps, tps, thresholds = counts_at_thresholds(is_pos, y_score)
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
    pos_label = positive_label(y_true)  # the larger label; binary y_true only
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=pos_label)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # sum of trapezoids


def precision_recall_curve(y_true, y_score, *, pos_label=None):
    """Precision and recall of the rule "positive if score >= t", for every t.

    Args as in ``roc_curve``. Returns (precision, recall, thresholds): thresholds the
    distinct scores in increasing order, shape (n_thresholds,); precision and recall of
    shape (n_thresholds + 1,), recall decreasing, ending with the point (recall 0,
    precision 1) that has no threshold. Matches sklearn.metrics.precision_recall_curve
    (its default ``drop_intermediate=False``; no sample weights), except that the
    thresholds are always float64 where scikit-learn keeps the scores' dtype.
    """
    is_pos, y_score = check_scores(y_true, y_score, pos_label)
    fps, tps, thresholds = counts_at_thresholds(is_pos, y_score)
    precision = tps / (tps + fps)  # tps + fps >= 1: some sample has score >= t
    recall = tps / tps[-1]
    # lowest threshold first (recall 1), then the end point (recall 0, precision 1)
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision_score(y_true, y_score, *, pos_label=1):
    """Average precision AP = sum_n (R_n - R_{n+1}) P_n over the precision-recall curve.

    The precision at each threshold weighted by the recall gained there: the area under
    the curve's step function, without interpolation. Binary y_true; ``pos_label`` is the
    positive class. Matches sklearn.metrics.average_precision_score (binary case).
    """
    precision, recall, _ = precision_recall_curve(y_true, y_score, pos_label=pos_label)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))  # -0.0 -> 0.0


# --- uncertainty of a measured accuracy ----------------------------------------------------


def proportion_confint(count, nobs, alpha=0.05, method="normal"):
    """Confidence interval of level 1 - alpha for a proportion, e.g. an accuracy.

    Args: count successes (correct predictions) out of nobs trials (test samples);
    method "normal" (p +- z sqrt(p (1 - p) / n), the Wald interval) or "wilson" (the p
    whose own standard error puts the observed p within z of it). Returns (low, high),
    clipped to [0, 1]. Matches statsmodels.stats.proportion.proportion_confint for these
    two methods. Taught in chapter 7.
    """
    check_proportion(count, nobs, alpha, method)
    p, n = count / nobs, nobs
    z = NormalDist().inv_cdf(1 - alpha / 2)  # 1.96 for alpha = 0.05
    if method == "normal":
        centre, half = p, z * math.sqrt(p * (1 - p) / n)
    else:  # wilson: solve (p - q)^2 = z^2 q (1 - q) / n for q
        shrink = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / shrink
        half = z / shrink * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return max(0.0, centre - half), min(1.0, centre + half)
