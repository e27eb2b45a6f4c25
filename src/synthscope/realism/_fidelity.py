"""Fidelity distances between feature distributions: Fréchet distance and KID."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthscope.realism._checks import check_int, check_seed, check_sets, rng_for

logger = logging.getLogger(__name__)

_GRAM_LIMIT = 8000  # pooled points up to which KID precomputes one Gram matrix


@dataclass(frozen=True)
class FrechetResult:
    """Fréchet distance ``|μr - μg|² + Tr(Σr + Σg - 2 (Σr Σg)^½)`` between Gaussian fits.

    ``expected_null`` is the mean distance between random splits (sizes N and M) of the pooled
    points: the value this sample size gives when both sets come from one distribution, since
    the estimator is biased upward roughly as 1/N. ``None`` when no splits were asked for.
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

    ``expected_null`` is 0 (small negative values are valid); papers often print KID × 10³.
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


def frechet_distance(real: Any, fake: Any, *, null_splits: int = 0, seed: int = 0) -> FrechetResult:
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
    null_splits
        Random splits of the pooled points (sizes N and M) whose mean distance is reported as
        ``expected_null``; 0 skips it.
    seed
        Seed of the splits.
    """
    sets = check_sets(real, fake)
    null_splits = check_int("null_splits", null_splits, low=0)
    seed = check_seed(seed)
    d = sets.real.shape[1]
    warning = None
    if min(sets.n_real, sets.n_fake) <= d:
        warning = (
            f"each covariance comes from no more points than dimensions ({sets.n_real} real, "
            f"{sets.n_fake} fake, {d} dims): it is singular and the distance is strongly biased "
            "upward; compare it with its value under the null, or reduce the dimension"
        )
        logger.warning("Fréchet distance: %s", warning)
    mean_term, cov_term, method = _frechet_terms(sets.real, sets.fake)
    expected = None
    if null_splits:
        pooled = sets.pooled
        rng = rng_for(seed, "frechet")
        values = []
        for _ in range(null_splits):
            order = rng.permutation(pooled.shape[0])
            a, b = pooled[order[: sets.n_real]], pooled[order[sets.n_real :]]
            m, c, _ = _frechet_terms(a, b)
            values.append(m + c)
        expected = float(np.mean(values))
    return FrechetResult(
        distance=mean_term + cov_term,
        mean_term=mean_term,
        covariance_term=cov_term,
        expected_null=expected,
        null_splits=null_splits,
        method=method,
        dimension=d,
        n_real=sets.n_real,
        n_fake=sets.n_fake,
        seed=seed,
        warning=warning,
    )


def _frechet_terms(a: np.ndarray, b: np.ndarray) -> tuple[float, float, str]:
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    ca, cb = a - mu_a, b - mu_b
    na, nb = a.shape[0] - 1, b.shape[0] - 1
    trace_a = float((ca * ca).sum() / na)
    trace_b = float((cb * cb).sum() / nb)
    d = a.shape[1]
    if d < min(a.shape[0], b.shape[0]):
        method = "covariance eigendecomposition"
        sigma_a = ca.T @ ca / na
        sigma_b = cb.T @ cb / nb
        values, vectors = np.linalg.eigh(sigma_a)
        root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
        inner = root_a @ sigma_b @ root_a
        eig = np.linalg.eigvalsh((inner + inner.T) / 2.0)
    else:
        method = "nuclear norm of the centred cross product"
        cross = ca @ cb.T
        small = cross @ cross.T if cross.shape[0] <= cross.shape[1] else cross.T @ cross
        eig = np.linalg.eigvalsh(small) / (na * nb)
    trace_sqrt = float(np.sqrt(np.clip(eig, 0.0, None)).sum())
    diff = mu_a - mu_b
    mean_term = float(diff @ diff)
    return mean_term, max(trace_a + trace_b - 2.0 * trace_sqrt, 0.0), method


def kid(
    real: Any,
    fake: Any,
    *,
    n_subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    seed: int = 0,
) -> KIDResult:
    """KID: mean unbiased polynomial-kernel MMD² over random subsets (Bińkowski et al. 2018).

    Subsets hold ``min(subset_size, N, M)`` points of each set, drawn without replacement.
    """
    sets = check_sets(real, fake)
    n_subsets = check_int("n_subsets", n_subsets, low=1)
    subset_size = check_int("subset_size", subset_size, low=2)
    degree = check_int("degree", degree, low=1)
    seed = check_seed(seed)
    m = min(subset_size, sets.n_real, sets.n_fake)
    d = sets.real.shape[1]
    n_r = sets.n_real
    gram = None
    pooled = sets.pooled
    if pooled.shape[0] <= _GRAM_LIMIT:
        gram = pooled @ pooled.T
    rng = rng_for(seed, "kid")
    values = np.empty(n_subsets)
    for s in range(n_subsets):
        ir = rng.choice(n_r, m, replace=False)
        jf = n_r + rng.choice(sets.n_fake, m, replace=False)
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
    return KIDResult(
        kid=float(values.mean()),
        std=float(values.std(ddof=1)) if n_subsets > 1 else 0.0,
        expected_null=0.0,
        n_subsets=n_subsets,
        subset_size=m,
        degree=degree,
        n_real=sets.n_real,
        n_fake=sets.n_fake,
        seed=seed,
    )
