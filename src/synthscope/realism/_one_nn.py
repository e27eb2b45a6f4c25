"""Leave-one-out 1-nearest-neighbour two-sample test (Xu et al. 2018) with a permutation p-value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, check_value
from synthscope.realism._checks import check_seed, check_sets, rng_for
from synthscope.realism._geometry import (
    exclusion_mask,
    group_codes,
    nearest,
    reduce_dims,
    squared_distances,
)
from synthscope.realism._permutation import PermutationTestResult, p_value, permute_labels


@dataclass(frozen=True, kw_only=True)
class OneNNResult(PermutationTestResult):
    """Leave-one-out 1-NN accuracy of telling real from generated.

    ``expected_null`` is the accuracy expected when both sets come from one distribution:
    ``(N(N-1) + M(M-1)) / ((N+M)(N+M-1))``, which is ``(N-1)/(2N-1)`` for ``N = M``; with
    same-group neighbours excluded each point's eligible neighbours replace ``N+M-1``.
    ``null_mean`` is the mean of the permutation distribution. Accuracy well below the null
    hints at memorisation (generated images sitting on real ones).
    """

    accuracy: float
    accuracy_real: float
    accuracy_fake: float
    exclude_same_group: bool


def one_nn_test(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    exclude_same_group: bool = True,
    n_permutations: int = 200,
    n_components: int | None = 50,
    seed: int = 0,
) -> OneNNResult:
    """Leave-one-out 1-NN accuracy, per-set accuracies and a permutation p-value.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group (pullback/patient) per pooled point, real first; ``None`` = unknown.
    exclude_same_group
        Take each point's nearest neighbour among points of other groups only. Without it,
        correlated frames make every point's neighbour its adjacent frame and the test useless.
    n_permutations
        Label permutations (whole groups when groups are given) for the p-value.
    n_components
        PCA dimension applied to the pooled points first (``None`` keeps all).
    seed
        Seed of the PCA and the permutations.
    """
    sets = check_sets(real, fake, groups)
    n_permutations = check_value("n_permutations", n_permutations, Interval(Integral, 1, None))
    seed = check_seed(seed)
    x, kept = reduce_dims(sets.pooled, n_components, seed)
    is_real = sets.is_real
    codes = group_codes(sets.groups, is_real.size)
    exclude = exclude_same_group and sets.has_groups
    excluded = exclusion_mask(codes) if exclude else None
    if excluded is not None and excluded.all(axis=1).any():
        # Only happens when a single group holds every point.
        exclude = False
        excluded = None
    nn, _ = nearest(squared_distances(x), 1, excluded)
    nn = nn[:, 0]

    correct = is_real == is_real[nn]
    rng = rng_for(seed, "one_nn")
    labels, scheme = permute_labels(is_real, codes, n_permutations, rng)
    null = (labels == labels[nn]).mean(axis=0)
    return OneNNResult(
        accuracy=float(correct.mean()),
        accuracy_real=float(correct[is_real].mean()),
        accuracy_fake=float(correct[~is_real].mean()),
        expected_null=_expected_accuracy(is_real, codes if exclude else None),
        null_mean=float(null.mean()),
        p_value=p_value(float(correct.mean()), null),
        n_real=sets.n_real,
        n_fake=sets.n_fake,
        exclude_same_group=exclude,
        permutation=scheme.describe(),
        n_permutations=n_permutations,
        n_components=kept,
        seed=seed,
        null_distribution=null,
    )


def _expected_accuracy(is_real: np.ndarray, codes: np.ndarray | None) -> float:
    """Accuracy expected when a point's neighbour is any eligible point, equally likely."""
    n = is_real.size
    n_real = int(is_real.sum())
    if codes is None:
        n_fake = n - n_real
        return (n_real * (n_real - 1) + n_fake * (n_fake - 1)) / (n * (n - 1))
    size = np.bincount(codes)
    real_in = np.bincount(codes, weights=is_real)
    same_label_other = np.where(
        is_real, n_real - real_in[codes], (n - n_real) - (size - real_in)[codes]
    )
    eligible = n - size[codes]
    return float(np.mean(same_label_other / eligible))
