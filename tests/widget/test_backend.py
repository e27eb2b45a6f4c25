"""The widget's kernel side: a request in, a reply and binary buffers out; bad input answered in
one line with the SynthscopeError's class, never raised into the kernel."""

from __future__ import annotations

import json
import struct
import threading
import time

import numpy as np
import pytest

from synthscope.projection import Projection
from synthscope.widget._backend import Backend


class Outbox:
    """What the backend sends besides replies (stream frames and statuses)."""

    def __init__(self) -> None:
        self.messages: list[tuple[dict, list[bytes]]] = []
        self.lock = threading.Lock()

    def __call__(self, content: dict, buffers: list[bytes]) -> None:
        with self.lock:
            self.messages.append((content, list(buffers)))

    def of(self, kind: str) -> list[tuple[dict, list[bytes]]]:
        with self.lock:
            return [m for m in self.messages if m[0]["type"] == kind]


def ask(backend: Backend, method: str, **args) -> tuple[dict, list[bytes]]:
    reply, buffers = backend.handle(
        {"type": "request", "id": "t.1", "method": method, "args": args}
    )
    assert reply["type"] == "reply" and reply["id"] == "t.1"
    json.dumps(reply)  # what the comm sends must be plain JSON
    return reply, buffers


def refused(backend: Backend, method: str, **args) -> dict:
    reply, buffers = ask(backend, method, **args)
    assert "error" in reply and not buffers, reply
    assert "\n" not in reply["error"]["detail"]
    return reply["error"]


def decode_column(buffer: bytes) -> tuple[dict, np.ndarray]:
    (length,) = struct.unpack_from("<I", buffer)
    header = json.loads(buffer[4 : 4 + length])
    start = 4 + length + (-(4 + length)) % 4
    dtype = "<f4" if header["kind"] == "real" else "<i4"
    return header, np.frombuffer(buffer[start:], dtype)


@pytest.fixture
def backend(ws):
    outbox = Outbox()
    backend = Backend(ws.store, outbox)
    backend.outbox = outbox
    yield backend
    backend.close()


def test_dataset_lists_what_the_projector_starts_from(backend, ws):
    reply, buffers = ask(backend, "dataset")
    value = reply["value"]
    assert not buffers and value["count"] == 24 and value["name"] == "ws"
    assert {c["name"] for c in value["columns"]} >= {"label", "source", "score"}
    assert [p["id"] for p in value["projections"]] == [p["id"] for p in ws.projections]
    assert value["thumbs"]["n_points"] == 24 and value["features"] == ["pixels64"]


def test_columns_and_coordinates_travel_as_binary_buffers(backend, ws):
    reply, (buffer,) = ask(backend, "column", name="score")
    header, values = decode_column(buffer)
    assert header["kind"] == "real" and header["n"] == 24
    np.testing.assert_allclose(values, np.linspace(0, 1, 24), atol=1e-6)
    _, (buffer,) = ask(backend, "column", name="source")
    header, codes = decode_column(buffer)
    assert header["categories"] == ["fake", "real"] and list(codes[:12]) == [1] * 12

    pid = ws.projections[0]["id"]
    reply, (buffer,) = ask(backend, "projection", id=pid)
    assert reply["value"] == {"n": 24, "dims": 2}
    coords = np.frombuffer(buffer, "<f4").reshape(24, 2)
    np.testing.assert_array_equal(coords, ws.projection(pid).embedding)


def test_components_images_tiles_and_the_selection_file(backend, ws):
    pid = ws.projections[0]["id"]
    reply, (buffer,) = ask(backend, "components", id=pid, k=3)
    assert reply["value"]["dims"] == 3 and len(reply["value"]["variance"]) == 3
    assert np.frombuffer(buffer, "<f4").shape == (72,)
    for method, args in (("image", {"id": 5}), ("thumbTile", {"tile": 0})):
        _, (png,) = ask(backend, method, **args)
        assert png.startswith(b"\x89PNG")
    reply, buffers = ask(backend, "labelMap", id=5)
    assert reply["value"] is None and not buffers  # ingested without label maps
    _, (tsv,) = ask(backend, "selectionTsv", ids=[3, 1])
    lines = tsv.decode().splitlines()
    assert lines[0].startswith("id\tpath") and [line.split("\t")[0] for line in lines[1:]] == [
        "1",
        "3",
    ]


