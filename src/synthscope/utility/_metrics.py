"""Test-set metrics kept as sums per test group, so that resampling groups is a weighted sum.

A model's predictions on the held-out real images are reduced to a few numbers per group (per
pullback): for Dice, the overlap and the size of prediction plus truth for each class; for
balanced accuracy, correct and total per class; for AUROC, counts of each score value among
positives and negatives. A metric on any multiset of groups (the whole test set, or a bootstrap
resample) is then ``evaluate(weights)`` with ``weights[b, g]`` = how often group ``g`` is drawn in
resample ``b``: exactly the metric recomputed on the pooled images of those groups.

Dice is pooled over all pixels of the chosen images per class (not averaged per image, which is
undefined for a class absent from an image, as calcium is from most frames), then averaged over
the classes present in the test set's label maps; class 0 (outside the field of view) is left out.

Every value averages the same classes. A resample whose drawn groups lack one of those classes in
their *truth* (say, no pullback with calcium) has no value (NaN) and is left out of the interval:
averaging over fewer classes there would mix another metric into the interval (with two test
groups, one of them the only one with calcium, the interval of a mean Dice of 0.68 reached 0.95).
The rule looks at the truth only, so the same resamples are left out for every arm and the
differences stay paired. Balanced accuracy and AUROC follow the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "AurocStats",
    "BalancedAccuracyStats",
    "DiceStats",
    "auroc_stats",
    "balanced_accuracy_stats",
    "dice_stats",
]


def _ones(n_groups: int) -> np.ndarray:
    return np.ones((1, n_groups))


@dataclass(frozen=True)
class DiceStats:
    """Per group ``g`` and scored class ``k``: ``intersection[g, k]`` = |pred = k and truth = k|,
    ``total[g, k]`` = |pred = k| + |truth = k| and ``truth[g, k]`` = |truth = k|, in pixels."""

    classes: tuple[int, ...]
    intersection: np.ndarray = field(repr=False)
    total: np.ndarray = field(repr=False)
    truth: np.ndarray = field(repr=False)

    def per_class(self, weights: np.ndarray | None = None) -> np.ndarray:
        """``(B, K)`` Dice of each class on each weighting of the groups (NaN: class unseen)."""
        w = _ones(self.intersection.shape[0]) if weights is None else np.asarray(weights, float)
        inter, total = w @ self.intersection, w @ self.total
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, 2.0 * inter / total, np.nan)

    def evaluate(self, weights: np.ndarray | None = None) -> np.ndarray:
        """``(B,)`` mean Dice over the scored classes; NaN where a class is absent from the truth."""
        w = _ones(self.intersection.shape[0]) if weights is None else np.asarray(weights, float)
        complete = ((w @ self.truth) > 0).all(axis=1)
        per = self.per_class(w)
        return np.where(complete, np.nan_to_num(per).mean(axis=1), np.nan)


def dice_stats(
    predicted: np.ndarray,
    truth: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    classes: tuple[int, ...],
) -> DiceStats:
    """Sums for :class:`DiceStats` from ``(N, H, W)`` label maps and ``(N,)`` group codes."""
    inter = np.zeros((n_groups, len(classes)))
    total = np.zeros((n_groups, len(classes)))
    present = np.zeros((n_groups, len(classes)))
    for k, value in enumerate(classes):
        p = (predicted == value).reshape(len(predicted), -1)
        t = (truth == value).reshape(len(truth), -1)
        np.add.at(inter[:, k], groups, (p & t).sum(axis=1))
        np.add.at(total[:, k], groups, p.sum(axis=1) + t.sum(axis=1))
        np.add.at(present[:, k], groups, t.sum(axis=1))
    return DiceStats(tuple(classes), inter, total, present)


@dataclass(frozen=True)
class BalancedAccuracyStats:
    """Per group and true class: ``correct[g, k]`` and ``count[g, k]`` images."""

    correct: np.ndarray = field(repr=False)
    count: np.ndarray = field(repr=False)

    def evaluate(self, weights: np.ndarray | None = None) -> np.ndarray:
        """``(B,)`` mean recall over the test set's classes; NaN where one is not drawn."""
        w = _ones(self.correct.shape[0]) if weights is None else np.asarray(weights, float)
        scored = self.count.sum(axis=0) > 0
        correct, count = (w @ self.correct)[:, scored], (w @ self.count)[:, scored]
        complete = (count > 0).all(axis=1)
        recall = correct / np.where(count > 0, count, 1.0)
        return np.where(complete, recall.mean(axis=1), np.nan)


def balanced_accuracy_stats(
    probabilities: np.ndarray, truth: np.ndarray, groups: np.ndarray, n_groups: int
) -> BalancedAccuracyStats:
    n_classes = probabilities.shape[1]
    hit = (probabilities.argmax(axis=1) == truth).astype(float)
    correct = np.zeros((n_groups, n_classes))
    count = np.zeros((n_groups, n_classes))
    np.add.at(correct, (groups, truth), hit)
    np.add.at(count, (groups, truth), 1.0)
    return BalancedAccuracyStats(correct, count)


@dataclass(frozen=True)
class AurocStats:
    """For each scored class (one for two classes; every class one-vs-rest for more): counts per
    group of positives and negatives at each distinct score value, values in ascending order."""

    positives: tuple[np.ndarray, ...] = field(repr=False)
    negatives: tuple[np.ndarray, ...] = field(repr=False)

    def evaluate(self, weights: np.ndarray | None = None) -> np.ndarray:
        """``(B,)`` AUROC (macro mean one-vs-rest for more than two classes); ties count half.

        NaN where a class has no positives or no negatives among the drawn groups."""
        n_groups = self.positives[0].shape[0]
        w = _ones(n_groups) if weights is None else np.asarray(weights, float)
        values = []
        for pos_g, neg_g in zip(self.positives, self.negatives, strict=True):
            pos, neg = w @ pos_g, w @ neg_g  # (B, U)
            below = np.cumsum(neg, axis=1) - neg
            pairs = pos.sum(1) * neg.sum(1)
            with np.errstate(invalid="ignore", divide="ignore"):
                values.append(
                    np.where(pairs > 0, (pos * (below + 0.5 * neg)).sum(1) / pairs, np.nan)
                )
        return np.stack(values).mean(axis=0)  # NaN where a class lacks positives or negatives


def auroc_stats(
    probabilities: np.ndarray, truth: np.ndarray, groups: np.ndarray, n_groups: int
) -> AurocStats:
    n_classes = probabilities.shape[1]
    scored = [1] if n_classes == 2 else [k for k in range(n_classes) if np.any(truth == k)]
    positives, negatives = [], []
    for k in scored:
        values, inverse = np.unique(probabilities[:, k], return_inverse=True)
        pos = np.zeros((n_groups, values.size))
        neg = np.zeros((n_groups, values.size))
        is_pos = truth == k
        np.add.at(pos, (groups[is_pos], inverse[is_pos]), 1.0)
        np.add.at(neg, (groups[~is_pos], inverse[~is_pos]), 1.0)
        positives.append(pos)
        negatives.append(neg)
    return AurocStats(tuple(positives), tuple(negatives))
