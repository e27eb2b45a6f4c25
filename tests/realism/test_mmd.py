"""MMD² with the Gaussian kernel: the unbiased estimator, bandwidth, group exclusion."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.realism import mmd_test
from tests.realism._data import gaussians, pullback_pair


def _naive_mmd2(real, fake, sigma, groups=None):
    pooled = np.vstack([real, fake])
    n = len(real)
    k = np.exp(-((pooled[:, None] - pooled[None]) ** 2).sum(-1) / (2 * sigma**2))
    keep = ~np.eye(len(pooled), dtype=bool)
    if groups is not None:
        g = np.asarray(groups)
        keep &= g[:, None] != g[None, :]
    rr, ff, rf = keep[:n, :n], keep[n:, n:], keep[:n, n:]
    return k[:n, :n][rr].mean() + k[n:, n:][ff].mean() - 2 * k[:n, n:][rf].mean()


def test_matches_naive_estimator_and_median_bandwidth():
    real, fake = gaussians(20, 15, 3, shift=0.3)
    result = mmd_test(real, fake, n_permutations=10, n_components=None)
    pooled = np.vstack([real, fake])
    d = np.sqrt(((pooled[:, None] - pooled[None]) ** 2).sum(-1))
    assert result.bandwidth == pytest.approx(np.median(d[np.triu_indices(35, 1)]))
    assert result.mmd2 == pytest.approx(_naive_mmd2(real, fake, result.bandwidth))


def test_group_exclusion_matches_naive_estimator():
    real, fake, groups = pullback_pair(4, 5, 3, shift=0.5, seed=2)
    result = mmd_test(real, fake, groups, bandwidth=2.0, n_permutations=10)
    assert result.exclude_same_group
    assert result.mmd2 == pytest.approx(_naive_mmd2(real, fake, 2.0, groups))


def test_null_near_zero_and_shift_rejected():
    real, fake = gaussians(80, 80, 4, seed=3)
    null = mmd_test(real, fake, n_permutations=100)
    assert abs(null.mmd2) < 0.02
    assert null.expected_null == 0.0
    assert abs(null.null_mean) < 0.01
    shifted = mmd_test(*gaussians(80, 80, 4, shift=0.8, seed=3), n_permutations=100)
    assert shifted.p_value < 0.02
    assert shifted.mmd2 > 10 * abs(null.mmd2)
