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

    def slow_run(vectors, request, callback, **_):
        it = 0
        while it < 10_000:
            it += 1
            if callback(it, np.zeros((vectors.shape[0], request.dims), np.float32), None):
                break
            time.sleep(0.002)
        return Projection(np.ones((vectors.shape[0], request.dims), np.float32), {}, None, 0, it)

    app = create_app(Settings(workspace=ws_path), compute=slow_run)
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

    def broken(vectors, request, callback, **_):
        raise ValueError("perplexity must be < n_points / 3")

    app = create_app(Settings(workspace=ws_path), compute=broken)
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

    from synthscope.projection import pca
    from synthscope.server import Settings, create_app

    app = create_app(Settings(workspace=ws_path))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        started = client.post("/api/projections", json={"method": "pca", "dims": 3, "seed": 0})
        pid = started.json()["id"]
        # The fixture stored random coordinates under this id without a vectors digest: they
        # must not be taken for a PCA of the current vectors.
        assert started.json()["state"] != "done"
        assert wait_for(client, pid)["state"] == "done"
        coords = np.frombuffer(client.get(f"/api/projection/{pid}").content, "<f4")
        vectors = Workspace.open(ws_path).vectors("pixels64")
    np.testing.assert_allclose(coords.reshape(12, 3), pca(vectors, dims=3).embedding, atol=1e-5)


@pytest.mark.parametrize("method", ["pca", "tsne", "umap"])
def test_page_defaults_are_the_request_defaults(client, method):
    from synthscope.projection import ProjectionRequest
    from synthscope.server.routes.projections import ProjectionCreate, resolve_request

    with Workspace.open(client.app.state.synthscope.settings.workspace) as ws:
        page = resolve_request(ProjectionCreate(method=method), ws)
    assert page == ProjectionRequest(method=method)
    schema = client.get("/api/projections/schema").json()
    assert schema["defaults"]["perplexity"] == 30.0 and schema["defaults"]["dims"] == 3
    assert {"minimum": 1} in [
        {k: v for k, v in c.items() if k == "minimum"} for c in schema["constraints"]["perplexity"]
    ]


def test_the_page_and_the_command_line_make_the_same_projection(ws_path):
    """``synthscope project`` then the page's request with its defaults: one id, reused."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from synthscope.cli import app as cli
    from synthscope.server import Settings, create_app

    result = CliRunner().invoke(
        cli,
        ["project", str(ws_path), "--method", "tsne", "--perplexity", "3", "--iterations", "30"],
    )
    assert result.exit_code == 0, result.output
    cli_id = result.stdout.strip().splitlines()[-1]
    body = {"method": "tsne", "perplexity": 3, "iterations": 30}
    with TestClient(create_app(Settings(workspace=ws_path)), base_url="http://127.0.0.1:8765") as c:
        answer = c.post("/api/projections", json=body).json()
    assert answer["id"] == cli_id and answer["state"] == "done"


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"method": "tsne", "perplexity": -5}, "perplexity"),
        ({"method": "tsne", "iterations": 0}, "iterations"),
        ({"method": "tsne", "seed": -1}, "seed"),
        ({"method": "tsne", "perplexity": "many"}, "perplexity"),
        ({"method": "tsne", "learning_rate": "fast"}, "learning_rate"),
    ],
)
def test_every_refusal_has_one_shape(client, body, parameter):
    response = client.post("/api/projections", json=body)
    assert response.status_code == 422
    answer = response.json()
    assert set(answer) == {"detail", "error", "parameter"}
    assert answer["parameter"] == parameter and answer["detail"].startswith(parameter)
    assert answer["error"] == "InvalidParameterError"
