"""Fidelity distances between feature distributions: Fréchet distance and KID."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, check_value
from synthscope._pca import one_blas_thread
from synthscope.realism._checks import check_seed, check_sets, rng_for
from synthscope.realism._geometry import group_codes
from synthscope.realism._permutation import null_splits as split_pairs

logger = logging.getLogger(__name__)

_GRAM_LIMIT = 8000  # pooled points up to which KID precomputes one Gram matrix


@dataclass(frozen=True)
class FrechetResult:
    """Fréchet distance ``|μr - μg|² + Tr(Σr + Σg - 2 (Σr Σg)^½)`` between Gaussian fits.

    ``expected_null`` is the mean distance between random splits (sizes N and M) of the pooled
    points: the value this sample size gives when both sets come from one distribution, since
    the estimator is biased upward roughly as 1/N. With groups the splits move whole groups.
    ``None`` when no splits were asked for.
    """

    distance: float
    mean_term: float
    covariance_term: float
    expected_null: float | None
    null_splits: int
    method: str
    dimension: int
    n_real: int
    n_fake: int
    seed: int
    warning: str | None


@dataclass(frozen=True)
class KIDResult:
    """Kernel inception distance: unbiased MMD² with ``k(x, y) = (x·y/d + 1)³`` over subsets.

    ``expected_null`` is 0 for independent points (small negative values are valid); with
    correlated frames in groups the within-set pairs bias it upward, so it is then the mean
    KID over splits that move whole groups. Papers often print KID × 10³.
    """

    kid: float
    std: float
    expected_null: float
    n_subsets: int
    subset_size: int
    degree: int
    n_real: int
    n_fake: int
    seed: int


def frechet_distance(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    null_splits: int = 0,
    seed: int = 0,
) -> FrechetResult:
    """Fréchet distance between the Gaussian fits of two feature sets.

    The matrix square root is never formed: ``Tr (Σr Σg)^½`` is the sum of the square roots of
    the eigenvalues of the symmetric ``Σr^½ Σg Σr^½`` (when d is smaller than the sets), or the
    nuclear norm of the centred cross product ``Ar Ag'`` scaled by ``1/sqrt((N-1)(M-1))`` (when
    d is larger). Both use symmetric eigensolvers, so there are no complex parts to discard and
    no diagonal jitter to add, and singular covariances (N <= d) are handled exactly.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group per pooled point, real first: the null splits then move whole groups.
    null_splits
        Random splits of the pooled points (sizes N and M) whose mean distance is reported as
        ``expected_null``; 0 skips it.
    seed
        Seed of the splits.
    """
    sets = check_sets(real, fake, groups)
    null_splits = check_value("null_splits", null_splits, Interval(Integral, 0, None))
    seed = check_seed(seed)
    pooled = sets.pooled
    gram = pooled @ pooled.T if _gram_route(sets.n_real, sets.n_fake, pooled.shape[1]) else None
    codes = group_codes(sets.groups, pooled.shape[0]) if sets.has_groups else None
    return frechet_from(pooled, gram, sets.n_real, codes=codes, null_splits=null_splits, seed=seed)


def _gram_route(n_real: int, n_fake: int, d: int) -> bool:
    return d >= min(n_real, n_fake)


def frechet_from(
    pooled: np.ndarray,
    gram: np.ndarray | None,
    n_real: int,
    *,
    codes: np.ndarray | None = None,
    null_splits: int,
    seed: int,
) -> FrechetResult:
    """Fréchet distance of validated pooled points (real rows first).

    ``gram`` is the pooled Gram matrix ``X X'``, required when d >= min(N, M) (the
    nuclear-norm route works from it alone, so the null splits cost no further products).
    """
    n = pooled.shape[0]
    n_fake = n - n_real
    d = pooled.shape[1]
    warning = None
    if min(n_real, n_fake) <= d:
        warning = (
            f"each covariance comes from no more points than dimensions ({n_real} real, "
            f"{n_fake} fake, {d} dims): it is singular and the distance is strongly biased "
            "upward; compare it with its value under the null, or reduce the dimension"
        )
        logger.warning("Fréchet distance: %s", warning)
    use_gram = _gram_route(n_real, n_fake, d)
    if use_gram and gram is None:
        gram = pooled @ pooled.T

    def terms(ia: np.ndarray, ib: np.ndarray) -> tuple[float, float]:
        if use_gram:
            return _terms_from_gram(gram, ia, ib)
        return _terms_from_covariances(pooled[ia], pooled[ib])

    index = np.arange(n)
    mean_term, cov_term = terms(index[:n_real], index[n_real:])
    expected = None
    if null_splits:
        rng = rng_for(seed, "frechet")
        units = codes if codes is not None else index
        values = [
            sum(terms(ia, ib))
            for ia, ib in split_pairs(n_real, units, null_splits, rng)
            if min(ia.size, ib.size) >= 2
        ]
        expected = float(np.mean(values)) if values else None
    return FrechetResult(
        distance=mean_term + cov_term,
        mean_term=mean_term,
        covariance_term=cov_term,
        expected_null=expected,
        null_splits=null_splits,
        method=(
            "nuclear norm of the centred cross product"
            if use_gram
            else "covariance eigendecomposition"
        ),
        dimension=d,
        n_real=n_real,
        n_fake=n_fake,
        seed=seed,
        warning=warning,
    )


def _terms_from_covariances(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean and covariance terms through ``Σa^½ Σb Σa^½`` (for d below the set sizes)."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    ca, cb = a - mu_a, b - mu_b
    na, nb = a.shape[0] - 1, b.shape[0] - 1
    sigma_a = ca.T @ ca / na
    sigma_b = cb.T @ cb / nb
    with one_blas_thread():
        values, vectors = np.linalg.eigh(sigma_a)
        root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
        inner = root_a @ sigma_b @ root_a
        eig = np.linalg.eigvalsh((inner + inner.T) / 2.0)
    trace_sqrt = float(np.sqrt(np.clip(eig, 0.0, None)).sum())
    diff = mu_a - mu_b
    cov = float(np.trace(sigma_a) + np.trace(sigma_b)) - 2.0 * trace_sqrt
    return float(diff @ diff), max(cov, 0.0)


def _terms_from_gram(gram: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> tuple[float, float]:
    """Mean and covariance terms from the pooled Gram matrix alone (for d >= the set sizes).

    With centred blocks ``A = Xa - μa`` and ``B = Xb - μb``: ``Tr Σa = Tr(A A')/(na-1)``,
    ``|μa - μb|²`` from block sums, and ``Tr (Σa Σb)^½ = ||A B'||_* / sqrt((na-1)(nb-1))`` with
    ``A B'`` the double-centred cross block.
    """
    na, nb = ia.size, ib.size
    g_aa = gram[np.ix_(ia, ia)]
    g_bb = gram[np.ix_(ib, ib)]
    g_ab = gram[np.ix_(ia, ib)]
    sum_aa, sum_bb, sum_ab = g_aa.sum(), g_bb.sum(), g_ab.sum()
    mean_term = sum_aa / na**2 + sum_bb / nb**2 - 2.0 * sum_ab / (na * nb)
    trace_a = (np.trace(g_aa) - sum_aa / na) / (na - 1)
    trace_b = (np.trace(g_bb) - sum_bb / nb) / (nb - 1)
    cross = g_ab - g_ab.mean(axis=1, keepdims=True) - g_ab.mean(axis=0, keepdims=True)
    cross += sum_ab / (na * nb)
    small = cross @ cross.T if na <= nb else cross.T @ cross
    with one_blas_thread():
        eig = np.linalg.eigvalsh(small) / ((na - 1) * (nb - 1))
    trace_sqrt = float(np.sqrt(np.clip(eig, 0.0, None)).sum())
    cov = float(trace_a + trace_b) - 2.0 * trace_sqrt
    return max(float(mean_term), 0.0), max(cov, 0.0)


def kid(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    n_subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    null_splits: int = 0,
    seed: int = 0,
) -> KIDResult:
    """KID: mean unbiased polynomial-kernel MMD² over random subsets (Bińkowski et al. 2018).

    Subsets hold ``min(subset_size, N, M)`` points of each set, drawn without replacement.
    With ``groups`` (one per pooled point, real first) and ``null_splits``, ``expected_null``
    is measured on splits that move whole groups, with a tenth as many subsets each.
    """
    sets = check_sets(real, fake, groups)
    n_subsets = check_value("n_subsets", n_subsets, Interval(Integral, 1, None))
    subset_size = check_value("subset_size", subset_size, Interval(Integral, 2, None))
    degree = check_value("degree", degree, Interval(Integral, 1, None))
    seed = check_seed(seed)
    pooled = sets.pooled
    gram = pooled @ pooled.T if pooled.shape[0] <= _GRAM_LIMIT else None
    codes = group_codes(sets.groups, pooled.shape[0]) if sets.has_groups else None
    return kid_from(
        pooled,
        gram,
        sets.n_real,
        codes=codes,
        null_splits=check_value("null_splits", null_splits, Interval(Integral, 0, None)),
        n_subsets=n_subsets,
        subset_size=subset_size,
        degree=degree,
        seed=seed,
    )


def kid_from(
    pooled: np.ndarray,
    gram: np.ndarray | None,
    n_real: int,
    *,
    codes: np.ndarray | None = None,
    null_splits: int = 0,
    n_subsets: int,
    subset_size: int,
    degree: int,
    seed: int,
) -> KIDResult:
    """KID of validated pooled points (real rows first), from their Gram matrix when given."""
    n = pooled.shape[0]
    n_fake = n - n_real
    index = np.arange(n)
    rng = rng_for(seed, "kid")
    values = _kid_values(
        pooled, gram, index[:n_real], index[n_real:], n_subsets, subset_size, degree, rng
    )
    expected = 0.0
    if codes is not None and null_splits:
        split_values = [
            _kid_values(pooled, gram, ia, ib, max(2, n_subsets // 10), subset_size, degree, rng)
            for ia, ib in split_pairs(n_real, codes, null_splits, rng)
            if min(ia.size, ib.size) >= 2
        ]
        if split_values:
            expected = float(np.mean(np.concatenate(split_values)))
    return KIDResult(
        kid=float(values.mean()),
        std=float(values.std(ddof=1)) if n_subsets > 1 else 0.0,
        expected_null=expected,
        n_subsets=n_subsets,
        subset_size=min(subset_size, n_real, n_fake),
        degree=degree,
        n_real=n_real,
        n_fake=n_fake,
        seed=seed,
    )


def _kid_values(
    pooled: np.ndarray,
    gram: np.ndarray | None,
    ia: np.ndarray,
    ib: np.ndarray,
    n_subsets: int,
    subset_size: int,
    degree: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Unbiased polynomial-kernel MMD² of ``n_subsets`` random subset pairs of ``ia``, ``ib``."""
    m = min(subset_size, ia.size, ib.size)
    d = pooled.shape[1]
    values = np.empty(n_subsets)
    for s in range(n_subsets):
        ir = rng.choice(ia, m, replace=False)
        jf = rng.choice(ib, m, replace=False)
        if gram is not None:
            k_rr, k_ff, k_rf = gram[np.ix_(ir, ir)], gram[np.ix_(jf, jf)], gram[np.ix_(ir, jf)]
        else:
            xr, xf = pooled[ir], pooled[jf]
            k_rr, k_ff, k_rf = xr @ xr.T, xf @ xf.T, xr @ xf.T
        k_rr, k_ff, k_rf = ((k / d + 1.0) ** degree for k in (k_rr, k_ff, k_rf))
        off = m * (m - 1)
        values[s] = (
            (k_rr.sum() - np.trace(k_rr)) / off
            + (k_ff.sum() - np.trace(k_ff)) / off
            - 2.0 * k_rf.mean()
        )
    return values