def test_the_utility_study_is_answered_once_stored(backend, ws):
    error = refused(backend, "utility")
    assert error["error"] == "UnknownFeatureError" and "synthscope utility" in error["detail"]
    assert ask(backend, "dataset")[0]["value"]["utility"] is False
    study = {"task": "segment", "verdict": "adding 12 curated frames raised Dice", "arms": []}
    (ws.path / "utility").mkdir()
    (ws.path / "utility" / "result.json").write_text(json.dumps(study))
    assert ask(backend, "utility")[0]["value"] == study
    assert ask(backend, "dataset")[0]["value"]["utility"] is True
    (ws.path / "utility" / "result.json").write_text("{")
    error = refused(backend, "utility")
    assert error["error"] == "WorkspaceError" and "unreadable" in error["detail"]


def test_the_widget_shows_only_recorded_image_files(backend, ws, tmp_path):
    # As the server's image routes (issue 16): a path nobody recorded is not read, and the
    # answer is the same line as for a missing file.
    secret = tmp_path / "secret.png"
    secret.write_bytes(ws.store.image_file(0)[0].read_bytes())
    ws.store._connection.execute("UPDATE points SET path = ? WHERE id = 0", (str(secret),))
    ws.store._connection.execute(
        "UPDATE points SET path = ? WHERE id = 1", (str(tmp_path / "none.png"),)
    )
    shown, missing = refused(backend, "image", id=0), refused(backend, "image", id=1)
    assert shown["detail"] == "point 0 has no image to show", shown
    assert missing["detail"] == "point 1 has no image to show", missing
    assert shown["error"] == missing["error"] == "UnknownFeatureError"


def test_edits_go_through_the_edit_log_and_are_announced(ws):
    edits: list[str | None] = []
    backend = Backend(ws.store, Outbox(), on_edit=edits.append)
    reply, _ = ask(backend, "relabel", ids=[0, 2], column="label", value="fake")
    assert reply["value"] == {"batch": 1, "count": 2, "column": "label", "value": "fake"}
    assert list(ws.points["label"][:3]) == ["fake", "real", "fake"]
    assert ask(backend, "undo")[0]["value"] == {"batch": 1}
    assert list(ws.points["label"][:3]) == ["real", "real", "real"]
    assert ask(backend, "redo")[0]["value"] == {"batch": 1}
    assert edits == ["label", None, None]
    batches = ask(backend, "history")[0]["value"]["batches"]
    assert [b["kind"] for b in batches] == ["redo", "undo", "edit"]


def test_palette_slots_are_kept_per_value(backend):
    first = ask(backend, "palette", key="label", values=["real", "fake"])[0]["value"]["slots"]
    again = ask(backend, "palette", key="label", values=["new", "fake"])[0]["value"]["slots"]
    assert first == {"real": 1, "fake": 0} and again == {"new": 2, "fake": 0}


