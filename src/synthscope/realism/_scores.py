"""Per-image realism scores for generated images: which ones pass for real."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, check_value
from synthscope.realism._c2st import c2st
from synthscope.realism._checks import check_seed, check_sets
from synthscope.realism._geometry import (
    exclusion_mask,
    group_codes,
    nearest,
    reduce_dims,
    squared_distances,
)

# The per-image classifier keeps the principal components' relative sizes and is penalised
# harder than the two-sample test's: half of a generated set may pass for real, and a classifier
# free to use the faint components then learns which pullback a frame came from instead of what
# sets the other half apart. Ranking AUROC on the phantom (docs/features.md): per-component
# scaling and penalty 1 put it at chance on pixels64; these settings reach 0.93-0.99 on texture.
SCORE_SCALE_SHRINKAGE = 1.0
SCORE_REGULARIZATION = 10.0


@dataclass(frozen=True)
class RealismScores:
    """Two realism scores per generated image (higher = more real-looking).

    ``c2st_probability``: out-of-fold probability of 'real' from the grouped logistic
    classifier (components kept at their relative sizes, penalty ``SCORE_REGULARIZATION``); ``knn_real_share``: share of real images among the image's ``k`` nearest
    neighbours (other groups only when groups are given). Under the null both hover around the
    share of real images (``expected_null_knn``).
    """

    c2st_probability: np.ndarray = field(repr=False, compare=False)
    knn_real_share: np.ndarray = field(repr=False, compare=False)
    k: int
    expected_null_knn: float
    exclude_same_group: bool
    n_components: int | None
    n_real: int
    n_fake: int
    seed: int


def realism_scores(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    k: int = 10,
    exclude_same_group: bool = True,
    n_folds: int = 5,
    n_components: int | None = 50,
    seed: int = 0,
) -> RealismScores:
    """Score every generated image by how real it looks to a classifier and to its neighbours.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group per pooled point, real first; ``None`` = unknown.
    k
        Neighbours counted by ``knn_real_share``.
    exclude_same_group
        Count neighbours from other groups only (a generated frame made from a real frame's
        label map should not score by resembling its own source).
    n_folds, n_components, seed
        As in :func:`c2st`.
    """
    sets = check_sets(real, fake, groups)
    k = check_value("k", k, Interval(Integral, 1, sets.n_real + sets.n_fake - 1))
    seed = check_seed(seed)
    probability = classifier_scores(sets.real, sets.fake, sets.groups, n_folds, n_components, seed)
    x, kept = reduce_dims(sets.pooled, n_components, seed)
    share, exclude = knn_real_share(x, sets.is_real, sets.groups, k, exclude_same_group)
    n_r, n_f = sets.n_real, sets.n_fake
    return RealismScores(
        c2st_probability=probability,
        knn_real_share=share[n_r:],
        k=k,
        expected_null_knn=n_r / (n_r + n_f - 1),
        exclude_same_group=exclude,
        n_components=kept,
        n_real=n_r,
        n_fake=n_f,
        seed=seed,
    )


def classifier_scores(
    real: np.ndarray,
    fake: np.ndarray,
    groups: np.ndarray | None,
    n_folds: int,
    n_components: int | None,
    seed: int,
) -> np.ndarray:
    """Each generated image's out-of-fold probability of 'real' (the per-image classifier)."""
    classifier = c2st(
        real,
        fake,
        groups,
        n_folds=n_folds,
        regularization=SCORE_REGULARIZATION,
        scale_shrinkage=SCORE_SCALE_SHRINKAGE,
        n_permutations=0,
        n_components=n_components,
        seed=seed,
    )
    return classifier.probability_real[len(real) :]


def knn_real_share(
    x: np.ndarray,
    is_real: np.ndarray,
    groups: np.ndarray | None,
    k: int,
    exclude_same_group: bool,
) -> tuple[np.ndarray, bool]:
    """Share of real points among each pooled point's ``k`` nearest eligible neighbours."""
    codes = group_codes(groups, is_real.size)
    exclude = exclude_same_group and groups is not None and bool(np.bincount(codes).max() > 1)
    excluded = exclusion_mask(codes) if exclude else None
    if excluded is not None and (excluded.sum(axis=1) > is_real.size - k).any():
        exclude, excluded = False, None  # some group is too large to leave k neighbours
    idx, _ = nearest(squared_distances(x), k, excluded)
    return is_real[idx].mean(axis=1), exclude
