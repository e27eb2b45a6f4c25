"""Group-aware label permutations shared by every permutation test.

Frames of one pullback are strongly correlated, so shuffling frame labels one by one breaks the
dependence the null distribution must keep and makes p-values far too small (a toy with AR(1)
pullbacks rejected in 100 % of null draws). Here the exchangeable units are groups:

* a group whose points all carry one label (all real or all generated) keeps that label for all
  its points, and those group labels are shuffled among such groups;
* a group holding both real and generated points has its labels shuffled within it (its generated
  frames are assumed exchangeable with its real frames under the null);
* points of unknown group (``None``) are singletons, so without groups this is the ordinary
  point-wise permutation.

The permuted sets may differ in size from the observed ones when pure groups differ in size;
every statistic here is defined for any sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, kw_only=True)
class PermutationTestResult:
    """What every permutation test reports besides its statistic.

    ``expected_null`` is the statistic's value when both sets come from one distribution,
    ``null_mean`` the mean of the permutation distribution ``null_distribution``, and
    ``p_value`` the one-sided ``(1 + #{null >= observed}) / (B + 1)``.
    """

    expected_null: float
    null_mean: float
    p_value: float
    n_real: int
    n_fake: int
    permutation: str
    n_permutations: int
    n_components: int | None
    seed: int
    null_distribution: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class PermutationScheme:
    """How labels were permuted, for reports."""

    unit: str  # "point" or "group"
    n_units: int
    n_mixed_groups: int

    def describe(self) -> str:
        if self.unit == "point":
            return f"labels permuted point by point ({self.n_units} points)"
        text = f"labels permuted by whole group ({self.n_units} exchangeable units)"
        if self.n_mixed_groups:
            text += f"; within {self.n_mixed_groups} groups holding both sources"
        return text


def permute_labels(
    is_real: np.ndarray, codes: np.ndarray, n_permutations: int, rng: np.random.Generator
) -> tuple[np.ndarray, PermutationScheme]:
    """Draw ``n_permutations`` label vectors under the null.

    Parameters
    ----------
    is_real
        ``(n,)`` boolean observed labels.
    codes
        ``(n,)`` dense integer group codes (singletons for unknown groups).
    n_permutations
        Number of permuted label vectors.
    rng
        Source of randomness.

    Returns
    -------
    labels
        ``(n, n_permutations)`` boolean, one permuted label vector per column.
    scheme
        Description of the units permuted.
    """
    n = is_real.shape[0]
    n_codes = int(codes.max()) + 1
    real_count = np.bincount(codes, weights=is_real, minlength=n_codes)
    size = np.bincount(codes, minlength=n_codes)
    pure = (real_count == 0) | (real_count == size)
    pure_codes = np.flatnonzero(pure)
    unit_label = real_count[pure_codes] > 0

    out = np.empty((n, n_permutations), dtype=bool)
    # Shuffle group labels among pure groups, one row per permutation.
    shuffled = rng.permuted(np.tile(unit_label, (n_permutations, 1)), axis=1)
    position = np.full(n_codes, -1, dtype=np.int64)
    position[pure_codes] = np.arange(pure_codes.size)
    in_pure = pure[codes]
    out[in_pure] = shuffled[:, position[codes[in_pure]]].T
    # Shuffle within each mixed group.
    mixed_codes = np.flatnonzero(~pure)
    for code in mixed_codes:
        members = np.flatnonzero(codes == code)
        block = np.tile(is_real[members], (n_permutations, 1))
        out[members] = rng.permuted(block, axis=1).T
    grouped = bool((size > 1).any())
    scheme = PermutationScheme(
        unit="group" if grouped else "point",
        n_units=int(pure_codes.size + mixed_codes.size),
        n_mixed_groups=int(mixed_codes.size),
    )
    return out, scheme


def p_value(observed: float, null: np.ndarray) -> float:
    """One-sided permutation p-value ``(1 + #{null >= observed}) / (B + 1)``.

    A tiny tolerance counts ties that differ only by rounding as ties.
    """
    tol = 1e-12 * max(1.0, abs(observed))
    return float((1 + np.count_nonzero(null >= observed - tol)) / (null.size + 1))


def null_splits(
    n_real: int, codes: np.ndarray, n_splits: int, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Index pairs ``(real-like, fake-like)`` of pooled points relabelled under the null.

    Uses :func:`permute_labels`, so with groups whole groups change sides: random point splits
    would put frames of one pullback on both sides and make any metric look near-perfect.
    """
    is_real = np.zeros(codes.size, dtype=bool)
    is_real[:n_real] = True
    labels, _ = permute_labels(is_real, codes, n_splits, rng)
    return [(np.flatnonzero(col), np.flatnonzero(~col)) for col in labels.T]