@pytest.mark.parametrize(
    ("method", "args", "kind", "message"),
    [
        ("projection", {"id": "nope"}, "UnknownFeatureError", "no stored projection 'nope'"),
        ("column", {"name": "nope"}, "UnknownFeatureError", "no column 'nope'"),
        (
            "relabel",
            {"ids": [3, 99], "column": "label", "value": "x"},
            "InvalidParameterError",
            r"ids out of range 0..23 (got [99])",
        ),
        (
            "relabel",
            {"ids": "3", "column": "label", "value": "x"},
            "InvalidParameterError",
            "ids must be a list of point ids",
        ),
        (
            "relabel",
            {"ids": [1], "column": "score", "value": "x"},
            "InvalidParameterError",
            "column 'score' is numeric",
        ),
        (
            "relabel",
            {"ids": [], "column": "label", "value": "x"},
            "InvalidParameterError",
            "select points first",
        ),
        (
            "point",
            {"id": 24},
            "InvalidParameterError",
            "id 24 is not a point: ids run from 0 to 23",
        ),
        ("neighbors", {"id": 1, "k": 0, "metric": "cosine"}, "InvalidParameterError", "k must be"),
        ("neighbors", {"id": 1, "k": 3, "metric": "manhattan"}, "InvalidParameterError", "metric"),
        (
            "neighbors",
            {"id": 1, "k": 3, "metric": "cosine", "feature": "texture"},
            "UnknownFeatureError",
            "texture",
        ),
        ("components", {"id": "nope", "k": 3}, "UnknownFeatureError", "no stored projection"),
        ("thumbTile", {"tile": 7}, "InvalidParameterError", "tiles run from 0 to 0"),
        ("realism", {}, "UnknownFeatureError", "no realism report yet"),
        (
            "startProjection",
            {"request": {"method": "tsne", "perplexity": -1}},
            "InvalidParameterError",
            "perplexity",
        ),
        (
            "startProjection",
            {"request": {"method": "pca", "feature": "texture"}},
            "UnknownFeatureError",
            "texture",
        ),
        ("deleteProjection", {"id": "nope"}, "UnknownFeatureError", "no stored projection"),
        ("exportImages", {"ids": [1], "name": "../out"}, "InvalidParameterError", "name must be"),
        ("control", {"id": "nope", "action": "pause"}, "UnknownFeatureError", "no projection job"),
        ("stream", {"stream": "s1", "id": "nope"}, "UnknownFeatureError", "no stored projection"),
        ("fly", {}, "InvalidParameterError", "'fly' is not a request the widget answers"),
    ],
)
def test_bad_input_is_answered_in_one_line(backend, method, args, kind, message):
    error = refused(backend, method, **args)
    assert error["error"] == kind and message in error["detail"], error


def test_a_malformed_message_or_a_bug_is_answered_not_raised(backend, monkeypatch):
    reply, _ = backend.handle({"id": 3})
    assert reply["error"]["error"] == "InvalidParameterError" and reply["id"] == 3
    reply, _ = backend.handle("text")  # type: ignore[arg-type]
    assert reply["error"]["error"] == "InvalidParameterError"
    monkeypatch.setattr(backend.store, "features", lambda: 1 / 0)
    error = refused(backend, "dataset")
    assert error == {"detail": "ZeroDivisionError: division by zero", "error": "InternalError"}


def test_a_projection_started_here_streams_its_iterates_and_is_stored(ws):
    def run(vectors, request, callback, **_):
        for it in range(1, 6):
            callback(it, np.full((vectors.shape[0], request.dims), it, np.float32), None)
            time.sleep(0.01)
        return Projection(np.full((vectors.shape[0], request.dims), 9, np.float32), {}, 0.5, 0, 5)

    outbox, changed = Outbox(), []
    backend = Backend(ws.store, outbox, compute=run, on_change=lambda: changed.append(1))
    started = ask(backend, "startProjection", request={"method": "tsne", "dims": 2, "seed": 4})
    pid = started[0]["value"]["id"]
    assert started[0]["value"]["state"] == "running"
    assert ask(backend, "stream", stream="v.s1", id=pid)[0]["value"] == {"stream": "v.s1"}
    deadline = time.monotonic() + 20
    while not any(m[0]["status"]["state"] == "done" for m in outbox.of("status")):
        assert time.monotonic() < deadline, outbox.messages
        time.sleep(0.02)
    frames = outbox.of("frame")
    assert frames and all(m[0]["stream"] == "v.s1" and len(m[1]) == 1 for m in frames)
    last = frames[-1][1][0]
    _, total, n, dims = struct.unpack_from("<IIII", last)
    assert (total, n, dims) == (1000, 24, 2)
    assert np.all(np.frombuffer(last[16:], "<f4") == 9)
    stored = ws.projection(pid)
    assert stored.meta["iterations"] == 5 and changed == [1]
    # A stream of a finished projection sends it once, then "done".
    again = Outbox()
    backend._send = again
    ask(backend, "stream", stream="v.s2", id=pid)
    while len(again.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [m[0]["type"] for m in again.messages] == ["frame", "status"]
    backend.close()
