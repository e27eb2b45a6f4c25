"""The data check every projection shares: a finite 2-D float32 array with enough points.

Parameter checks live in the request's constraint table (``_request.CONSTRAINTS``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from synthscope.errors import InvalidParameterError

__all__ = ["check_data"]


def check_data(X: Any, *, min_points: int = 4) -> np.ndarray:
    """Return ``X`` as a 2-D float32 array, or say which row or shape is wrong.

    Rows holding NaN or infinity are named (the first few), since one bad image vector
    otherwise silently poisons every distance.
    """
    try:
        array = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(f"X must be a numeric array ({error})", parameter="X") from None
    if array.ndim != 2:
        raise InvalidParameterError(
            f"X must be a 2-D array (points x features), got shape {array.shape}"
        )
    n, d = array.shape
    if n < min_points:
        raise InvalidParameterError(f"X needs at least {min_points} points (got {n})")
    if d < 1:
        raise InvalidParameterError("X has no feature columns")
    bad = _non_finite_rows(array)
    if bad.size:
        shown = ", ".join(str(int(i)) for i in bad[:5])
        more = f" and {bad.size - 5} more" if bad.size > 5 else ""
        raise InvalidParameterError(
            f"X has NaN or infinite values in row {shown}{more}; drop or fix those points"
        )
    return np.ascontiguousarray(array)


def _non_finite_rows(array: np.ndarray, block_bytes: int = 64 << 20) -> np.ndarray:
    """Rows holding NaN or infinity, read a block of rows at a time: a memory-mapped feature
    is checked without ever holding an ``n x d`` mask (1,000,000 x 512 would be 512 MB)."""
    rows = max(1, block_bytes // max(1, array.shape[1] * array.itemsize))
    bad = [
        start + np.flatnonzero(~np.isfinite(array[start : start + rows]).all(axis=1))
        for start in range(0, array.shape[0], rows)
    ]
    return np.concatenate(bad)
