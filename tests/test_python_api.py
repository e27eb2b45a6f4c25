"""The Python API: its docstring example runs as written, and bad input raises the CLI's errors."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import synthscope
from synthscope import _api
from synthscope.errors import InvalidParameterError, UnknownFeatureError, WorkspaceError
from tests.helpers import write_images


@pytest.mark.slow
def test_the_docstring_example_runs(tmp_path):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    (test,) = [t for t in finder.find(_api.Workspace, globs={"folder": tmp_path}) if t.examples]
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


@pytest.fixture
def ws(tmp_path):
    write_images(tmp_path / "real" / "pb1", 6, seed=1)
    write_images(tmp_path / "fake" / "pb1", 6, seed=2)
    workspace = synthscope.create(tmp_path / "ws")
    workspace.ingest(real=[tmp_path / "real"], fake=[tmp_path / "fake"])
    yield workspace
    workspace.close()


def test_points_vectors_and_a_relabel_by_where(ws):
    points = ws.points
    assert list(points.index) == list(range(12)) and points["image_width"].dtype == float
    assert ws.vectors().shape == (12, 4096) and ws.features == ["pixels64"]
    batch = ws.relabel("source=fake", "label", "real")
    assert (ws.points["label"] == "real").all()
    assert ws.undo() == batch and ws.redo() == batch
    mask = np.zeros(12, dtype=bool)
    mask[:2] = True
    ws.relabel(mask, "label", "fake")
    assert list(ws.select("label=fake")) == [0, 1]
    assert "12 points" in repr(ws)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda ws: synthscope.open(ws.path / "nope"), WorkspaceError, r"nope: does not exist"),
        (lambda ws: ws.projection("abc123"), UnknownFeatureError, r"no projection 'abc123'"),
        (lambda ws: ws.relabel([0], "nope", "x"), InvalidParameterError, r"column 'nope' is not"),
        (lambda ws: ws.relabel([99], "label", "x"), InvalidParameterError, r"out of range 0\.\.11"),
        (lambda ws: ws.relabel(np.ones(3, bool), "label", "x"), InvalidParameterError, "mask"),
        (lambda ws: ws.select("nope=1"), UnknownFeatureError, r"no column 'nope'"),
        (lambda ws: ws.vectors("texture"), UnknownFeatureError, r"no feature 'texture'"),
        (lambda ws: ws.project(method="tsne", perplexity=-5), InvalidParameterError, "perplexity"),
        (lambda ws: synthscope.create(ws.path), InvalidParameterError, "exists and is not empty"),
    ],
)
def test_bad_input_raises_one_line_synthscope_errors(ws, call, error, message):
    with pytest.raises(error, match=message) as raised:
        call(ws)
    assert "\n" not in str(raised.value)
