from __future__ import annotations

import threading

import numpy as np
import pytest

from synthscope.errors import InvalidParameterError, UnknownFeatureError
from synthscope.workspace import Workspace, ingest


@pytest.fixture
def ws(tmp_path, image_folders):
    real, fake = image_folders(4, 4)
    ingest(tmp_path / "ws", [real], [fake])
    with Workspace.open(tmp_path / "ws") as workspace:
        yield workspace


def test_relabel_undo_redo(ws):
    first = ws.relabel([4, 5], "label", "real")
    second = ws.relabel([5, 6], "label", "maybe")
    assert list(ws.column("label"))[4:8] == ["real", "maybe", "maybe", "fake"]
    assert list(ws.column("source"))[4:8] == ["fake"] * 4  # source never changes
    assert ws.undo() == second
    assert list(ws.column("label"))[4:8] == ["real", "real", "fake", "fake"]
    assert ws.undo() == first
    assert list(ws.column("label"))[4:8] == ["fake"] * 4
    assert ws.undo() is None
    assert ws.redo() == first
    assert ws.redo() == second
    assert list(ws.column("label"))[4:8] == ["real", "maybe", "maybe", "fake"]
    assert ws.redo() is None
    history = ws.edits()
    assert [h["kind"] for h in history] == ["redo", "redo", "undo", "undo", "edit", "edit"]


def test_a_new_edit_ends_the_redo_chain(ws):
    ws.relabel([0], "label", "x")
    ws.undo()
    ws.relabel([1], "label", "y")
    assert ws.redo() is None
    assert list(ws.column("label"))[:2] == ["real", "y"]


def test_edits_survive_reopening(ws, tmp_path):
    ws.relabel([7], "group", "curated")
    with Workspace.open(ws.path) as again:
        assert again.column("group")[7] == "curated"


def test_numeric_columns_and_bad_edits(ws):
    ws.set_column("score", np.arange(8) / 10)
    ws.relabel([0], "score", "2.5")
    assert ws.column("score")[0] == 2.5
    ws.undo()
    assert ws.column("score")[0] == 0.0
    with pytest.raises(InvalidParameterError, match="'score' is numeric; 'high' is not a number"):
        ws.relabel([0], "score", "high")
    with pytest.raises(InvalidParameterError, match="column 'source' is not editable"):
        ws.relabel([0], "source", "fake")
    with pytest.raises(InvalidParameterError, match=r"point ids out of range 0\.\.7: \[8\]"):
        ws.relabel([8], "label", "real")
    with pytest.raises(UnknownFeatureError, match="no column 'nope'"):
        ws.column("nope")


def test_concurrent_edits_from_two_threads_lose_nothing(ws):
    def work(value: str, ids: list[int]) -> None:
        with Workspace.open(ws.path) as other:
            for i in ids:
                other.relabel([i], "label", value)

    threads = [
        threading.Thread(target=work, args=("a", [0, 2, 4, 6])),
        threading.Thread(target=work, args=("b", [1, 3, 5, 7])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(ws.column("label")) == ["a", "b"] * 4
    assert len(ws.edits()) == 8


def test_projection_storage(ws):
    request = {"method": "pca", "dims": 2, "feature": "pixels64", "seed": 0}
    pid = ws.projection_id(request)
    assert pid == ws.projection_id(dict(reversed(request.items())))
    assert ws.load_projection(pid) is None
    ws.save_projection(pid, np.ones((8, 2)), {**request, "seconds": 0.1})
    embedding, meta = ws.load_projection(pid)
    assert embedding.dtype == np.float32 and meta["method"] == "pca" and meta["id"] == pid
    assert [p["id"] for p in ws.projections()] == [pid]
    assert ws.projection_id({**request, "seed": 1}) != pid
    # Ids are hex: about 10 in 16 start with a digit, and every one must be storable.
    for seed in range(20):
        other = ws.projection_id({**request, "seed": seed})
        ws.save_projection(other, np.zeros((8, 2)), request)
        assert ws.load_projection(other) is not None
