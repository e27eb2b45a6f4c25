"""Bad input gives one clear error naming the set, row or argument."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.errors import InvalidParameterError
from synthscope.realism import (
    c2st,
    frechet_distance,
    kid,
    memorization,
    mmd_test,
    one_nn_test,
    prdc,
    realism_report,
    realism_scores,
)
from tests.realism._data import gaussians

ALL = [
    c2st,
    frechet_distance,
    kid,
    memorization,
    mmd_test,
    one_nn_test,
    prdc,
    realism_report,
    realism_scores,
]


@pytest.mark.parametrize("function", ALL)
def test_fewer_than_ten_images(function):
    real, fake = gaussians(20, 9, 3)
    with pytest.raises(InvalidParameterError, match=r"fake: 9 images; each set needs at least 10"):
        function(real, fake)


@pytest.mark.parametrize("function", ALL)
def test_nan_row_is_named(function):
    real, fake = gaussians(20, 20, 3)
    real[7, 1] = np.nan
    with pytest.raises(InvalidParameterError, match=r"real: row 7 contains NaN"):
        function(real, fake)


@pytest.mark.parametrize("function", ALL)
def test_mismatched_dimensions(function):
    real, _ = gaussians(20, 20, 3)
    _, fake = gaussians(20, 20, 4)
    with pytest.raises(InvalidParameterError, match=r"different dimensions \(3 vs 4\)"):
        function(real, fake)


@pytest.mark.parametrize("function", ALL)
def test_empty_set(function):
    real, _ = gaussians(20, 20, 3)
    with pytest.raises(InvalidParameterError, match=r"fake: no points"):
        function(real, np.empty((0, 3)))


def test_wrong_shape_and_groups_length():
    real, fake = gaussians(20, 20, 3)
    with pytest.raises(InvalidParameterError, match=r"expected a 2-D array"):
        one_nn_test(real[:, 0], fake)
    with pytest.raises(
        InvalidParameterError, match=r"one entry per pooled point.*expected 40, got 39"
    ):
        one_nn_test(real, fake, groups=[0] * 39)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r, f: one_nn_test(r, f, n_permutations=0),
            r"n_permutations must be >= 1 \(got 0\)",
        ),
        (lambda r, f: c2st(r, f, n_folds=1), r"n_folds must be >= 2 \(got 1\)"),
        (
            lambda r, f: c2st(r, f, groups=[0] * 20 + [1] * 20),
            r"n_folds must be <= the number of groups",
        ),
        (lambda r, f: c2st(r, f, regularization=-1.0), r"regularization must be in \[0.0"),
        (
            lambda r, f: prdc(r, f, k_density_coverage=20),
            r"k_density_coverage must be in \[1, 19\]",
        ),
        (lambda r, f: kid(r, f, subset_size=1), r"subset_size must be >= 2"),
        (lambda r, f: memorization(r, f, quantile=0.0), r"quantile must be in \(0.0, 0.5\]"),
        (lambda r, f: mmd_test(r, f, seed=-1), r"seed must be >= 0"),
        (lambda r, f: realism_report(r, f, alpha=0.9), r"alpha must be in \(0.0, 0.5\]"),
    ],
)
def test_parameter_messages(call, message):
    real, fake = gaussians(20, 20, 3)
    with pytest.raises(InvalidParameterError, match=message):
        call(real, fake)
