"""Routes the projector page added: rename and delete projections, PCA components, stable palette,
image export of a selection, computed columns, backwards id ranges, and a stream that survives
malformed messages."""

from __future__ import annotations

import json
import logging
import time

import numpy as np
import pytest

from synthscope.workspace import Workspace
from tests.server.test_projection_routes import wait_for


def stored_ids(ws_path) -> list[str]:
    return [p["id"] for p in Workspace.open(ws_path).projections()]


def test_a_projection_is_renamed_and_the_name_survives_a_rerun(client, ws_path):
    pid = stored_ids(ws_path)[0]
    answer = client.patch(f"/api/projections/{pid}", json={"name": "  pixels, first look "})
    assert answer.status_code == 200 and answer.json()["name"] == "pixels, first look"
    listed = {p["id"]: p for p in client.get("/api/dataset").json()["projections"]}
    assert listed[pid]["name"] == "pixels, first look"
    ws = Workspace.open(ws_path)
    coords, meta = ws.load_projection(pid)
    ws.save_projection(pid, coords, {k: v for k, v in meta.items() if k != "name"})
    assert ws.load_projection(pid)[1]["name"] == "pixels, first look"
    assert "name" not in client.patch(f"/api/projections/{pid}", json={"name": ""}).json()


@pytest.mark.parametrize(
    ("pid", "body", "status", "parameter"),
    [
        ("nope", {"name": "x"}, 404, None),
        (None, {"name": "x" * 121}, 422, "name"),
        (None, {"name": "a\nb"}, 422, "name"),
        (None, {}, 422, "name"),
    ],
)
def test_bad_renames_are_refused_in_the_one_shape(client, ws_path, pid, body, status, parameter):
    pid = pid or stored_ids(ws_path)[0]
    answer = client.patch(f"/api/projections/{pid}", json=body)
    assert answer.status_code == status
    assert set(answer.json()) <= {"detail", "error", "parameter"}
    assert answer.json().get("parameter") == parameter


def test_a_projection_is_deleted_once(client, ws_path):
    pid = stored_ids(ws_path)[0]
    assert client.delete(f"/api/projections/{pid}").json() == {"id": pid, "deleted": True}
    assert pid not in stored_ids(ws_path)
    assert client.get(f"/api/projection/{pid}").status_code == 404
    assert client.delete(f"/api/projections/{pid}").status_code == 404


def test_a_running_projection_is_not_deleted(ws_path):
    from fastapi.testclient import TestClient

    from synthscope.projection import Projection
    from synthscope.server import Settings, create_app

    def slow_run(vectors, request, callback, **_):
        it = 0
        while not callback(it := it + 1, np.zeros((vectors.shape[0], request.dims)), None):
            time.sleep(0.005)
        return Projection(np.zeros((vectors.shape[0], request.dims), np.float32), {}, None, 0, it)

    app = create_app(Settings(workspace=ws_path), compute=slow_run)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        pid = client.post("/api/projections", json={"method": "tsne", "seed": 5}).json()["id"]
        answer = client.delete(f"/api/projections/{pid}")
        assert answer.status_code == 409 and "stop it" in answer.json()["detail"]
        client.post(f"/api/projections/{pid}/stop")
        wait_for(client, pid)
        assert client.delete(f"/api/projections/{pid}").status_code == 200


def test_pca_components_give_ten_axes_with_their_variance(client, ws_path):
    ws = Workspace.open(ws_path)
    meta = next(p for p in ws.projections() if p["dims"] == 2)
    answer = client.get(f"/api/projection/{meta['id']}/components?k=10")
    assert answer.status_code == 200 and answer.headers["X-Dims"] == "10"
    scores = np.frombuffer(answer.content, dtype="<f4").reshape(12, 10)
    ratio = json.loads(answer.headers["X-Explained-Variance"])
    assert len(ratio) == 10 and ratio == sorted(ratio, reverse=True) and sum(ratio) <= 1 + 1e-6
    # Components are orthogonal and centred, as principal component scores are.
    gram = scores.T.astype(np.float64) @ scores
    assert np.allclose(gram - np.diag(np.diag(gram)), 0, atol=1e-3 * gram.max())
    assert client.get(f"/api/projection/{meta['id']}/components?k=11").status_code == 422


def test_components_of_a_tsne_are_refused(client, ws_path):
    pid = client.post("/api/projections", json={"method": "tsne", "dims": 2}).json()["id"]
    wait_for(client, pid)
    answer = client.get(f"/api/projection/{pid}/components")
    assert answer.status_code == 422 and "PCA" in answer.json()["detail"]


def test_palette_slots_follow_values_not_counts(client, ws_path):
    first = client.post("/api/palette", json={"key": "label", "values": ["real", "fake"]}).json()
    assert first["slots"] == {"real": 1, "fake": 0}  # new values in natural order
    again = client.post(
        "/api/palette", json={"key": "label", "values": ["real", "10", "2", "fake"]}
    ).json()["slots"]
    assert again == {"real": 1, "fake": 0, "2": 2, "10": 3}
    assert json.loads((ws_path / "palette.json").read_text())["label"]["10"] == 3
    assert client.get("/api/palette").json()["palettes"]["label"]["2"] == 2


