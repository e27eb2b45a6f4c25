"""Who may talk to the server, and that no route serves a file outside what it should."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from synthscope.server import Settings, create_app, is_loopback


@pytest.fixture
def static(tmp_path):
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>projector</title>")
    (folder / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("do not serve")
    return folder


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
    ],
)
def test_loopback_detection(host, expected):
    assert is_loopback(host) is expected


def test_off_loopback_a_token_is_made_and_required(ws_path):
    settings = Settings(workspace=ws_path, host="0.0.0.0")
    assert settings.token and settings.token in settings.url
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8765") as client:
        assert client.get("/api/dataset").status_code == 401
        assert client.get("/api/dataset", params={"token": "wrong"}).status_code == 401
        bearer = {"Authorization": f"Bearer {settings.token}"}
        assert client.get("/api/dataset", headers=bearer).status_code == 200
        first = client.get("/", params={"token": settings.token})
        assert first.status_code == 200
        assert "synthscope_token" in first.headers["set-cookie"]
        # The cookie the page got carries its later requests.
        assert client.get("/api/dataset").status_code == 200


def test_off_loopback_websockets_need_the_token_too(ws_path):
    from starlette.websockets import WebSocketDisconnect

    settings = Settings(workspace=ws_path, host="0.0.0.0", token="s3cret")
    with (
        TestClient(create_app(settings)) as client,
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/api/projections/abc/stream") as ws,
    ):
        ws.receive()
    assert closed.value.code == 1008


def test_on_loopback_foreign_host_names_are_refused(ws_path):
    # A page on evil.example resolving its name to 127.0.0.1 (DNS rebinding) must get nothing.
    with TestClient(create_app(Settings(workspace=ws_path)), base_url="http://evil.example") as c:
        assert c.get("/api/dataset").status_code == 403
    with TestClient(create_app(Settings(workspace=ws_path)), base_url="http://localhost:8765") as c:
        assert c.get("/api/dataset").status_code == 200


def test_built_front_end_is_served_and_nothing_outside_it(ws_path, static):
    app = create_app(Settings(workspace=ws_path, static_dir=static))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert "projector" in client.get("/").text
        assert client.get("/assets/app.js").status_code == 200
        for path in (
            "/../secret.txt",
            "/assets/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/assets/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/api/thumbs/..%2f..%2fsynthscope.db",
            "/api/image/..%2f..%2fsynthscope.db",
            "/api/projection/..%2f..%2fsynthscope.db",
            "/api/column/..%2fsecret",
        ):
            response = client.get(path)
            assert response.status_code in (400, 404, 422), path
            assert "do not serve" not in response.text
            assert b"SQLite" not in response.content


def test_projection_ids_cannot_name_other_files(client):
    response = client.get("/api/coordinates.csv", params={"projection": "../synthscope"})
    assert response.status_code in (404, 422)
    assert client.get("/api/projection/..").status_code in (404, 422)


def test_without_a_build_the_page_says_how_to_build_it(ws_path, tmp_path):
    app = create_app(Settings(workspace=ws_path, static_dir=tmp_path / "missing"))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        page = client.get("/")
        assert page.status_code == 200 and "make web" in page.text
        assert client.get("/api/dataset").status_code == 200


def test_a_missing_workspace_is_a_409_naming_it(tmp_path):
    app = create_app(Settings(workspace=tmp_path / "nowhere"))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        response = client.get("/api/dataset")
    assert response.status_code == 409 and "nowhere" in response.json()["detail"]
