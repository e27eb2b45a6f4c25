"""The WHERE syntax shared by ``export --where``, ``label --where`` and ``utility --curated``:
regular expressions, numeric comparisons, per-feature score columns, and one-line errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthscope.errors import InvalidParameterError, SynthscopeError, UnknownFeatureError
from synthscope.workspace import parse_where, select_points


@pytest.fixture(scope="module")
def small(workspace_template):
    from synthscope.workspace import Workspace

    with Workspace.open(workspace_template) as ws:
        yield ws


def test_regex_searches_text_columns(small):
    groups = small.column("group")
    chosen = select_points(small, ["group~^gen-pb00[13]$"])
    assert sorted(set(groups[chosen])) == ["gen-pb001", "gen-pb003"]
    assert select_points(small, ["group~pb00[13]"]).size == 4 * 6  # search, not full match
    both = select_points(small, ["group~^gen-", "source=fake"])
    assert np.array_equal(both, np.flatnonzero(small.column("source") == "fake"))


def test_numeric_comparisons_skip_missing_values(small):
    c2st = small.column("realism_c2st")
    for op, compare in ((">=", np.greater_equal), ("<", np.less), ("!=", np.not_equal)):
        expected = np.flatnonzero(compare(np.nan_to_num(c2st, nan=-1), 0.4) & ~np.isnan(c2st))
        assert np.array_equal(select_points(small, [f"realism_c2st{op}0.4"]), expected)
    assert select_points(small, ["realism_c2st >= -1"]).size == 36  # the real points have none


def test_per_feature_score_names_split_at_the_operator():
    condition = parse_where("realism_c2st:texture>=0.4")
    assert (condition.column, condition.op, condition.value) == (
        "realism_c2st:texture",
        ">=",
        "0.4",
    )
    assert parse_where("realism_knn:spade-disc.run1 < 0.2").column == "realism_knn:spade-disc.run1"
    assert parse_where("note=a=b").value == "a=b"
    assert parse_where("group~x>=3").value == "x>=3"


def test_per_feature_score_columns_select(workspace):
    try:
        workspace.set_column("realism_c2st:texture", np.linspace(0, 1, workspace.n_points))
    except InvalidParameterError:
        pytest.skip("the store does not yet allow ':' in column names")
    chosen = select_points(workspace, ["realism_c2st:texture>=0.5"])
    assert chosen.size == np.count_nonzero(np.linspace(0, 1, workspace.n_points) >= 0.5)


@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        ("group~(", InvalidParameterError, "bad regular expression '\\('"),
        ("group", InvalidParameterError, "expected COLUMN=VALUE, COLUMN~REGEX"),
        ("realism_c2st~0.5", InvalidParameterError, "~ matches text; column 'realism_c2st' is"),
        ("realism_c2st>=high", InvalidParameterError, "'high' is not a number"),
        ("group>=a", InvalidParameterError, ">= needs a numeric column"),
        ("nope~x", UnknownFeatureError, "no column 'nope'"),
    ],
)
def test_bad_conditions_are_one_line(small, where, error, message):
    with pytest.raises(error, match=re.escape(message) if "(" not in message else message) as e:
        select_points(small, [where])
    assert "\n" not in str(e.value)


NAMES = st.sampled_from(["label", "source", "group", "realism_c2st", "id", "path", "nope", "a:b"])
OPS = st.sampled_from(["=", "!=", ">=", "<=", ">", "<", "~", "!", "=="])
VALUES = st.text(alphabet="abcfgenpr0123456789.-+eE*?()[]{}^$|\\ :=<>~!", max_size=12)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES, op=OPS, value=VALUES, noise=st.text(max_size=6))
def test_where_never_crashes_with_anything_but_a_synthscope_error(small, name, op, value, noise):
    for text in (f"{name}{op}{value}", f"{noise}{op}{value}", noise):
        try:
            ids = select_points(small, [text])
        except SynthscopeError as error:
            assert "\n" not in str(error)
        else:
            assert ids.dtype.kind == "i" and (ids.size == 0 or ids.max() < small.n_points)


@settings(max_examples=100, deadline=None)
@given(
    name=st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,12}", fullmatch=True),
    op=st.sampled_from(["=", "!=", ">=", "<=", ">", "<", "~"]),
    value=st.text(alphabet="abc019.:- ", max_size=8).filter(
        lambda v: v == v.strip() and not v.startswith("=")
    ),
)
def test_parse_splits_any_name_at_its_first_operator(name, op, value):
    condition = parse_where(f"{name}{op}{value}")
    assert (condition.column, condition.op, condition.value) == (name, op, value)
