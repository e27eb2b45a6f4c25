"""Standardising feature columns that carry different units (``texture``), before any distance.

``texture`` mixes grey levels, pixels, degrees, fractions and log powers: a Euclidean distance on
its raw columns is a distance on the few columns with the largest numbers. Extractors whose columns
need it say so with a class attribute ``standardize = True``; the realism side then calls
:func:`standardize` with the rows of the real set as the reference.
"""

from __future__ import annotations

import numpy as np

__all__ = ["needs_standardizing", "standardize"]


def needs_standardizing(extractor: object) -> bool:
    """True for extractors whose columns have different units (``standardize = True``)."""
    return bool(getattr(extractor, "standardize", False))


def standardize(vectors: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """``(vectors - mean) / std`` per column, mean and std taken over ``reference`` rows.

    ``reference`` is the real set's rows (default: all of ``vectors``). A column that is constant
    in the reference is divided by its standard deviation over all ``vectors`` instead, and left
    unscaled when that is 0 too, so it never turns into huge or infinite values. float32 out.
    """
    x = np.asarray(vectors, dtype=np.float64)
    ref = x if reference is None else np.asarray(reference, dtype=np.float64)
    if ref.ndim != 2 or ref.shape[1] != x.shape[1] or ref.shape[0] == 0:
        raise ValueError(f"reference must be (n >= 1, {x.shape[1]}) rows (got {ref.shape})")
    mean = ref.mean(axis=0)
    scale = ref.std(axis=0)
    tiny = scale <= 1e-12 * (1.0 + np.abs(mean))
    if tiny.any():
        pooled = x.std(axis=0)
        scale = np.where(tiny, np.where(pooled > 1e-12 * (1.0 + np.abs(mean)), pooled, 1.0), scale)
    return ((x - mean) / scale).astype(np.float32)
