"""Per-group metric sums: the whole-set value equals the usual formula, and a weighting of the
groups equals the metric on the pooled images of the drawn groups."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from synthscope.utility._metrics import auroc_stats, balanced_accuracy_stats, dice_stats


def _maps(seed: int, n: int = 12, size: int = 8, classes: int = 4):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, classes, size=(n, size, size))
    predicted = np.where(
        rng.random(truth.shape) < 0.7, truth, rng.integers(0, classes, truth.shape)
    )
    groups = rng.integers(0, 4, size=n)
    return predicted, truth, groups


def _pooled_dice(predicted, truth, classes):
    values = []
    for k in classes:
        p, t = predicted == k, truth == k
        total = p.sum() + t.sum()
        if total:
            values.append(2 * (p & t).sum() / total)
    return np.mean(values)


def test_dice_is_pooled_over_pixels_and_leaves_class_0_out():
    predicted, truth, groups = _maps(0)
    stats = dice_stats(predicted, truth, groups, 4, (1, 2, 3))
    assert stats.evaluate()[0] == pytest.approx(_pooled_dice(predicted, truth, (1, 2, 3)))
    with_zero = _pooled_dice(predicted, truth, (0, 1, 2, 3))
    assert stats.evaluate()[0] != pytest.approx(with_zero)
    assert stats.classes == (1, 2, 3)


def test_group_weights_equal_pooling_the_drawn_groups():
    predicted, truth, groups = _maps(1)
    stats = dice_stats(predicted, truth, groups, 4, (1, 2, 3))
    weights = np.array([[2, 0, 1, 1], [0, 0, 3, 1]], dtype=float)
    for b, w in enumerate(weights):
        index = np.concatenate(
            [np.flatnonzero(groups == g) for g in range(4) for _ in range(int(w[g]))]
        )
        expected = _pooled_dice(predicted[index], truth[index], (1, 2, 3))
        assert stats.evaluate(weights)[b] == pytest.approx(expected)


def test_a_resample_lacking_a_class_in_its_truth_has_no_value():
    """Every value averages the same classes: drawing only the group without class 2 gives no
    Dice at all (NaN), not the Dice of class 1 alone."""
    truth = np.zeros((2, 4, 4), dtype=int)
    truth[0, :2] = 1
    truth[1, :2] = 2
    predicted = truth.copy()
    stats = dice_stats(predicted, truth, np.array([0, 1]), 2, (1, 2))
    values = stats.evaluate(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]]))
    assert np.isnan(values[0]) and values[1] == 1.0 and np.isnan(values[2])
    assert np.isnan(stats.per_class(np.array([[1.0, 0.0]]))[0, 1])
    # The same rule for balanced accuracy and AUROC: a resample without one class has no value.
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    labels, groups = np.array([0, 1, 0]), np.array([0, 1, 2])
    only_negatives = np.array([[1.0, 0.0, 1.0]])
    assert np.isnan(balanced_accuracy_stats(probs, labels, groups, 3).evaluate(only_negatives)[0])
    assert np.isnan(auroc_stats(probs, labels, groups, 3).evaluate(only_negatives)[0])


@pytest.mark.parametrize("n_classes", [2, 3])
def test_balanced_accuracy_and_auroc_match_sklearn(n_classes):
    rng = np.random.default_rng(n_classes)
    n = 60
    truth = rng.integers(0, n_classes, n)
    logits = rng.normal(size=(n, n_classes)) + 1.5 * np.eye(n_classes)[truth]
    logits = np.round(logits, 1)  # ties
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    groups = rng.integers(0, 5, n)
    ba = balanced_accuracy_stats(probs, truth, groups, 5)
    assert ba.evaluate()[0] == pytest.approx(balanced_accuracy_score(truth, probs.argmax(1)))
    auc = auroc_stats(probs, truth, groups, 5)
    expected = (
        roc_auc_score(truth, probs[:, 1])
        if n_classes == 2
        else roc_auc_score(truth, probs, multi_class="ovr", average="macro")
    )
    assert auc.evaluate()[0] == pytest.approx(expected)
    # A weighting equals the metric on the drawn groups' samples, repeated.
    w = np.array([[0, 2, 1, 0, 3]], dtype=float)
    index = np.concatenate(
        [np.flatnonzero(groups == g) for g in range(5) for _ in range(int(w[0, g]))]
    )
    assert ba.evaluate(w)[0] == pytest.approx(
        balanced_accuracy_score(truth[index], probs[index].argmax(1))
    )
    expected_w = (
        roc_auc_score(truth[index], probs[index, 1])
        if n_classes == 2
        else roc_auc_score(truth[index], probs[index], multi_class="ovr", average="macro")
    )
    assert auc.evaluate(w)[0] == pytest.approx(expected_w)
