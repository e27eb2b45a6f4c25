"""Starting projections and watching them over the WebSocket."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from synthscope.workspace import Workspace
from tests.server._helpers import decode_frame


def wait_for(client, pid, states=("done", "stopped", "error"), timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/projections/{pid}/status").json()
        if status["state"] in states:
            return status
        time.sleep(0.02)
    raise AssertionError(f"projection {pid} still {status['state']}")


def test_a_new_projection_streams_iterates_and_is_stored(client, ws_path):
    response = client.post("/api/projections", json={"method": "tsne", "dims": 2, "seed": 3})
    assert response.status_code == 202
    pid = response.json()["id"]
    frames, statuses = [], []
    with client.websocket_connect(f"ws://127.0.0.1:8765/api/projections/{pid}/stream") as ws:
        while True:
            message = ws.receive()
            if message.get("bytes") is not None:
                frames.append(decode_frame(message["bytes"]))
            else:
                statuses.append(json.loads(message["text"]))
                if statuses[-1]["state"] in ("done", "stopped", "error"):
                    break
    assert statuses[-1]["state"] == "done", statuses[-1]
    iteration, total, final = frames[-1]
    assert final.shape == (12, 2) and total == 1000 and iteration == 20
    stored, meta = Workspace.open(ws_path).load_projection(pid)
    np.testing.assert_array_equal(stored, final)
    assert meta["method"] == "tsne" and meta["iterations"] == 20 and not meta["stopped"]
    # The same request again is answered from the store.
    again = client.post("/api/projections", json={"method": "tsne", "dims": 2, "seed": 3}).json()
    assert again == {"id": pid, "state": "done", "meta": meta}


def test_a_projection_can_be_paused_resumed_and_stopped(ws_path):
    from fastapi.testclient import TestClient

    from synthscope.projection import Projection
    from synthscope.server import Settings, create_app

    def slow_run(vectors, request, callback):
        it = 0
        while it < 10_000:
            it += 1
            if callback(it, np.zeros((vectors.shape[0], request["dims"]), np.float32)):
                break
            time.sleep(0.002)
        return Projection(np.ones((vectors.shape[0], request["dims"]), np.float32), {}, None, 0, it)

    app = create_app(Settings(workspace=ws_path), run=slow_run)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        pid = client.post("/api/projections", json={"method": "tsne", "seed": 9}).json()["id"]
        assert client.post(f"/api/projections/{pid}/pause").json()["state"] == "paused"
        time.sleep(0.1)
        held = client.get(f"/api/projections/{pid}/status").json()["iteration"]
        time.sleep(0.2)
        assert client.get(f"/api/projections/{pid}/status").json()["iteration"] <= held + 1
        assert client.post(f"/api/projections/{pid}/resume").json()["state"] == "running"
        with client.websocket_connect(f"ws://127.0.0.1:8765/api/projections/{pid}/stream") as ws:
            ws.send_json({"action": "stop"})
            status = wait_for(client, pid)
        assert status["state"] == "stopped"
        _, meta = Workspace.open(ws_path).load_projection(pid)
        assert meta["stopped"] is True
        # A stopped result is not taken for the finished one: asking again starts a new run.
        assert client.post("/api/projections", json={"method": "tsne", "seed": 9}).json()[
            "state"
        ] in ("running", "paused")
        client.post(f"/api/projections/{pid}/stop")
        wait_for(client, pid)


def test_a_failing_projection_reports_its_error(ws_path):
    from fastapi.testclient import TestClient

    from synthscope.server import Settings, create_app

    def broken(vectors, request, callback):
        raise ValueError("perplexity must be < n_points / 3")

    app = create_app(Settings(workspace=ws_path), run=broken)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        pid = client.post("/api/projections", json={"method": "tsne", "seed": 1}).json()["id"]
        status = wait_for(client, pid)
        assert status["state"] == "error" and "perplexity" in status["error"]


def test_stream_of_a_stored_projection_sends_it_once(client, ws_path):
    meta = Workspace.open(ws_path).projections()[0]
    with client.websocket_connect(f"ws://127.0.0.1:8765/api/projections/{meta['id']}/stream") as ws:
        _, _, coords = decode_frame(ws.receive_bytes())
        assert ws.receive_json()["state"] == "done"
    assert coords.shape[1] == meta["dims"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"method": "tsne", "feature": "nope"}, "nope"),
        ({"method": "mds"}, "method"),
        ({"method": "tsne", "dims": 4}, "dims"),
        ({"method": "tsne", "perplexity": -1}, "perplexity"),
    ],
)
def test_bad_projection_requests_are_refused(client, body, fragment):
    response = client.post("/api/projections", json=body)
    assert response.status_code in (404, 422)
    assert fragment in response.text


def test_real_pca_runs_through_the_projection_package(ws_path):
    from fastapi.testclient import TestClient

    from synthscope.server import Settings, create_app

    app = create_app(Settings(workspace=ws_path))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        started = client.post("/api/projections", json={"method": "pca", "dims": 3, "seed": 0})
        pid = started.json()["id"]
        if started.json()["state"] != "done":
            assert wait_for(client, pid)["state"] == "done"
        coords = np.frombuffer(client.get(f"/api/projection/{pid}").content, "<f4")
    assert coords.reshape(12, 3).std(axis=0).min() > 0


@pytest.mark.parametrize("method", ["pca", "tsne", "umap"])
def test_page_and_command_line_name_the_same_request_alike(method):
    from synthscope.server.routes.projections import ProjectionCreate
    from synthscope.workspace import projection_request

    cli = projection_request(
        method, 3, "pixels64", 0,
        perplexity=30.0, iterations=1000, learning_rate="auto", early_exaggeration=12.0,
        pca_dims=50, metric="euclidean", engine="auto", n_neighbors=15, min_dist=0.1,
    )  # fmt: skip
    assert ProjectionCreate(method=method).canonical("pixels64") == cli
