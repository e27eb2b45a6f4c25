"""Classifier two-sample test (Lopez-Paz & Oquab 2017): grouped k-fold logistic regression.

The classifier is class-balanced, L2-penalised logistic regression on principal components, each
scaled between its own standard deviation and the components' common one (``scale_shrinkage``).
The observed labels and every permuted label vector are fitted together: with the feature matrix shared, the
Böhning bound ``H <= X'X/4 + λI`` gives one fixed Newton-like matrix per fold, so each iteration is
two matrix products over all permutations at once instead of hundreds of separate fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import linalg
from scipy.stats import rankdata

from synthscope._params import Integral, Interval, Real, check_value
from synthscope._pca import one_blas_thread
from synthscope.errors import InvalidParameterError
from synthscope.realism._checks import check_seed, check_sets, rng_for
from synthscope.realism._geometry import group_codes, reduce_dims
from synthscope.realism._permutation import PermutationTestResult, p_value, permute_labels


@dataclass(frozen=True, kw_only=True)
class C2STResult(PermutationTestResult):
    """Out-of-fold AUROC of a classifier telling real (positive) from generated.

    ``probability_real`` is each pooled point's out-of-fold probability of being real (real rows
    first); for a generated image it is a realism score: near or above the share of real images
    means the classifier could not tell it apart.
    """

    auroc: float
    accuracy: float
    n_folds: int
    grouped_folds: bool
    regularization: float
    scale_shrinkage: float
    probability_real: np.ndarray = field(repr=False, compare=False)


def c2st(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    n_folds: int = 5,
    regularization: float = 1.0,
    scale_shrinkage: float = 0.5,
    n_permutations: int = 200,
    n_components: int | None = 50,
    max_iter: int = 300,
    seed: int = 0,
) -> C2STResult:
    """Grouped k-fold logistic-regression two-sample test with a permutation p-value.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group per pooled point, real first. Folds never split a group, so frames of
        one pullback are never on both sides of a train/test split.
    n_folds
        Number of cross-validation folds.
    regularization
        L2 penalty λ on the weights (λ = 1/C in scikit-learn terms; the intercept is free).
        Classes are weighted equally (scikit-learn's ``class_weight="balanced"``).
    scale_shrinkage
        How far each principal component's scale is pulled towards the common one: component
        ``j`` is divided by ``sqrt((1 - s) var_j + s mean(var))``. 0 standardises every
        component, which lets the faint last components (often which pullback a frame came
        from) weigh as much as the first; 1 keeps the components' relative sizes, which misses a
        difference that lives only in a faint component. 0.5 keeps both in reach (measured in
        docs/features.md).
    n_permutations, n_components, seed
        As in :func:`one_nn_test`; 0 permutations fits the observed labels only (no p-value).
    max_iter
        Bound-optimiser iterations per fold (it stops earlier once converged).
    """
    sets = check_sets(real, fake, groups)
    n_folds = check_value("n_folds", n_folds, Interval(Integral, 2, None))
    n_permutations = check_value("n_permutations", n_permutations, Interval(Integral, 0, None))
    max_iter = check_value("max_iter", max_iter, Interval(Integral, 1, None))
    regularization = check_value("regularization", regularization, Interval(Real, 0.0, 1e12))
    scale_shrinkage = check_value("scale_shrinkage", scale_shrinkage, Interval(Real, 0.0, 1.0))
    seed = check_seed(seed)
    x, kept = reduce_dims(sets.pooled, n_components, seed)
    is_real = sets.is_real
    n = is_real.size
    codes = group_codes(sets.groups, n)
    n_units = int(codes.max()) + 1
    if n_units < n_folds:
        raise InvalidParameterError(
            f"n_folds must be <= the number of groups (got {n_folds} folds for {n_units} groups)"
        )

    rng = rng_for(seed, "c2st")
    folds = _assign_folds(codes, n_folds, rng)
    permuted, scheme = permute_labels(is_real, codes, n_permutations, rng)
    labels = np.concatenate([is_real[:, None], permuted], axis=1).astype(np.float64)

    design = _scaled(x, scale_shrinkage)
    design = np.hstack([design, np.ones((n, 1))])
    scores = np.empty_like(labels)
    # The matrices here are small (PCA dimension + 1 columns): one BLAS thread avoids the
    # thread hand-offs that made these loops 10x slower on a busy two-core machine.
    with one_blas_thread():
        for f in range(n_folds):
            test = folds == f
            weights = _fit_logistic(design[~test], labels[~test], regularization, max_iter)
            scores[test] = design[test] @ weights
    aurocs = _auroc(scores, labels.astype(bool))
    probability = 1.0 / (1.0 + np.exp(-scores[:, 0]))
    null = aurocs[1:]
    has_null = null.size > 0
    return C2STResult(
        auroc=float(aurocs[0]),
        accuracy=float(np.mean((probability > 0.5) == is_real)),
        expected_null=0.5,
        null_mean=float(null.mean()) if has_null else float("nan"),
        p_value=p_value(float(aurocs[0]), null) if has_null else float("nan"),
        n_folds=n_folds,
        grouped_folds=sets.has_groups,
        regularization=regularization,
        scale_shrinkage=scale_shrinkage,
        n_real=sets.n_real,
        n_fake=sets.n_fake,
        permutation=scheme.describe(),
        n_permutations=n_permutations,
        n_components=kept,
        seed=seed,
        probability_real=probability,
        null_distribution=null,
    )


def _scaled(x: np.ndarray, shrinkage: float) -> np.ndarray:
    """Centred components divided by their variance shrunk towards the mean variance."""
    centred = x - x.mean(axis=0)
    variance = np.mean(centred * centred, axis=0)
    scale = np.sqrt((1.0 - shrinkage) * variance + shrinkage * variance.mean())
    return centred / np.where(scale > 0, scale, 1.0)


def _assign_folds(codes: np.ndarray, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold of each point: whole groups, shuffled, each to the currently smallest fold."""
    sizes = np.bincount(codes)
    order = rng.permutation(sizes.size)
    # Largest groups first keeps folds balanced; the shuffle breaks ties at random.
    order = order[np.argsort(-sizes[order], kind="stable")]
    fold_of_unit = np.empty(sizes.size, dtype=np.int64)
    load = np.zeros(n_folds, dtype=np.int64)
    for unit in order:
        f = int(np.argmin(load))
        fold_of_unit[unit] = f
        load[f] += sizes[unit]
    return fold_of_unit[codes]


def _fit_logistic(
    x: np.ndarray, y: np.ndarray, lam: float, max_iter: int, tol: float = 1e-6
) -> np.ndarray:
    """Class-balanced L2-penalised logistic regression for every column of ``y`` at once.

    ``x`` carries an intercept column last, which is not penalised. Each column weighs its two
    classes equally (``n / (2 n_class)``, scikit-learn's ``class_weight="balanced"``): with
    grouped folds the training set's class balance moves opposite to the test fold's, and an
    unweighted intercept would turn that into pooled out-of-fold AUROCs far below 0.5 under the
    null. The update uses Böhning's bound ``max(weight) X'X/4 + λI``, one matrix for all
    columns.
    """
    p = x.shape[1]
    n = x.shape[0]
    n_pos = y.sum(axis=0)
    n_neg = n - n_pos
    w_pos = np.where(n_pos > 0, n / (2.0 * np.maximum(n_pos, 1)), 1.0)
    w_neg = np.where(n_neg > 0, n / (2.0 * np.maximum(n_neg, 1)), 1.0)
    weight = np.where(y > 0.5, w_pos, w_neg)
    penalty = np.full(p, lam)
    penalty[-1] = 1e-8  # keeps the bound matrix positive definite without biasing the intercept
    scale = float(max(w_pos.max(), w_neg.max()))
    bound = scale * (x.T @ x) / 4.0 + np.diag(penalty)
    # The bound is small (PCA dimension + 1) and well conditioned, so an explicit inverse is
    # cheaper per iteration than triangular solves against a matrix of many columns.
    inverse = linalg.inv(bound, assume_a="pos")
    # Nesterov momentum with per-column adaptive restart (O'Donoghue & Candès 2015): near
    # separable folds (a few strongly offset pullbacks) need ~5x fewer iterations than plain
    # bound steps.
    w = np.zeros((p, y.shape[1]))
    ahead = w.copy()
    t = np.ones(y.shape[1])
    for _ in range(max_iter):
        prob = 1.0 / (1.0 + np.exp(-(x @ ahead)))
        gradient = x.T @ (weight * (y - prob)) - penalty[:, None] * ahead
        w_new = ahead + inverse @ gradient
        change = w_new - w
        restart = (gradient * change).sum(axis=0) < 0.0
        t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        momentum = np.where(restart, 0.0, (t - 1.0) / t_new)
        t = np.where(restart, 1.0, t_new)
        ahead = w_new + momentum * change
        w = w_new
        if np.max(np.abs(change)) < tol:
            break
    return w


def _auroc(scores: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """Area under the ROC curve of each column (ties count one half)."""
    ranks = rankdata(scores, axis=0)
    n_pos = positive.sum(axis=0)
    n_neg = positive.shape[0] - n_pos
    rank_sum = (ranks * positive).sum(axis=0)
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / np.maximum(n_pos * n_neg, 1)
