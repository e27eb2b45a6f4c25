"""``synthscope.Projector`` without a kernel: its traits check what Python sets, its messages reach
the backend, and edits made through the workspace object reach its open widgets."""

from __future__ import annotations

import numpy as np
import pytest

import synthscope
from synthscope.errors import InvalidParameterError, SynthscopeError, UnknownFeatureError
from synthscope.widget import Projector, bundle_path

pytestmark = pytest.mark.skipif(
    not bundle_path().is_file(), reason="front end not built: run `make web`"
)


class Sent(list):
    def __call__(self, content, buffers):
        self.append((content, buffers))


@pytest.fixture
def widget(ws):
    view = synthscope.Projector(ws, color_by="source", height=500)
    view.sent = Sent()
    view._post = view.sent  # what the kernel would send to the views
    view._backend._send = view.sent
    yield view
    view.close()


def test_the_widget_carries_the_built_bundle_and_its_traits(widget, ws):
    assert "render" in widget._esm and len(widget._esm) > 100_000
    assert widget.color_by == "source" and widget.height == 500 and widget.projection is None
    assert widget.selection == [] and widget.filter == {}
    assert widget.workspace is ws and synthscope.Projector is Projector


def test_a_path_opens_the_workspace(ws_path):
    view = Projector(ws_path, projection=None)
    try:
        assert view.workspace.path == ws_path
    finally:
        view.close()
        view.workspace.close()


def test_selection_takes_ids_masks_arrays_and_where_conditions(widget, ws):
    widget.selection = [5, 3, 3]
    assert widget.selection == [3, 5]
    widget.selection = np.arange(24) % 12 == 0
    assert widget.selection == [0, 12]
    widget.selection = "source=fake"
    assert widget.selection == list(range(12, 24))
    widget.selection = np.array([7])
    assert list(widget.selected_points.index) == [7]


def test_filters_are_normalised(widget):
    widget.filter = {"label": ["real"], "score": (0.25, 0.75)}
    assert widget.filter == {"label": {"values": ["real"]}, "score": {"range": [0.25, 0.75]}}
    widget.filter = {"score": {"range": [0, 1]}}
    assert widget.filter == {"score": {"range": [0.0, 1.0]}}


@pytest.mark.parametrize(
    ("trait", "value", "error", "message"),
    [
        ("selection", [3, 24], InvalidParameterError, r"ids out of range 0\.\.23 \(got \[24\]\)"),
        ("selection", [1.5], InvalidParameterError, "point ids"),
        ("selection", "nope=1", UnknownFeatureError, "no column 'nope'"),
        ("color_by", "nope", UnknownFeatureError, "no column 'nope'"),
        ("projection", "nope", UnknownFeatureError, r"no stored projection 'nope' \(stored: "),
        ("filter", {"nope": ["a"]}, UnknownFeatureError, "no column 'nope'"),
        ("filter", {"label": (0, 1)}, InvalidParameterError, "label is a text column"),
        ("filter", {"score": (1, 0)}, InvalidParameterError, "runs backwards"),
        ("filter", {"score": "high"}, InvalidParameterError, "give a list of values"),
        ("height", 50, InvalidParameterError, "height must be 200 to 4000"),
    ],
)
def test_bad_values_raise_one_line_errors_and_change_nothing(widget, trait, value, error, message):
    before = getattr(widget, trait)
    with pytest.raises(error, match=message) as caught:
        setattr(widget, trait, value)
    assert "\n" not in str(caught.value)
    assert getattr(widget, trait) == before


def test_a_stored_projection_can_be_shown_from_python(widget, ws):
    pid = ws.projections[0]["id"]
    widget.projection = pid
    assert widget.projection == pid


def test_requests_from_the_view_are_answered_over_the_comm(widget):
    widget._receive(
        widget, {"type": "request", "id": "v.1", "method": "point", "args": {"id": 2}}, []
    )
    ((reply, _),) = widget.sent
    assert reply["value"]["id"] == 2 and reply["value"]["values"]["source"] == "real"
    widget._receive(widget, {"type": "something else"}, [])  # not a request: ignored
    assert len(widget.sent) == 1


def test_edits_from_python_reach_open_widgets_and_widget_edits_the_others(ws, widget):
    other = Projector(ws)
    other.sent = Sent()
    other._post = other.sent
    try:
        ws.relabel([1, 2], "label", "fake")
        assert widget.sent[-1][0] == {"type": "edited", "column": "label"}
        ws.undo()
        assert widget.sent[-1][0] == {"type": "edited", "column": None}
        ws.project(method="pca", dims=3)
        assert widget.sent[-1][0] == {"type": "changed", "column": None}
        # An edit made in one widget goes to the others, not back to itself.
        request = {"ids": [4], "column": "label", "value": "fake"}
        widget.sent.clear()
        other.sent.clear()
        widget._receive(
            widget, {"type": "request", "id": "v.2", "method": "relabel", "args": request}, []
        )
        assert [m[0]["type"] for m in widget.sent] == ["reply"]
        assert other.sent == [({"type": "edited", "column": "label"}, [])]
        assert ws.points["label"][4] == "fake"
    finally:
        other.close()
    other.sent.clear()
    ws.redo()
    assert other.sent == []  # a closed widget hears nothing


def test_a_missing_bundle_is_one_clear_error(ws, monkeypatch, tmp_path):
    from synthscope.widget import _widget

    monkeypatch.setattr(_widget, "bundle_path", lambda: tmp_path / "widget.js")
    with pytest.raises(SynthscopeError, match="front end is not built"):
        Projector(ws)
