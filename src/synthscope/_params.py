r"""Declarative parameter checks: one constraint table per function or request, one message format.

A table maps each parameter name to the constraints its value may satisfy (any one will do)::

    CONSTRAINTS = {
        "dims": [Options(2, 3)],
        "perplexity": [Interval(Real, 1, None, closed="left")],
        "learning_rate": [Options("auto"), Interval(Real, 0, None, closed="neither")],
        "pca_dims": [None, Interval(Integral, 2, None, closed="left")],
        "feature": [Pattern(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]*", "a feature name")],
    }
    check_params({"dims": dims, "perplexity": perplexity, ...}, CONSTRAINTS)

Every failure reads ``"<name> must be <what> (got <value>)"`` and raises
:class:`~synthscope.errors.InvalidParameterError` with ``parameter`` set to the name, so the
command line can speak of its flag instead (``--perplexity``) and the server of its field. The same
tables describe themselves as JSON (:func:`describe`), which is how the page learns its limits.
(After scikit-learn's ``_parameter_constraints``; reimplemented, not imported.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from synthscope.errors import InvalidParameterError

__all__ = [
    "Constraint",
    "Integral",
    "Interval",
    "Options",
    "Pattern",
    "Real",
    "check_params",
    "check_value",
    "describe",
    "fail",
]


class Constraint:
    """One set of acceptable values; ``str()`` says what it accepts, in the message's words."""

    def is_satisfied_by(self, value: Any) -> bool:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


def _is_number(value: Any, kind: type) -> bool:
    """Whether ``value`` is a number of ``kind`` (NaN and infinity count as reals here)."""
    if isinstance(value, bool | np.bool_):
        return False
    if kind is Integral:
        return isinstance(value, Integral | np.integer)
    return isinstance(value, Real | np.floating | np.integer)


class Interval(Constraint):
    """Numbers of ``kind`` (``Integral`` or ``Real``) between ``low`` and ``high``.

    ``closed`` is ``"both"``, ``"left"``, ``"right"`` or ``"neither"``; ``None`` for a bound means
    unbounded on that side. Bounds are printed as written (``0.0`` stays ``0.0``). Reals must be
    finite: NaN and infinity are never a valid setting.
    """

    def __init__(
        self,
        kind: type,
        low: float | None,
        high: float | None,
        *,
        closed: str = "both",
    ) -> None:
        if kind not in (Integral, Real):
            raise TypeError("kind must be numbers.Integral or numbers.Real")
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"bad closed={closed!r}")
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    @property
    def _low_closed(self) -> bool:
        return self.closed in ("both", "left")

    @property
    def _high_closed(self) -> bool:
        return self.closed in ("both", "right")

    def is_type(self, value: Any) -> bool:
        return _is_number(value, self.kind)

    def is_satisfied_by(self, value: Any) -> bool:
        if not self.is_type(value) or not math.isfinite(float(value)):
            return False
        if self.low is not None and (
            value < self.low or (value == self.low and not self._low_closed)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self._high_closed))
        )

    @property
    def type_text(self) -> str:
        return "an integer" if self.kind is Integral else "a number"

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            left = "[" if self._low_closed else "("
            right = "]" if self._high_closed else ")"
            return f"in {left}{self.low}, {self.high}{right}"
        if self.low is not None:
            return f"{'>=' if self._low_closed else '>'} {self.low}"
        if self.high is not None:
            return f"{'<=' if self._high_closed else '<'} {self.high}"
        return self.type_text

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer" if self.kind is Integral else "number"}
        if self.low is not None:
            out["minimum" if self._low_closed else "exclusiveMinimum"] = self.low
        if self.high is not None:
            out["maximum" if self._high_closed else "exclusiveMaximum"] = self.high
        return out


class Options(Constraint):
    """One of a fixed set of values (compared with ``==``, never by type coercion)."""

    def __init__(self, *values: Any) -> None:
        self.values = tuple(values)

    def is_satisfied_by(self, value: Any) -> bool:
        # True == 1 in Python: a flag is never a valid choice among numbers.
        if isinstance(value, bool | np.bool_) and not any(isinstance(v, bool) for v in self.values):
            return False
        is_flag = isinstance(value, bool | np.bool_)
        try:
            return any(bool(v == value) and isinstance(v, bool) == is_flag for v in self.values)
        except (TypeError, ValueError):  # arrays and other values that do not compare plainly
            return False

    def __str__(self) -> str:
        if len(self.values) == 1:
            return repr(self.values[0])
        return "one of " + ", ".join(repr(v) for v in self.values)

    def to_json(self) -> dict[str, Any]:
        return {"enum": list(self.values)}


class Pattern(Constraint):
    """Strings matching a regular expression; ``what`` says in words what they look like."""

    def __init__(self, regex: str, what: str) -> None:
        self.regex = re.compile(regex)
        self.what = what

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, str) and self.regex.fullmatch(value) is not None

    def __str__(self) -> str:
        return self.what

    def to_json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": self.regex.pattern}


class _NoneConstraint(Options):
    def __init__(self) -> None:
        super().__init__(None)

    def is_satisfied_by(self, value: Any) -> bool:
        return value is None

    def to_json(self) -> dict[str, Any]:
        return {"type": "null"}


def _normalise(constraints: Constraint | Iterable[Constraint | None] | None) -> list[Constraint]:
    if constraints is None or isinstance(constraints, Constraint):
        constraints = [constraints]
    return [_NoneConstraint() if c is None else c for c in constraints]


def fail(name: str, message: str) -> InvalidParameterError:
    """An :class:`InvalidParameterError` about parameter ``name``; message starts with the name."""
    return InvalidParameterError(f"{name} {message}", parameter=name)


def _message(name: str, value: Any, constraints: Sequence[Constraint]) -> str:
    intervals = [c for c in constraints if isinstance(c, Interval)]
    typed = [c for c in intervals if c.is_type(value)]
    if typed:  # a number of the right kind outside its range: name the range only
        parts = [str(c) for c in typed]
    else:
        parts = [str(c) for c in constraints if not isinstance(c, Interval | _NoneConstraint)]
        parts += [c.type_text for c in intervals[:1]]
        if any(isinstance(c, _NoneConstraint) for c in constraints):
            parts.append("None")
    return f"must be {' or '.join(parts)} (got {value!r})"


def check_value(name: str, value: Any, constraints: Constraint | Iterable | None) -> Any:
    """Return ``value`` when it satisfies one of ``constraints``; else raise naming ``name``.

    A number accepted by an :class:`Interval` comes back as a plain ``int`` or ``float`` (so a
    NumPy scalar does not leak into JSON or seeds).
    """
    checks = _normalise(constraints)
    for constraint in checks:
        if constraint.is_satisfied_by(value):
            if isinstance(constraint, Interval):
                return int(value) if constraint.kind is Integral else float(value)
            return value
    raise fail(name, _message(name, value, checks))


def check_params(params: Mapping[str, Any], table: Mapping[str, Any]) -> None:
    """Check every entry of ``params`` that ``table`` constrains, in the table's order."""
    for name, constraints in table.items():
        if name in params:
            check_value(name, params[name], constraints)


def describe(table: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The table as JSON-schema-like fragments per parameter (``anyOf`` members)."""
    return {name: [c.to_json() for c in _normalise(cs)] for name, cs in table.items()}
