"""Maximum mean discrepancy with a Gaussian kernel and a permutation test (Gretton et al. 2012)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from synthscope._params import Integral, Interval, check_value
from synthscope.realism._checks import check_seed, check_sets, rng_for
from synthscope.realism._geometry import group_codes, reduce_dims, squared_distances
from synthscope.realism._permutation import PermutationTestResult, p_value, permute_labels

_BLOCK = 64  # permutations per matrix product: bounds memory at n x 64 floats


@dataclass(frozen=True, kw_only=True)
class MMDResult(PermutationTestResult):
    """Unbiased squared MMD between real and generated features.

    ``mmd2`` is 0 in expectation under the null and may be slightly negative. With same-group
    pairs excluded the within-set sums skip pairs from one group, whose correlation would
    otherwise dominate the statistic.
    """

    mmd2: float
    bandwidth: float
    exclude_same_group: bool


def mmd_test(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    bandwidth: float | None = None,
    exclude_same_group: bool = True,
    n_permutations: int = 200,
    n_components: int | None = 50,
    seed: int = 0,
) -> MMDResult:
    """Unbiased MMD² with ``k(x, y) = exp(-|x-y|² / 2σ²)`` and a permutation p-value.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group per pooled point, real first; ``None`` = unknown (singleton).
    bandwidth
        Kernel width σ; ``None`` takes the median pairwise distance of the pooled points
        (the median heuristic), computed without labels so permutations stay valid.
    exclude_same_group
        Leave pairs from one group out of the kernel sums.
    n_permutations, n_components, seed
        As in :func:`one_nn_test`.
    """
    sets = check_sets(real, fake, groups)
    n_permutations = check_value("n_permutations", n_permutations, Interval(Integral, 1, None))
    seed = check_seed(seed)
    x, kept = reduce_dims(sets.pooled, n_components, seed)
    is_real = sets.is_real
    n = is_real.size
    codes = group_codes(sets.groups, n)
    exclude = exclude_same_group and sets.has_groups

    d2 = squared_distances(x)
    if bandwidth is None:
        upper = d2[np.triu_indices(n, 1)]
        sigma = float(np.sqrt(np.median(upper)))
        if sigma == 0.0:
            sigma = 1.0  # every point identical: any width gives MMD 0
    else:
        sigma = float(bandwidth)
    kernel = np.exp(-d2 / (2.0 * sigma * sigma))
    del d2
    if exclude:
        kernel[codes[:, None] == codes[None, :]] = 0.0
    else:
        np.fill_diagonal(kernel, 0.0)

    indicator = sparse.csr_matrix(
        (np.ones(n), (codes, np.arange(n))), shape=(int(codes.max()) + 1, n)
    )
    observed = _mmd2(kernel, is_real[:, None], indicator, exclude)[0]
    rng = rng_for(seed, "mmd")
    labels, scheme = permute_labels(is_real, codes, n_permutations, rng)
    null = np.concatenate(
        [
            _mmd2(kernel, labels[:, s : s + _BLOCK], indicator, exclude)
            for s in range(0, n_permutations, _BLOCK)
        ]
    )
    return MMDResult(
        mmd2=float(observed),
        expected_null=0.0,
        null_mean=float(null.mean()),
        p_value=p_value(float(observed), null),
        bandwidth=sigma,
        n_real=sets.n_real,
        n_fake=sets.n_fake,
        exclude_same_group=exclude,
        permutation=scheme.describe(),
        n_permutations=n_permutations,
        n_components=kept,
        seed=seed,
        null_distribution=null,
    )


def _mmd2(
    kernel: np.ndarray, labels: np.ndarray, indicator: sparse.csr_matrix, exclude: bool
) -> np.ndarray:
    """Unbiased MMD² for each label column; ``kernel`` has excluded pairs already zeroed."""
    a = labels.astype(np.float64)
    ka = kernel @ a
    row_sums = kernel.sum(axis=1)
    total = row_sums.sum()
    s_rr = (a * ka).sum(axis=0)
    s_rf = row_sums @ a - s_rr
    s_ff = total - s_rr - 2.0 * s_rf
    n_r = a.sum(axis=0)
    n_f = a.shape[0] - n_r
    if exclude:
        r_g = indicator @ a
        f_g = np.asarray(indicator.sum(axis=1)) - r_g
        c_rr = n_r * n_r - (r_g * r_g).sum(axis=0)
        c_ff = n_f * n_f - (f_g * f_g).sum(axis=0)
        c_rf = n_r * n_f - (r_g * f_g).sum(axis=0)
    else:
        c_rr, c_ff, c_rf = n_r * (n_r - 1), n_f * (n_f - 1), n_r * n_f
    safe = np.maximum
    return s_rr / safe(c_rr, 1) + s_ff / safe(c_ff, 1) - 2.0 * s_rf / safe(c_rf, 1)
