"""Standardising mixed-unit columns by a reference set (the real images)."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.features import (
    PixelsExtractor,
    RandomCNNExtractor,
    TextureExtractor,
    needs_standardizing,
    standardize,
)


def test_columns_get_the_reference_mean_and_standard_deviation():
    rng = np.random.default_rng(0)
    real = rng.normal([5.0, -300.0, 0.01], [2.0, 50.0, 0.001], (500, 3))
    fake = rng.normal([6.0, -300.0, 0.01], [2.0, 50.0, 0.001], (400, 3))
    both = standardize(np.vstack([real, fake]), real)
    assert both.dtype == np.float32
    np.testing.assert_allclose(both[:500].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(both[:500].std(axis=0), 1, atol=1e-5)
    assert both[500:, 0].mean() == pytest.approx(0.5, abs=0.15)  # the shift, in real-set units
    np.testing.assert_allclose(standardize(real).std(axis=0), 1, atol=1e-5)


def test_columns_constant_in_the_reference_stay_finite():
    real = np.array([[1.0, 2.0], [1.0, 4.0]])
    fake = np.array([[3.0, 3.0], [1.0, 3.0]])
    out = standardize(np.vstack([real, fake]), real)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(
        out[:, 0], (np.array([1, 1, 3, 1]) - 1) / np.std([1, 1, 3, 1]), rtol=1e-6
    )
    np.testing.assert_array_equal(standardize(np.ones((3, 2))), np.zeros((3, 2)))


def test_bad_reference_is_refused():
    with pytest.raises(ValueError, match=r"reference must be \(n >= 1, 2\) rows"):
        standardize(np.ones((3, 2)), np.ones((3, 3)))


def test_which_extractors_need_it():
    assert needs_standardizing(TextureExtractor())
    assert not needs_standardizing(PixelsExtractor())
    assert not needs_standardizing(RandomCNNExtractor())