def test_dataset_marks_computed_columns(client, ws_path):
    ws = Workspace.open(ws_path)
    ws.set_columns({"realism_c2st:pixels64": np.linspace(0, 1, ws.n_points)}, computed=True)
    ws.close()
    columns = {c["name"]: c for c in client.get("/api/dataset").json()["columns"]}
    assert columns["realism_c2st:pixels64"]["computed"] is True
    assert columns["realism_c2st:pixels64"]["editable"] is False
    assert columns["label"]["computed"] is False and columns["label"]["editable"] is True
    refused = client.post(
        "/api/labels", json={"ids": [1], "column": "realism_c2st:pixels64", "value": 0.5}
    )
    assert refused.status_code == 422 and "not editable" in refused.json()["detail"]


@pytest.mark.parametrize("ids", ["9-1", "3--1", "1-x"])
def test_backwards_or_malformed_id_ranges_are_refused(client, ids):
    answer = client.get(f"/api/selection.tsv?ids={ids}")
    assert answer.status_code == 422 and "ids" in answer.json()["detail"]


def test_export_copies_the_selected_images_into_the_workspace(client, ws_path):
    answer = client.post("/api/exports/images", json={"ids": [3, 1, 3], "name": "picked"})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["count"] == 2 and answer.json()["relative"] == "exports/picked"
    folder = ws_path / "exports" / "picked"
    images = sorted(p.name for p in folder.iterdir() if p.suffix == ".png")
    assert [name[:6] for name in images] == ["000001", "000003"]
    rows = (folder / "metadata.tsv").read_text().splitlines()
    assert rows[0].startswith("file\tid\t") and len(rows) == 3
    again = client.post("/api/exports/images", json={"ids": [1], "name": "picked"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"ids": [], "name": "x"}, "ids"),
        ({"ids": [1], "name": "../up"}, "name"),
        ({"ids": [1], "name": ".hidden"}, "name"),
    ],
)
def test_bad_exports_are_refused(client, body, parameter):
    answer = client.post("/api/exports/images", json=body)
    assert answer.status_code == 422 and answer.json().get("parameter") == parameter


def test_out_of_range_export_ids_are_refused(client):
    answer = client.post("/api/exports/images", json={"ids": [99]})
    assert answer.status_code == 422 and "out of range" in answer.json()["detail"]


def test_malformed_stream_messages_are_answered_and_stop_still_works(ws_path, caplog):
    from fastapi.testclient import TestClient

    from synthscope.projection import Projection
    from synthscope.server import Settings, create_app

    def slow_run(vectors, request, callback, **_):
        it = 0
        while not callback(it := it + 1, np.zeros((vectors.shape[0], request.dims)), None):
            time.sleep(0.005)
        return Projection(np.zeros((vectors.shape[0], request.dims), np.float32), {}, None, 0, it)

    app = create_app(Settings(workspace=ws_path), compute=slow_run)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        pid = client.post("/api/projections", json={"method": "tsne", "seed": 11}).json()["id"]
        url = f"ws://127.0.0.1:8765/api/projections/{pid}/stream"
        with client.websocket_connect(url) as ws:
            for bad in ("{not json", '["pause"]', '{"action": "explode"}'):
                ws.send_text(bad)
            ws.send_bytes(b"\x00\x01")
            errors = []
            while len(errors) < 4:
                message = ws.receive()
                if message.get("text") and "detail" in json.loads(message["text"]):
                    errors.append(json.loads(message["text"]))
            assert all(e["error"] == "InvalidParameterError" for e in errors)
            assert all(e["parameter"] == "action" for e in errors)
            ws.send_json({"action": "pause"})
            assert wait_for(client, pid, states=("paused",))["state"] == "paused"
            ws.send_json({"action": "stop"})
            assert wait_for(client, pid)["state"] == "stopped"


def test_a_user_mistake_in_a_job_is_logged_without_a_traceback(ws_path, caplog):
    from fastapi.testclient import TestClient

    from synthscope.errors import InvalidParameterError
    from synthscope.server import Settings, create_app

    def refuse(vectors, request, callback, **_):
        raise InvalidParameterError("perplexity must be < n_points / 3 = 4 (got 30)")

    app = create_app(Settings(workspace=ws_path), compute=refuse)
    with caplog.at_level(logging.INFO), TestClient(app, base_url="http://127.0.0.1:8765") as client:
        pid = client.post("/api/projections", json={"method": "tsne", "seed": 2}).json()["id"]
        status = wait_for(client, pid)
    assert status["state"] == "error"
    assert status["error"] == "perplexity must be < n_points / 3 = 4 (got 30)"
    assert not any(record.exc_info for record in caplog.records)
