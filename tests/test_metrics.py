"""dlbook_utils.metrics against sklearn.metrics on seeded random labels and scores."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from dlbook_utils import metrics

# scikit-learn warns about a 1x1 confusion matrix when a single label occurs; ours is silent.
pytestmark = pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")

NAMES = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])
PRF = ["precision_score", "recall_score", "f1_score"]


def random_case(seed):
    """Imbalanced multiclass labels; predictions may miss a class or invent one."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n = int(rng.integers(1, 80))
    y_true = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 0.5)))
    wrong = rng.random(n) < rng.uniform(0.0, 0.8)
    # predicted classes: sometimes a subset (classes absent from predictions), sometimes
    # one more class than the truth has (a class present only in predictions)
    k_pred = int(rng.integers(1, k + 2))
    y_pred = np.where(wrong, rng.integers(0, k_pred, size=n), y_true)
    if seed % 3 == 1:  # string labels
        y_true, y_pred = NAMES[y_true], NAMES[y_pred]
    if seed % 5 == 2:  # plain Python lists
        y_true, y_pred = y_true.tolist(), y_pred.tolist()
    return y_true, y_pred


def binary_case(seed, labels=(0, 1)):
    """Imbalanced binary labels drawn from ``labels``, the second being positive."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(2, 120))
    y_true = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(int)
    y_pred = np.where(rng.random(n) < rng.uniform(0.0, 0.6), 1 - y_true, y_true)
    return np.asarray(labels)[y_true], np.asarray(labels)[y_pred]


def score_case(seed):
    """Binary labels and scores: rounded (many ties), integer, float32 or continuous."""
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(2, 200))
    y_true = (rng.random(n) < rng.uniform(0.1, 0.9)).astype(int)
    y_true[:2] = [0, 1]  # both classes present
    score = y_true * rng.uniform(0, 2) + rng.normal(size=n)
    kind = seed % 4
    if kind == 0:
        score = np.round(score, 1)
    elif kind == 1:
        score = np.round(3 * score).astype(int)
    elif kind == 2:
        score = score.astype(np.float32)
    return y_true, score


def mann_whitney_auc(y_true, score):
    """P(score of a random positive > score of a random negative), ties counting 1/2."""
    pos, neg = score[y_true == 1][:, None], score[y_true == 0][None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def test_random_cases_cover_the_hard_cases():
    """The generators really produce what the comparisons below rely on."""
    seen = set()
    for seed in range(60):
        y_true, y_pred = random_case(seed)
        t, p = set(np.asarray(y_true).tolist()), set(np.asarray(y_pred).tolist())
        seen.add("absent from predictions" if t - p else "")
        seen.add("only in predictions" if p - t else "")
        seen.add("multiclass" if len(t | p) > 2 else "binary")
        seen.add("strings" if np.asarray(y_true).dtype.kind == "U" else "integers")
        seen.add("list" if isinstance(y_true, list) else "array")
    for seed in range(60):
        y_true, score = score_case(seed)
        seen.add("ties" if np.unique(score).size < score.size else "")
        seen.add("imbalanced" if abs(y_true.mean() - 0.5) > 0.3 else "")
    wanted = {"absent from predictions", "only in predictions", "multiclass", "binary"}
    wanted |= {"strings", "integers", "list", "array", "ties", "imbalanced"}
    assert wanted <= seen, wanted - seen


# --- confusion matrix and accuracy -------------------------------------------------------


def test_confusion_matrix_and_accuracy_match_sklearn():
    for seed in range(60):
        y_true, y_pred = random_case(seed)
        ours = metrics.confusion_matrix(y_true, y_pred)
        ref = skm.confusion_matrix(y_true, y_pred)
        np.testing.assert_array_equal(ours, ref, err_msg=f"seed {seed}")
        assert ours.dtype == np.int64
        acc = metrics.accuracy_score(y_true, y_pred)
        assert type(acc) is float and acc == skm.accuracy_score(y_true, y_pred), seed
        err = metrics.error_rate(y_true, y_pred)
        assert type(err) is float
        np.testing.assert_allclose(err, 1 - skm.accuracy_score(y_true, y_pred), atol=1e-15)


def test_confusion_matrix_with_given_labels_matches_sklearn():
    for seed in range(0, 60, 3):
        y_true, y_pred = random_case(seed)
        present = np.union1d(y_true, y_pred)
        rng = np.random.default_rng(seed)
        # permuted order, a subset (samples with other labels are dropped), an unseen label
        for labels in (rng.permutation(present), present[: max(1, present.size - 1)]):
            labels = [*labels, 99] if labels.dtype.kind == "i" else [*labels, "zzz"]
            if not np.isin(labels, y_true).any():
                continue  # scikit-learn refuses labels none of which occur in y_true
            np.testing.assert_array_equal(
                metrics.confusion_matrix(y_true, y_pred, labels=labels),
                skm.confusion_matrix(y_true, y_pred, labels=labels),
                err_msg=f"seed {seed} labels {labels}",
            )


def test_confusion_matrix_small_example_by_hand():
    C = metrics.confusion_matrix(["a", "b", "b", "c"], ["a", "c", "b", "c"])
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


# --- precision, recall, F1 ---------------------------------------------------------------


@pytest.mark.parametrize("average", ["macro", "micro", None])
def test_precision_recall_f1_multiclass_match_sklearn(average):
    for seed in range(60):
        y_true, y_pred = random_case(seed)
        zero_division = [0.0, 1.0, np.nan][seed % 3]
        for name in PRF:
            ours = getattr(metrics, name)(
                y_true, y_pred, average=average, zero_division=zero_division
            )
            ref = getattr(skm, name)(
                y_true, y_pred, average=average, zero_division=zero_division
            )
            if average is None:
                assert isinstance(ours, np.ndarray) and ours.shape == ref.shape
            else:
                assert type(ours) is float
            np.testing.assert_allclose(ours, ref, rtol=1e-14, err_msg=f"{name} {seed}")


@pytest.mark.parametrize("average", ["macro", "micro", None])
def test_precision_recall_f1_with_given_labels_match_sklearn(average):
    for seed in range(0, 60, 2):
        y_true, y_pred = random_case(seed)
        present = np.union1d(y_true, y_pred)
        rng = np.random.default_rng(seed)
        subset = rng.permutation(present)[: int(rng.integers(1, present.size + 1))]
        unseen = 99 if present.dtype.kind == "i" else "zzz"
        for labels in (subset, [*subset, unseen]):  # an unseen label scores zero_division
            for name in PRF:
                kwargs = dict(labels=labels, average=average, zero_division=0.0)
                np.testing.assert_allclose(
                    getattr(metrics, name)(y_true, y_pred, **kwargs),
                    getattr(skm, name)(y_true, y_pred, **kwargs),
                    rtol=1e-14,
                    err_msg=f"{name} seed {seed} labels={labels}",
                )


@pytest.mark.parametrize(
    ("labels", "pos_label"),
    [((0, 1), 1), ((0, 1), 0), ((-1, 1), 1), (("no", "yes"), "yes")],
)
def test_binary_average_matches_sklearn(labels, pos_label):
    for seed in range(40):
        y_true, y_pred = binary_case(seed, labels)
        for name in PRF:
            for zero_division in (0.0, 1.0):
                kwargs = dict(pos_label=pos_label, zero_division=zero_division)
                ours = getattr(metrics, name)(y_true, y_pred, **kwargs)
                assert type(ours) is float
                ref = getattr(skm, name)(y_true, y_pred, **kwargs)
                assert ours == pytest.approx(ref, rel=1e-14, abs=0), (name, seed)


def test_zero_division_cases_match_sklearn_and_do_not_warn():
    # class 2 is never predicted (precision 0/0), class 3 only predicted (recall 0/0)
    y_true, y_pred = [0, 1, 2, 2, 1], [0, 1, 1, 3, 1]
    # one class only, positive class absent from both: everything is 0/0
    cases = [(y_true, y_pred, "macro"), ([0, 0, 0], [0, 0, 0], "binary")]
    for y_t, y_p, average in cases:
        for zero_division in (0.0, 1.0, np.nan):
            for name in PRF:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    ours = getattr(metrics, name)(
                        y_t, y_p, average=average, zero_division=zero_division
                    )
                ref = getattr(skm, name)(
                    y_t, y_p, average=average, zero_division=zero_division
                )
                np.testing.assert_allclose(ours, ref, rtol=1e-14, err_msg=name)
    # the default behaves like scikit-learn's "warn": the value 0.0, here without warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.precision_score([0, 0, 0], [0, 0, 0]) == 0.0


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 1, 1, 0], [1, 1, 1, 1]),  # everything predicted positive
        ([0, 1, 1, 0], [0, 0, 0, 0]),  # nothing predicted positive
        ([1, 1, 1], [1, 0, 1]),  # no negatives in y_true
        (["x", "x"], ["x", "x"]),  # one class, pos_label=1 absent: allowed, 0/0
    ],
)
def test_degenerate_binary_cases_match_sklearn(y_true, y_pred):
    for name in PRF:
        for zero_division in (0.0, 1.0):
            ours = getattr(metrics, name)(y_true, y_pred, zero_division=zero_division)
            ref = getattr(skm, name)(y_true, y_pred, zero_division=zero_division)
            assert ours == ref, name
    assert metrics.f1_score(y_true, y_pred, zero_division="warn") == skm.f1_score(
        y_true, y_pred, zero_division=0.0
    )


def test_f1_is_the_harmonic_mean_of_precision_and_recall():
    y_true, y_pred = binary_case(3)
    p = metrics.precision_score(y_true, y_pred)
    r = metrics.recall_score(y_true, y_pred)
    assert metrics.f1_score(y_true, y_pred) == pytest.approx(2 * p * r / (p + r))


# --- specificity, FPR, FNR ---------------------------------------------------------------


@pytest.mark.parametrize(("labels", "pos_label"), [((0, 1), 1), (("neg", "pos"), "pos")])
def test_binary_rates_from_sklearn_counts(labels, pos_label):
    for seed in range(40):
        y_true, y_pred = binary_case(seed, labels)
        negative = labels[0] if pos_label == labels[1] else labels[1]
        cm = skm.confusion_matrix(y_true, y_pred, labels=[negative, pos_label])
        tn, fp, fn, tp = (int(c) for c in cm.ravel())
        tnr = metrics.specificity_score(y_true, y_pred, pos_label=pos_label)
        fpr = metrics.false_positive_rate(y_true, y_pred, pos_label=pos_label)
        fnr = metrics.false_negative_rate(y_true, y_pred, pos_label=pos_label)
        assert all(type(x) is float for x in (tnr, fpr, fnr))
        assert tnr == (tn / (tn + fp) if tn + fp else 0.0)
        assert fpr == (fp / (fp + tn) if tn + fp else 0.0)
        assert fnr == (fn / (fn + tp) if fn + tp else 0.0)
        if tn + fp:
            assert fpr == pytest.approx(1 - tnr, abs=1e-15)
            # specificity is the recall of the negative class
            assert tnr == skm.recall_score(y_true, y_pred, pos_label=negative)
        if fn + tp:
            recall = skm.recall_score(y_true, y_pred, pos_label=pos_label)
            assert fnr == pytest.approx(1 - recall, abs=1e-15)


def test_specificity_is_not_the_cheat_sheet_formula():
    y_true, y_pred = [0, 0, 0, 1, 1], [0, 1, 0, 1, 0]  # TN=2, FP=1, FN=1, TP=1
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred).ravel()
    assert metrics.specificity_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert tp / (tn + fp) == pytest.approx(1 / 3)  # the seed's TP / (TN + FP): wrong
    assert metrics.specificity_score(y_true, y_pred) != pytest.approx(tp / (tn + fp))


def test_rates_zero_division():
    # no negatives in y_true: specificity and FPR are 0/0
    assert metrics.specificity_score([1, 1], [1, 0]) == 0.0
    assert metrics.false_positive_rate([1, 1], [1, 0], zero_division=1.0) == 1.0
    assert np.isnan(metrics.false_negative_rate([0, 0], [0, 1], zero_division=np.nan))


# --- ROC curve and AUC -------------------------------------------------------------------


@pytest.mark.parametrize("drop_intermediate", [True, False])
def test_roc_curve_matches_sklearn(drop_intermediate):
    for seed in range(60):
        y_true, score = score_case(seed)
        ours = metrics.roc_curve(y_true, score, drop_intermediate=drop_intermediate)
        ref = skm.roc_curve(y_true, score, drop_intermediate=drop_intermediate)
        for name, a, b in zip(("fpr", "tpr", "thresholds"), ours, ref, strict=True):
            assert a.dtype == b.dtype == np.float64, name
            np.testing.assert_array_equal(a, b, err_msg=f"{name} seed {seed}")
        assert ours[2][0] == np.inf
        # ties: one threshold per distinct score (before intermediate points are dropped)
        if not drop_intermediate:
            assert ours[2].size == np.unique(score).size + 1


@pytest.mark.parametrize("curve", ["roc_curve", "precision_recall_curve"])
def test_curve_with_pos_label_matches_sklearn(curve):
    for seed in range(20):
        y_true, score = score_case(seed)
        for labels, pos_label in [((-1, 1), None), (("ham", "spam"), "spam"), ((3, 7), 3)]:
            y = np.asarray(labels)[y_true]
            ours = getattr(metrics, curve)(y, score, pos_label=pos_label)
            ref = getattr(skm, curve)(y, score, pos_label=pos_label)
            for a, b in zip(ours, ref, strict=True):
                np.testing.assert_array_equal(a, b, err_msg=f"seed {seed} {labels}")


def test_roc_auc_matches_sklearn_and_mann_whitney():
    for seed in range(60):
        y_true, score = score_case(seed)
        auc = metrics.roc_auc_score(y_true, score)
        assert type(auc) is float
        # same trapezoids in the same order as scikit-learn: equal to the last bit
        assert auc == skm.roc_auc_score(y_true, score), seed
        np.testing.assert_allclose(auc, mann_whitney_auc(y_true, score), rtol=1e-12)


def test_roc_auc_with_string_labels_takes_the_larger_label_as_positive():
    y_true, score = score_case(5)
    y = np.array(["no", "yes"])[y_true]
    assert metrics.roc_auc_score(y, score) == pytest.approx(skm.roc_auc_score(y, score))


def test_roc_auc_extremes():
    assert metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert metrics.roc_auc_score([0, 0, 1, 1], [0.4, 0.3, 0.2, 0.1]) == 0.0
    assert metrics.roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f: f.accuracy_score([0, 1, 1], [0, 1]), "different lengths|inconsistent"),
        (lambda f: f.confusion_matrix([], []), "empty|minimum of 1 sample"),
        (
            lambda f: f.accuracy_score([0, 1, 0], [0.2, 0.9, 0.4]),
            "Classification metrics can't handle a mix of binary and continuous",
        ),
        (
            lambda f: f.precision_score([0, 1, 2], [0, 1, 1]),
            "Target is multiclass but average='binary'",
        ),
        (lambda f: f.recall_score(["a", "b"], ["a", "a"]), "pos_label=1 is not a valid"),
        (lambda f: f.accuracy_score(["a", "b"], [0, 1]), "Mix of label input types"),
        (
            lambda f: f.roc_curve(["a", "b"], [0.1, 0.5]),
            "pos_label is not specified",
        ),
    ],
)
def test_bad_input_raises_like_sklearn(call, match):
    for module in (metrics, skm):
        with pytest.raises(ValueError, match=match):
            call(module)


@pytest.mark.parametrize("y_true", [[1, 1, 1], [0, 0, 0], ["a", "a", "a"]])
def test_one_class_roc_raises_where_sklearn_returns_nan(y_true):
    score = [0.1, 0.5, 0.2]
    with pytest.raises(ValueError, match="Only one class present in y_true"):
        metrics.roc_auc_score(y_true, score)
    with pytest.raises(ValueError, match="Only one class present in y_true"):
        metrics.roc_curve(y_true, score, pos_label=y_true[0])
    # scikit-learn 1.9 warns and returns NaN instead of raising
    with pytest.warns(UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(skm.roc_auc_score(y_true, score))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: metrics.accuracy_score([0, 1], np.zeros((2, 3))), r"y_pred must be 1-D"),
        (lambda: metrics.confusion_matrix([[0, 1]], [[0, 1]]), r"y_true must be 1-D"),
        (lambda: metrics.f1_score([0, 1], [0, 1], average="weighted"), "average must be"),
        (lambda: metrics.f1_score([0, 1], [0, 1], zero_division=0.5), "zero_division"),
        (lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[0, 0]), "distinct"),
        (lambda: metrics.specificity_score([0, 1, 2], [0, 1, 2]), "Binary targets"),
        (lambda: metrics.specificity_score([0, 1], [0, 1], pos_label=2), "pos_label=2"),
        (lambda: metrics.roc_auc_score([0, 1, 2], [0.1, 0.5, 0.7]), "binary y_true only"),
        (lambda: metrics.roc_auc_score([[0, 1]], [[0.1, 0.7]]), r"y_true must be 1-D"),
        (lambda: metrics.roc_curve([0, 1], [0.1, np.nan]), "NaN or infinity"),
        (lambda: metrics.roc_curve([0, 1], [0.1, 0.2, 0.3]), "different lengths"),
        (lambda: metrics.roc_curve([0.5, 1.0], [0.1, 0.2]), "class labels"),
        (lambda: metrics.confusion_matrix([0, 1], [1, 1], labels=["a"]), "mix strings"),
    ],
)
def test_bad_input_raises_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_integral_float_labels_are_labels():
    y_true, y_pred = [0, 1, 2, 1], np.array([0.0, 1.0, 1.0, 1.0])
    assert metrics.accuracy_score(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )


# --- precision-recall curve, average precision, intervals --------------------------------


def test_counts_at_thresholds_match_sklearn():
    for seed in range(40):
        y_true, score = score_case(seed)
        fps, tps, thresholds = metrics.counts_at_thresholds(
            y_true == 1, np.asarray(score, dtype=np.float64)
        )
        _, sk_fps, _, sk_tps, sk_thr = skm.confusion_matrix_at_thresholds(y_true, score)
        for a, b in ((fps, sk_fps), (tps, sk_tps), (thresholds, sk_thr)):
            np.testing.assert_array_equal(a, b, err_msg=f"seed {seed}")


def test_precision_recall_curve_matches_sklearn():
    for seed in range(60):
        y_true, score = score_case(seed)
        ours = metrics.precision_recall_curve(y_true, score)
        ref = skm.precision_recall_curve(y_true, score)
        for name, a, b in zip(("precision", "recall", "thr"), ours, ref, strict=True):
            # thresholds are float64 here; scikit-learn keeps the scores' dtype
            assert a.dtype == np.float64, name
            np.testing.assert_array_equal(a, b, err_msg=f"{name} seed {seed}")
        assert ours[0][-1] == 1.0 and ours[1][-1] == 0.0 and ours[1][0] == 1.0


def test_average_precision_matches_sklearn():
    for seed in range(60):
        y_true, score = score_case(seed)
        ap = metrics.average_precision_score(y_true, score)
        assert type(ap) is float
        assert ap == pytest.approx(skm.average_precision_score(y_true, score), abs=1e-15)
        y = np.array(["no", "yes"])[y_true]
        assert metrics.average_precision_score(y, score, pos_label="yes") == pytest.approx(
            skm.average_precision_score(y, score, pos_label="yes"), abs=1e-15
        )


def test_average_precision_extremes():
    # a perfect ranking has AP 1; the worst puts both positives last: (1/3 + 2/4) / 2
    assert metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    worst = metrics.average_precision_score([0, 0, 1, 1], [0.4, 0.3, 0.2, 0.1])
    assert worst == pytest.approx((1 / 3 + 2 / 4) / 2)
    # all scores tied: one threshold, precision = the share of positives
    assert metrics.average_precision_score([0, 1, 0, 0], [0.5] * 4) == 0.25


@pytest.mark.parametrize("method", ["normal", "wilson"])
def test_proportion_confint_matches_statsmodels(method):
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(7)
    cases = [(0, 10), (10, 10), (1, 1), (137, 143), (50, 100), (999, 1000)]
    for _ in range(200):
        nobs = int(rng.integers(1, 5000))
        cases.append((int(rng.integers(0, nobs + 1)), nobs))
    for count, nobs in cases:
        for alpha in (0.05, 0.01, 0.32):
            ours = metrics.proportion_confint(count, nobs, alpha=alpha, method=method)
            ref = proportion_confint(count, nobs, alpha=alpha, method=method)
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-15)
            assert 0.0 <= ours[0] <= count / nobs + 1e-15 <= ours[1] + 2e-15 <= 1 + 2e-15


def test_wilson_interval_solves_its_defining_equation():
    # the ends q satisfy (p - q)^2 = z^2 q (1 - q) / n
    count, nobs, z = 130, 143, 1.959963984540054
    p = count / nobs
    for q in metrics.proportion_confint(count, nobs, method="wilson"):
        assert (p - q) ** 2 == pytest.approx(z**2 * q * (1 - q) / nobs, rel=1e-9)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: metrics.proportion_confint(5, 0), "nobs must be an integer >= 1"),
        (lambda: metrics.proportion_confint(11, 10), "count must be an integer"),
        (lambda: metrics.proportion_confint(0.5, 10), "count must be an integer"),
        (lambda: metrics.proportion_confint(5, 10, alpha=1.5), "alpha must be"),
        (lambda: metrics.proportion_confint(5, 10, method="exact"), "method must be"),
        (lambda: metrics.precision_recall_curve([1, 1], [0.1, 0.2]), "Only one class"),
        (lambda: metrics.average_precision_score([0, 0], [0.1, 0.2]), "Only one class"),
        (lambda: metrics.precision_recall_curve(["a", "b"], [0.1, 0.5]), "pos_label"),
    ],
)
def test_bad_interval_and_curve_input_raises_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
