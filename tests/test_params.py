"""The declarative parameter checks: one message format, and every table in the code obeys it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthscope._params import (
    Integral,
    Interval,
    Options,
    Pattern,
    Real,
    check_params,
    check_value,
    describe,
)
from synthscope.errors import InvalidParameterError


@pytest.mark.parametrize(
    ("value", "constraints", "message"),
    [
        (0, Interval(Integral, 1, None), r"^x must be >= 1 \(got 0\)$"),
        (2.5, Interval(Integral, 1, None), r"^x must be an integer \(got 2.5\)$"),
        (True, Interval(Integral, 1, None), r"^x must be an integer \(got True\)$"),
        (1.5, Interval(Real, 0, 1, closed="left"), r"^x must be in \[0, 1\) \(got 1.5\)$"),
        (0.0, Interval(Real, 0.0, 0.5, closed="right"), r"^x must be in \(0.0, 0.5\]"),
        (math.nan, Interval(Real, 0, 1), r"^x must be in \[0, 1\] \(got nan\)$"),
        (math.inf, Interval(Real, 0, None), r"^x must be >= 0 \(got inf\)$"),
        ("a", Interval(Real, 0, None), r"^x must be a number \(got 'a'\)$"),
        ("c", Options("a", "b"), r"^x must be one of 'a', 'b' \(got 'c'\)$"),
        (1, Options(True, False), r"^x must be one of True, False \(got 1\)$"),
        (-1.0, [Options("auto"), Interval(Real, 0, None, closed="neither")], r"^x must be > 0"),
        ("fast", [Options("auto"), Interval(Real, 0, None)], r"^x must be 'auto' or a number"),
        (1, [None, Interval(Integral, 2, None)], r"^x must be >= 2 \(got 1\)$"),
        ("y", [None, Interval(Integral, 2, None)], r"^x must be an integer or None"),
        ("a/b", Pattern(r"[a-z]+", "a name"), r"^x must be a name \(got 'a/b'\)$"),
    ],
)
def test_one_message_format(value, constraints, message):
    with pytest.raises(InvalidParameterError, match=message) as raised:
        check_value("x", value, constraints)
    assert raised.value.parameter == "x"


def test_accepted_numbers_come_back_plain():
    assert type(check_value("n", np.int64(3), Interval(Integral, 1, None))) is int
    assert type(check_value("r", np.float32(0.5), Interval(Real, 0, 1))) is float
    assert check_value("m", "auto", [Options("auto"), Interval(Real, 0, None)]) == "auto"
    assert check_value("p", None, [None, Interval(Integral, 2, None)]) is None


@given(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(), st.none(), st.booleans()))
def test_a_value_is_accepted_exactly_when_it_lies_in_the_interval(value):
    interval = Interval(Real, -1, 1, closed="right")
    inside = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -1 < value <= 1
    )
    try:
        check_value("v", value, interval)
    except InvalidParameterError as error:
        assert not inside and str(error).startswith("v must be ")
    else:
        assert inside


def test_tables_describe_themselves_for_the_page():
    table = {
        "perplexity": Interval(Real, 1, None),
        "rate": [Options("auto"), Interval(Real, 0, None, closed="neither")],
        "pca": [None, Interval(Integral, 2, None)],
    }
    assert describe(table) == {
        "perplexity": [{"type": "number", "minimum": 1}],
        "rate": [{"enum": ["auto"]}, {"type": "number", "exclusiveMinimum": 0}],
        "pca": [{"type": "null"}, {"type": "integer", "minimum": 2}],
    }
    check_params({"perplexity": 5, "unrelated": object()}, table)  # only constrained keys


def _tables():
    from synthscope.phantom._params import _CONSTRAINTS as phantom
    from synthscope.projection import CONSTRAINTS as projection
    from synthscope.spade._config import CONSTRAINTS as spade

    return {"projection": projection, "spade": spade, "phantom": phantom}


def _invalid_values(constraints) -> list:
    """Values every constraint of a parameter refuses (scikit-learn's generated invalid values)."""
    values = [object(), "not-a-valid-choice-xyz"]
    for c in constraints if isinstance(constraints, list) else [constraints]:
        if isinstance(c, Interval):
            if c.low is not None:
                values.append(c.low - 1)
            if c.high is not None:
                values.append(c.high + 1)
    return values


@pytest.mark.parametrize("table", ["projection", "spade", "phantom"])
def test_every_parameter_of_every_table_names_itself_when_refused(table):
    for name, constraints in _tables()[table].items():
        checks = constraints if isinstance(constraints, list) else [constraints]
        for value in _invalid_values(constraints):
            if any(c is not None and c.is_satisfied_by(value) for c in checks):
                continue  # e.g. a Pattern that accepts the string
            with pytest.raises(InvalidParameterError) as raised:
                check_value(name, value, constraints)
            assert str(raised.value).startswith(f"{name} must be "), str(raised.value)
            assert raised.value.parameter == name
