"""Precision, recall, density and coverage against a loop over the definitions."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.realism import prdc
from tests.realism._data import gaussians


def _reference(real, fake, k_pr=3, k_dc=5):
    def dist(a, b):
        return np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))

    def radii(x, k):
        d = dist(x, x)
        np.fill_diagonal(d, np.inf)
        return np.sort(d, axis=1)[:, k - 1]

    d_rf = dist(real, fake)
    r3, f3, r5 = radii(real, k_pr), radii(fake, k_pr), radii(real, k_dc)
    precision = np.mean(
        [any(d_rf[i, j] <= r3[i] for i in range(len(real))) for j in range(len(fake))]
    )
    recall = np.mean([any(d_rf[i, j] <= f3[j] for j in range(len(fake))) for i in range(len(real))])
    density = sum(d_rf[i, j] <= r5[i] for i in range(len(real)) for j in range(len(fake))) / (
        k_dc * len(fake)
    )
    coverage = np.mean([d_rf[i].min() <= r5[i] for i in range(len(real))])
    return precision, recall, density, coverage


def test_matches_reference_definitions():
    real, fake = gaussians(40, 35, 3, shift=0.4, seed=1)
    result = prdc(real, fake)
    assert (result.precision, result.recall, result.density, result.coverage) == pytest.approx(
        _reference(real, fake)
    )


def test_null_values_reported():
    real, fake = gaussians(300, 300, 16, seed=2)
    result = prdc(real, fake, null_splits=3)
    # 1 - prod_{i=1..5} (N - i) / (N + M - i) for N = M = 300.
    expected = 1 - np.prod([(300 - i) / (600 - i) for i in range(1, 6)])
    assert result.coverage_null == pytest.approx(expected)
    assert result.density_null == 1.0
    assert result.precision_null == pytest.approx(result.precision, abs=0.08)
    assert result.recall_null == pytest.approx(result.recall, abs=0.08)
    assert result.precision_null < 0.95  # not 1 under the null at 16 dims


def test_coverage_null_formula_reference_value():
    real, fake = gaussians(1000, 1000, 2, seed=3)
    assert prdc(real, fake).coverage_null == pytest.approx(0.96898, abs=1e-5)


def test_collapse_lowers_recall_and_coverage():
    real, fake = gaussians(200, 200, 4, seed=4)
    collapsed = prdc(real, fake * 0.3)
    assert collapsed.recall < 0.5 and collapsed.coverage < 0.6
    assert collapsed.precision > 0.9


def test_duplicates_count_as_inside():
    real, _ = gaussians(50, 50, 3, seed=5)
    result = prdc(real, real.copy())
    assert result.precision == 1.0 and result.coverage == 1.0


def test_grouped_null_moves_whole_groups():
    from tests.realism._data import pullback_pair

    real, fake, groups = pullback_pair(6, 10, 5, seed=7)
    naive = prdc(real, fake, null_splits=4)
    grouped = prdc(real, fake, groups, null_splits=4)
    assert grouped.null_method.startswith("splits moving whole groups")
    # Point splits put frames of one pullback on both sides: a far too rosy reference.
    assert naive.precision_null > 0.9
    assert grouped.precision_null < naive.precision_null - 0.3
    assert grouped.coverage_null < naive.coverage_null - 0.3
    assert abs(grouped.precision - grouped.precision_null) < 0.35
