"""Parameter and input checks shared by every projection, with uniform messages."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from synthscope.errors import InvalidParameterError

__all__ = ["check_choice", "check_data", "check_number"]


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> None:
    """Raise InvalidParameterError unless ``value`` is a number in the given interval."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or not np.isfinite(value):
        what = "an integer" if integer else "a finite number"
        raise InvalidParameterError(f"{name} must be {what} (got {value!r})")
    if low is not None and (value < low or (low_open and value == low)):
        sign = ">" if low_open else ">="
        raise InvalidParameterError(f"{name} must be {sign} {low:g} (got {value!r})")
    if high is not None and value > high:
        raise InvalidParameterError(f"{name} must be <= {high:g} (got {value!r})")


def check_choice(name: str, value: Any, choices: tuple[Any, ...]) -> None:
    """Raise InvalidParameterError unless ``value`` is one of ``choices``."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise InvalidParameterError(f"{name} must be one of {listed} (got {value!r})")


def check_data(X: Any, *, min_points: int = 4) -> np.ndarray:
    """Return ``X`` as a 2-D float32 array, or say which row or shape is wrong.

    Rows holding NaN or infinity are named (the first few), since one bad image vector
    otherwise silently poisons every distance.
    """
    try:
        array = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(f"X must be a numeric array ({error})") from None
    if array.ndim != 2:
        raise InvalidParameterError(
            f"X must be a 2-D array (points x features), got shape {array.shape}"
        )
    n, d = array.shape
    if n < min_points:
        raise InvalidParameterError(f"X needs at least {min_points} points (got {n})")
    if d < 1:
        raise InvalidParameterError("X has no feature columns")
    finite = np.isfinite(array).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        shown = ", ".join(str(int(i)) for i in bad[:5])
        more = f" and {bad.size - 5} more" if bad.size > 5 else ""
        raise InvalidParameterError(
            f"X has NaN or infinite values in row {shown}{more}; drop or fix those points"
        )
    return np.ascontiguousarray(array)
