"""The null-pool study's own statistics: the set-effect test and the exact-test reference."""

from __future__ import annotations

import math

import numpy as np
from benchmarks.features_null_pool import exact_test_reference, pullback_blocks, set_effect_p


def _blocks(set_shift: float, seed: int = 0) -> list[np.ndarray]:
    """20 sets of 6 pullbacks of 8 frames in 5 dimensions, each set offset by ``set_shift``·z."""
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(20):
        offset = set_shift * rng.standard_normal(5)
        for _ in range(6):
            centre = rng.standard_normal(5) + offset
            blocks.append(centre + 0.3 * rng.standard_normal((8, 5)))
    return blocks


def test_sets_of_independent_pullbacks_show_no_set_effect():
    p_values = [set_effect_p(_blocks(0.0, seed), per_set=6, regroupings=400) for seed in range(5)]
    assert min(p_values) > 0.01


def test_a_shift_shared_within_each_set_is_found():
    assert set_effect_p(_blocks(0.8), per_set=6, regroupings=400) < 0.01


def test_blocks_are_each_pullbacks_rows_set_by_set():
    stored = {"f": np.arange(12.0).reshape(6, 2), "pullback": np.array(list("aabbbc"))}
    blocks = pullback_blocks([stored, stored], "f")
    assert [b.shape[0] for b in blocks] == [2, 3, 1, 2, 3, 1]
    np.testing.assert_array_equal(blocks[1], [[4, 5], [6, 7], [8, 9]])


def test_the_exact_test_reference_is_the_binomial_tail():
    reference = exact_test_reference(permutations=100, draws=200, cells=12)
    level = 5 / 101
    tail = sum(math.comb(200, k) * level**k * (1 - level) ** (200 - k) for k in range(15, 201))
    assert reference["level"] == round(level, 4)
    assert math.isclose(reference["p_one_cell_above_target"], tail, abs_tol=1e-4)
    assert math.isclose(
        reference["p_any_cell_above_target_if_independent"], 1 - (1 - tail) ** 12, abs_tol=1e-4
    )
