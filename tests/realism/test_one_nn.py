"""Leave-one-out 1-NN test: statistic, null expectation, per-set accuracies, groups."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.realism import one_nn_test
from synthscope.realism._one_nn import _expected_accuracy
from tests.realism._data import gaussians, pullback_pair


def _brute_force(real, fake, groups=None):
    pooled = np.vstack([real, fake])
    labels = np.r_[np.ones(len(real), bool), np.zeros(len(fake), bool)]
    correct = []
    for i, x in enumerate(pooled):
        d = ((pooled - x) ** 2).sum(1)
        d[i] = np.inf
        if groups is not None:
            d[np.asarray(groups) == groups[i]] = np.inf
        correct.append(labels[np.argmin(d)] == labels[i])
    return np.mean(correct)


def test_accuracy_matches_brute_force():
    real, fake = gaussians(30, 25, 4, shift=0.5)
    result = one_nn_test(real, fake, n_permutations=20, n_components=None)
    assert result.accuracy == pytest.approx(_brute_force(real, fake))
    assert result.n_components is None
    assert (result.accuracy_real * 30 + result.accuracy_fake * 25) / 55 == pytest.approx(
        result.accuracy
    )


def test_expected_null_is_exact_formula():
    real, fake = gaussians(40, 40, 3)
    result = one_nn_test(real, fake, n_permutations=50)
    assert result.expected_null == pytest.approx(39 / 79)
    # The permutation mean estimates the same value.
    assert result.null_mean == pytest.approx(39 / 79, abs=0.03)
    assert result.null_distribution.shape == (50,)


def test_expected_null_with_groups_averages_eligible_neighbours():
    is_real = np.array([True] * 4 + [False] * 4)
    codes = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    # Each point sees 6 others: 2 of its own label in the other group of its set.
    assert _expected_accuracy(is_real, codes) == pytest.approx(2 / 6)
    assert _expected_accuracy(is_real, None) == pytest.approx(3 / 7)


def test_shift_is_detected_and_copies_push_fake_accuracy_down():
    real, fake = gaussians(60, 60, 5, shift=1.0)
    shifted = one_nn_test(real, fake, n_permutations=99, seed=1)
    assert shifted.accuracy > 0.7
    assert shifted.p_value == pytest.approx(1 / 100)
    copies = one_nn_test(real, real + 1e-9, n_permutations=20)
    assert copies.accuracy_fake == 0.0


def test_groups_excluded_and_reported():
    real, fake, groups = pullback_pair(6, 8, 5, seed=3)
    grouped = one_nn_test(real, fake, groups, n_permutations=40)
    assert grouped.exclude_same_group
    assert "whole group" in grouped.permutation
    assert grouped.accuracy == pytest.approx(_brute_force(real, fake, groups))
    naive = one_nn_test(real, fake, n_permutations=40)
    # The trap: every frame's neighbour is its own pullback's next frame.
    assert naive.accuracy == 1.0
    assert not naive.exclude_same_group


def test_same_seed_same_result():
    real, fake = gaussians(30, 30, 8)
    a = one_nn_test(real, fake, n_permutations=30, n_components=4, seed=5)
    b = one_nn_test(real, fake, n_permutations=30, n_components=4, seed=5)
    assert a == b
    assert np.array_equal(a.null_distribution, b.null_distribution)
