"""Memorisation: nearest real image, ratio and the calibrated copy flag."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.realism import memorization
from tests.realism._data import gaussians


def test_nearest_real_and_ratio():
    real = np.array([[0.0, 0], [1, 0], [5, 0], [5, 3]] + [[20 + i, 20] for i in range(8)])
    fake = np.array([[0.25, 0], [5, 1]] + [[-30 - i, 0] for i in range(8)])
    result = memorization(real, fake)
    assert result.nearest_real[0] == 0 and result.nearest_real[1] == 2
    assert result.distance[0] == pytest.approx(0.25)
    assert result.ratio[0] == pytest.approx(0.25 / 1.0)
    assert result.ratio[1] == pytest.approx(1.0 / 3.0)


def test_copies_flagged_and_null_rate_near_quantile():
    real, fake = gaussians(600, 600, 8, seed=1)
    null = memorization(real, fake, quantile=0.02)
    assert null.expected_null_copies == pytest.approx(12.0)
    assert null.n_likely_copies <= 30
    fake[:15] = real[:15]
    fake[15:30] = real[15:30] + 1e-3
    copied = memorization(real, fake, quantile=0.02)
    assert copied.likely_copy[:30].all()
    assert copied.n_duplicates == 15
    assert set(copied.closest) <= set(range(30))


def test_reference_ratio_excludes_the_point_itself():
    real, _ = gaussians(100, 10, 3, seed=2)
    result = memorization(real, real[:10] + 5.0)
    assert np.isfinite(result.real_reference_ratio).all()
    assert (result.real_reference_ratio > 0).all()
