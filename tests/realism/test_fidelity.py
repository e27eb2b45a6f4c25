"""Fréchet distance (stable square root) and KID."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from synthscope.realism import frechet_distance, kid
from synthscope.realism._fidelity import _terms_from_covariances, _terms_from_gram
from tests.realism._data import gaussians


def _scipy_fd(a, b):
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(s1 @ s2).real
    return ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(s1 + s2 - 2 * root)


def test_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 6))
    b = rng.normal(size=(150, 6)) @ rng.normal(size=(6, 6)) + 1.0
    assert frechet_distance(a, b).distance == pytest.approx(_scipy_fd(a, b), rel=1e-8)


def test_both_square_root_routes_agree():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(30, 20)), rng.normal(size=(25, 20)) * 2.0 + 0.3
    pooled = np.vstack([a, b])
    index = np.arange(55)
    by_cov = _terms_from_covariances(a, b)
    by_gram = _terms_from_gram(pooled @ pooled.T, index[:30], index[30:])
    assert by_gram == pytest.approx(by_cov, rel=1e-6)


def test_singular_covariances_warn_and_match_padding():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(30, 20)), rng.normal(size=(25, 20)) * 2.0
    small = frechet_distance(a, b)
    padded = frechet_distance(
        np.hstack([a, np.zeros((30, 40))]), np.hstack([b, np.zeros((25, 40))])
    )
    assert small.method != padded.method
    assert padded.distance == pytest.approx(small.distance, rel=1e-6)
    assert padded.warning is not None and "singular" in padded.warning
    assert small.warning is None


def test_isotropic_gaussian_closed_form():
    # FD(N(0, I), N(0, 4 I)) = d (σ1 - σ2)² = 16 for d = 16 (reference notes: sim 15.82).
    real, fake = gaussians(5000, 5000, 16, seed=2)
    assert frechet_distance(real, fake * 2.0).distance == pytest.approx(16.0, rel=0.05)
    assert frechet_distance(real, fake + 1.0).distance == pytest.approx(16.0, rel=0.05)


def test_null_reference_matches_small_sample_bias():
    # E[FD] ≈ 2d/N + d(d+1)/(2N) for N(0, I) at N = M (reference notes).
    real, fake = gaussians(400, 400, 8, seed=3)
    result = frechet_distance(real, fake, null_splits=4)
    expected = 2 * 8 / 400 + 8 * 9 / 800
    assert result.expected_null == pytest.approx(expected, rel=0.4)
    assert result.warning is None


def _naive_kid(a, b, degree=3):
    d = a.shape[1]
    k = lambda x, y: (x @ y.T / d + 1) ** degree  # noqa: E731
    m = len(a)
    kaa, kbb = k(a, a), k(b, b)
    return (
        (kaa.sum() - np.trace(kaa)) / (m * (m - 1))
        + (kbb.sum() - np.trace(kbb)) / (m * (m - 1))
        - 2 * k(a, b).mean()
    )


def test_kid_single_full_subset_matches_naive():
    real, fake = gaussians(30, 30, 5, shift=0.5, seed=4)
    result = kid(real, fake, n_subsets=1, subset_size=1000)
    assert result.subset_size == 30
    assert result.kid == pytest.approx(_naive_kid(real, fake))


def test_kid_null_near_zero_and_shift_positive():
    real, fake = gaussians(300, 300, 16, seed=5)
    assert abs(kid(real, fake, n_subsets=20, subset_size=200).kid) < 0.01
    assert kid(real, fake + 0.5, n_subsets=20, subset_size=200).kid > 0.05


def test_grouped_null_references():
    from tests.realism._data import pullback_pair

    real, fake, groups = pullback_pair(6, 10, 5, seed=8)
    naive = frechet_distance(real, fake, null_splits=4)
    grouped = frechet_distance(real, fake, groups, null_splits=4)
    assert grouped.expected_null > 2 * naive.expected_null
    assert kid(real, fake, n_subsets=10).expected_null == 0.0
    grouped_kid = kid(real, fake, groups, n_subsets=10, null_splits=4)
    assert grouped_kid.expected_null > 0.05
