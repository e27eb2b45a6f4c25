"""Group-aware permutations keep groups whole and mixed groups' counts."""

from __future__ import annotations

import numpy as np

from synthscope.realism._geometry import group_codes
from synthscope.realism._permutation import p_value, permute_labels


def test_point_permutation_keeps_counts():
    is_real = np.r_[np.ones(7, bool), np.zeros(5, bool)]
    labels, scheme = permute_labels(is_real, np.arange(12), 100, np.random.default_rng(0))
    assert labels.shape == (12, 100)
    assert (labels.sum(axis=0) == 7).all()
    assert scheme.unit == "point"
    assert len({tuple(c) for c in labels.T}) > 50


def test_whole_groups_move_together_and_mixed_groups_shuffle_within():
    groups = np.array(["a", "a", "b", "b", "b", "m", "m", None, "c", "c", "d", None], dtype=object)
    is_real = np.array([1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0], bool)
    codes = group_codes(groups, 12)
    labels, scheme = permute_labels(is_real, codes, 300, np.random.default_rng(1))
    for name in ("a", "b", "c", "d"):
        members = np.flatnonzero(groups == name)
        assert (labels[members] == labels[members[0]]).all()
    mixed = np.flatnonzero(groups == "m")
    assert (labels[mixed].sum(axis=0) == 1).all()
    assert labels[mixed[0]].any() and not labels[mixed[0]].all()
    assert scheme.unit == "group" and scheme.n_mixed_groups == 1
    assert "within 1 groups" in scheme.describe()
    # Group "a" (size 2) sometimes takes a fake label: labels do move between groups.
    assert not labels[0].all()


def test_none_groups_are_singletons():
    codes = group_codes(np.array([None, None, "x", "x"], dtype=object), 4)
    assert codes[0] != codes[1] and codes[2] == codes[3]
    assert set(codes) == {0, 1, 2}


def test_p_value_counts_ties_and_never_zero():
    null = np.array([0.1, 0.2, 0.3, 0.3])
    assert p_value(0.3, null) == 3 / 5
    assert p_value(9.0, null) == 1 / 5
