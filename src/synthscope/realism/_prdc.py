"""Precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, check_value
from synthscope.realism._checks import check_seed, check_sets, rng_for
from synthscope.realism._geometry import group_codes, squared_distances
from synthscope.realism._permutation import null_splits as split_pairs


@dataclass(frozen=True)
class PRDCResult:
    """Manifold-ball fidelity (precision, density) and diversity (recall, coverage).

    None of these is 1 when both sets come from one distribution, so each has its value under
    the null beside it: ``coverage_null`` is exact, ``1 - prod_{i=1..k} (N-i)/(N+M-i)``;
    ``density_null`` is 1; precision and recall under the null fall with the dimension and are
    estimated as their mean over random splits of the pooled points (``None`` without splits).
    With groups (correlated frames), the formula and 1 assume independent points and fail, so
    all four null values come from splits that move whole groups (``null_method``).
    Balls are closed (``<=``) so duplicated points still count as inside.
    """

    precision: float
    recall: float
    density: float
    coverage: float
    precision_null: float | None
    recall_null: float | None
    density_null: float
    coverage_null: float
    null_method: str
    k_precision_recall: int
    k_density_coverage: int
    null_splits: int
    n_real: int
    n_fake: int
    seed: int


def prdc(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    k_precision_recall: int = 3,
    k_density_coverage: int = 5,
    null_splits: int = 0,
    seed: int = 0,
) -> PRDCResult:
    """Precision and recall (k = 3) and density and coverage (k = 5).

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group per pooled point, real first; only the null splits use it.
    k_precision_recall, k_density_coverage
        Neighbourhood sizes of the balls (defaults of the reference implementations).
    null_splits
        Random splits of the pooled points whose mean precision and recall are reported as
        their values under the null; 0 skips them.
    seed
        Seed of the splits.
    """
    sets = check_sets(real, fake, groups)
    limit = min(sets.n_real, sets.n_fake) - 1
    k_pr = check_value("k_precision_recall", k_precision_recall, Interval(Integral, 1, limit))
    k_dc = check_value("k_density_coverage", k_density_coverage, Interval(Integral, 1, limit))
    null_splits = check_value("null_splits", null_splits, Interval(Integral, 0, None))
    seed = check_seed(seed)
    return prdc_from(
        squared_distances(sets.pooled),
        sets.n_real,
        group_codes(sets.groups, sets.n_real + sets.n_fake) if sets.has_groups else None,
        k_precision_recall=k_pr,
        k_density_coverage=k_dc,
        null_splits=null_splits,
        seed=seed,
    )


def prdc_from(
    d2: np.ndarray,
    n_real: int,
    codes: np.ndarray | None,
    *,
    k_precision_recall: int,
    k_density_coverage: int,
    null_splits: int,
    seed: int,
) -> PRDCResult:
    """PRDC from pooled squared distances (real rows first) of validated inputs."""
    k_pr, k_dc = k_precision_recall, k_density_coverage
    n_r = n_real
    index = np.arange(d2.shape[0])
    p, r, dens, cov = _prdc(d2, index[:n_r], index[n_r:], k_pr, k_dc)
    n, m = n_r, d2.shape[0] - n_r
    p_null = r_null = None
    density_null = 1.0
    coverage_null = 1.0 - float(np.prod([(n - i) / (n + m - i) for i in range(1, k_dc + 1)]))
    null_method = "formula (density, coverage); random point splits (precision, recall)"
    if null_splits:
        rng = rng_for(seed, "prdc")
        units = codes if codes is not None else np.arange(index.size)
        smallest = max(k_pr, k_dc) + 1  # a side needs k others for its radii
        rows = [
            _prdc(d2, ia, ib, k_pr, k_dc)
            for ia, ib in split_pairs(n_r, units, null_splits, rng)
            if min(ia.size, ib.size) >= smallest
        ]
        values = np.mean(rows, axis=0) if rows else None
    if null_splits and values is not None:
        p_null, r_null = float(values[0]), float(values[1])
        if codes is not None:
            density_null, coverage_null = float(values[2]), float(values[3])
            null_method = "splits moving whole groups (all four)"
    return PRDCResult(
        precision=p,
        recall=r,
        density=dens,
        coverage=cov,
        precision_null=p_null,
        recall_null=r_null,
        density_null=density_null,
        coverage_null=coverage_null,
        null_method=null_method,
        k_precision_recall=k_pr,
        k_density_coverage=k_dc,
        null_splits=null_splits,
        n_real=n,
        n_fake=m,
        seed=seed,
    )


def _kth_radius(d2_within: np.ndarray, k: int) -> np.ndarray:
    """Squared distance of each point to its k-th nearest other point of the same set."""
    work = d2_within.copy()
    np.fill_diagonal(work, np.inf)
    return np.partition(work, k - 1, axis=1)[:, k - 1]


def _prdc(
    d2: np.ndarray, ir: np.ndarray, jf: np.ndarray, k_pr: int, k_dc: int
) -> tuple[float, float, float, float]:
    d_rr = d2[np.ix_(ir, ir)]
    d_ff = d2[np.ix_(jf, jf)]
    d_fr = d2[np.ix_(jf, ir)]  # fake rows, real columns
    r_pr = _kth_radius(d_rr, k_pr)
    f_pr = _kth_radius(d_ff, k_pr)
    r_dc = r_pr if k_dc == k_pr else _kth_radius(d_rr, k_dc)
    precision = float(np.mean((d_fr <= r_pr[None, :]).any(axis=1)))
    recall = float(np.mean((d_fr <= f_pr[:, None]).any(axis=0)))
    inside = d_fr <= r_dc[None, :]
    density = float(inside.sum() / (k_dc * jf.size))
    coverage = float(np.mean(d_fr.min(axis=0) <= r_dc))
    return precision, recall, density, coverage
