"""Intervals and paired comparisons by a crossed bootstrap over test groups and repeats.

The units of a utility study are crossed: R repeats (each a fresh training with its own seed) are
each tested on the same G held-out groups. A resample draws G groups with replacement *and*
R repeats with replacement, independently (the "pigeonhole" bootstrap of Owen 2007, which is
conservative for crossed designs), and recomputes every arm's metric on it:

    value_b(arm) = mean over the drawn repeats r of  metric(run r of arm, pooled drawn groups)

Every arm is evaluated on the same resamples, so a difference between two arms is paired: the same
test groups and the same repeats (whose runs share their initial weights across arms). The 95 %
interval is the 2.5 and 97.5 percentiles of the resampled values; the two-sided p-value of a
difference is twice the smaller share of resampled differences on either side of zero, with the
usual +1 correction, ``p = min(1, 2 * (1 + #{d_b <= 0 or >= 0}) / (1 + B))`` (the smallest level at
which the percentile interval excludes zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["Resamples", "combine", "draw_resamples", "interval", "p_value", "resampled_runs"]


class GroupStats(Protocol):
    def evaluate(self, weights: np.ndarray | None = None) -> np.ndarray: ...


@dataclass(frozen=True)
class Resamples:
    """``groups[b, g]``: times group g is drawn in resample b; ``repeats[b, r]`` likewise."""

    groups: np.ndarray
    repeats: np.ndarray

    @property
    def n(self) -> int:
        return self.groups.shape[0]


def draw_resamples(
    n_groups: int, n_repeats: int, n_bootstrap: int, rng: np.random.Generator
) -> Resamples:
    groups = rng.multinomial(n_groups, np.full(n_groups, 1.0 / n_groups), size=n_bootstrap)
    repeats = rng.multinomial(n_repeats, np.full(n_repeats, 1.0 / n_repeats), size=n_bootstrap)
    return Resamples(groups.astype(np.float64), repeats.astype(np.float64))


def resampled_runs(runs: Sequence[GroupStats], resamples: Resamples) -> np.ndarray:
    """``(B, R)``: each run's metric on each resample of the groups."""
    return np.stack([stats.evaluate(resamples.groups) for stats in runs], axis=1)


def combine(per_run: np.ndarray, resamples: Resamples) -> np.ndarray:
    """``(B,)``: the mean over each resample's drawn repeats of ``per_run[b, r]``."""
    w = resamples.repeats
    finite = np.isfinite(per_run)
    weight = (w * finite).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, (w * np.where(finite, per_run, 0.0)).sum(1) / weight, np.nan)


def interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return (float(low), float(high))


def p_value(differences: np.ndarray) -> float:
    """Two-sided bootstrap p-value of 'no difference' (see the module docstring)."""
    finite = differences[np.isfinite(differences)]
    if finite.size == 0:
        return float("nan")
    low = (1 + np.count_nonzero(finite <= 0)) / (1 + finite.size)
    high = (1 + np.count_nonzero(finite >= 0)) / (1 + finite.size)
    return float(min(1.0, 2 * min(low, high)))
