"""Memorisation: how close each generated image sits to its nearest real image.

For a generated image g with nearest real image r, the ratio ``d(g, r) / d(r, r')`` compares the
gap with r's own nearest-real gap (r' the real image nearest to r). Alaa et al. (2022) call g
inauthentic when the ratio is below 1, but far more than a few fresh samples fall below 1 when
nothing is copied (18 % at 64 dimensions), so the copy flag here is calibrated instead: the same
ratio is computed for every real image against the other real images (leave one out), and a
generated image is a likely copy when its ratio is below that reference's ``quantile`` (about 1 %
of generated images are flagged when nothing is copied) or when it duplicates a real image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, Real, check_value
from synthscope.realism._checks import check_sets
from synthscope.realism._geometry import nearest, squared_distances


@dataclass(frozen=True)
class MemorizationResult:
    """Nearest real image, distance and ratio per generated image, and the copy flags."""

    nearest_real: np.ndarray = field(repr=False, compare=False)
    distance: np.ndarray = field(repr=False, compare=False)
    ratio: np.ndarray = field(repr=False, compare=False)
    likely_copy: np.ndarray = field(repr=False, compare=False)
    real_reference_ratio: np.ndarray = field(repr=False, compare=False)
    threshold: float
    quantile: float
    n_likely_copies: int
    expected_null_copies: float
    n_duplicates: int
    share_ratio_below_one: float
    share_ratio_below_one_real: float
    closest: tuple[int, ...]
    n_real: int
    n_fake: int


def memorization(
    real: Any, fake: Any, *, quantile: float = 0.01, n_closest: int = 12
) -> MemorizationResult:
    """Nearest-real distances, ratios and calibrated copy flags for generated images.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays (use the full feature space: near copies that
        differ in fine detail look alike after a strong reduction).
    quantile
        Share of leave-one-out real ratios below the copy threshold: the expected share of
        generated images flagged when nothing is copied.
    n_closest
        How many generated images with the smallest ratios to list in ``closest``.
    """
    sets = check_sets(real, fake)
    quantile = check_value("quantile", quantile, Interval(Real, 0.0, 0.5, closed="right"))
    n_closest = check_value("n_closest", n_closest, Interval(Integral, 0, None))
    return memorization_from(
        squared_distances(sets.real),
        squared_distances(sets.fake, sets.real),
        quantile=quantile,
        n_closest=n_closest,
    )


def memorization_from(
    d2_rr: np.ndarray, d2_fr: np.ndarray, *, quantile: float, n_closest: int
) -> MemorizationResult:
    """Memorisation from squared distances real-real ``(N, N)`` and fake-real ``(M, N)``."""
    n_real, n_fake = d2_rr.shape[0], d2_fr.shape[0]
    nn_r, d2_nn_r = nearest(d2_rr, 2)
    d_nn_r = np.sqrt(d2_nn_r)
    nearest_real = np.argmin(d2_fr, axis=1)
    distance = np.sqrt(d2_fr[np.arange(n_fake), nearest_real])
    ratio = _ratio(distance, d_nn_r[nearest_real, 0])

    # Leave-one-out reference: real x, its nearest other real r, and r's nearest real other
    # than x (its second neighbour when its first is x).
    first = nn_r[:, 0]
    own = d_nn_r[:, 0]
    other = np.where(nn_r[first, 0] == np.arange(n_real), d_nn_r[first, 1], d_nn_r[first, 0])
    reference = _ratio(own, other)
    threshold = float(np.quantile(reference, quantile))

    scale = float(np.median(d_nn_r[:, 0]))
    duplicate = distance <= 1e-6 * max(scale, np.finfo(float).tiny)
    likely = (ratio < threshold) | duplicate
    order = np.argsort(ratio, kind="stable")
    return MemorizationResult(
        nearest_real=nearest_real,
        distance=distance,
        ratio=ratio,
        likely_copy=likely,
        real_reference_ratio=reference,
        threshold=threshold,
        quantile=quantile,
        n_likely_copies=int(likely.sum()),
        expected_null_copies=quantile * n_fake,
        n_duplicates=int(duplicate.sum()),
        share_ratio_below_one=float(np.mean(ratio < 1.0)),
        share_ratio_below_one_real=float(np.mean(reference < 1.0)),
        closest=tuple(int(i) for i in order[:n_closest]),
        n_real=n_real,
        n_fake=n_fake,
    )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where a zero denominator gives 0 (both zero) or infinity."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    out[den == 0] = np.where(num[den == 0] == 0, 0.0, np.inf)
    return out
