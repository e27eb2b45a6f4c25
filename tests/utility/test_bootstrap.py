"""The crossed bootstrap: intervals cover the truth on a toy, differences are paired, and the
p-value of 'no difference' is calibrated."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.utility._bootstrap import (
    combine,
    draw_resamples,
    interval,
    p_value,
    resampled_runs,
)
from synthscope.utility._metrics import DiceStats

TRUTH = 0.7


def toy_runs(rng, n_groups, n_repeats, run_sd, shift=0.0, group_dice=None):
    """Runs whose Dice on group g is the group's own Dice plus a per-run offset; the population
    (expected over groups and runs) Dice is TRUTH + shift. Every group has 400 pixels."""
    if group_dice is None:
        group_dice = np.clip(rng.normal(TRUTH, 0.12, n_groups), 0.05, 0.95)
    runs = []
    for _ in range(n_repeats):
        dice = np.clip(group_dice + shift + rng.normal(0, run_sd), 0, 1)
        total = np.full((n_groups, 1), 400.0)
        inter = rng.binomial(200, dice).astype(float)[:, None]
        runs.append(DiceStats((1,), inter, total, total / 2))
    return runs, group_dice


@pytest.mark.parametrize(("n_repeats", "run_sd"), [(1, 0.0), (3, 0.03)])
def test_interval_covers_the_truth_on_a_toy(n_repeats, run_sd):
    rng = np.random.default_rng(0)
    covered, trials = 0, 300
    for _ in range(trials):
        runs, _ = toy_runs(rng, 15, n_repeats, run_sd)
        resamples = draw_resamples(15, n_repeats, 400, rng)
        low, high = interval(combine(resampled_runs(runs, resamples), resamples))
        covered += low <= TRUTH <= high
    assert 0.88 <= covered / trials <= 0.995, covered / trials


def test_differences_are_paired_and_p_is_calibrated():
    rng = np.random.default_rng(1)
    small_p_null, small_p_shift, trials = 0, 0, 150
    for _ in range(trials):
        a, groups = toy_runs(rng, 12, 3, 0.0)
        same, _ = toy_runs(rng, 12, 3, 0.0, group_dice=groups)
        better, _ = toy_runs(rng, 12, 3, 0.0, shift=0.03, group_dice=groups)
        resamples = draw_resamples(12, 3, 400, rng)
        base = resampled_runs(a, resamples)
        small_p_null += p_value(combine(resampled_runs(same, resamples) - base, resamples)) < 0.05
        small_p_shift += (
            p_value(combine(resampled_runs(better, resamples) - base, resamples)) < 0.05
        )
    # Under the null the bootstrap p-value is about uniform (5 % below 0.05; allow noise).
    assert small_p_null / trials <= 0.12
    # A shift of 0.03 is small against the 0.12 spread between groups: only pairing sees it.
    assert small_p_shift / trials >= 0.8


def test_p_value_and_interval_edges():
    assert p_value(np.full(99, 0.1)) == pytest.approx(0.02)
    assert p_value(np.zeros(10)) == 1.0
    assert np.isnan(p_value(np.array([np.nan])))
    assert np.isnan(interval(np.array([np.nan, np.nan]))[0])
    assert interval(np.arange(101.0)) == pytest.approx((2.5, 97.5))
