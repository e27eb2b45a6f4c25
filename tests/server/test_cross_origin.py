"""No other website can drive the loopback server or read what it serves (issue 16, part 1)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from synthscope.server import Settings, create_app
from synthscope.workspace import Workspace

OWN = "http://127.0.0.1:8765"
STREAM = "ws://127.0.0.1:8765/api/projections"
FOREIGN = ("http://evil.example", "http://127.0.0.1:9999", "null", "http://localhost:8765")


def labels(ws_path):
    with Workspace.open(ws_path) as ws:
        return list(ws.column("label")), len(ws.edits(1000))


def assert_refused(response, status=403):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"detail", "error", "parameter"} and body["detail"] and body["error"]


@pytest.mark.parametrize("origin", FOREIGN)
def test_state_changes_from_another_origin_are_refused(client, ws_path, origin):
    client.post("/api/labels", json={"ids": [1], "value": "odd"})
    before = labels(ws_path)
    foreign = {"Origin": origin}
    assert_refused(client.post("/api/labels/undo", headers=foreign))
    assert_refused(client.post("/api/labels/redo", headers=foreign))
    assert_refused(client.post("/api/labels", json={"ids": [2], "value": "x"}, headers=foreign))
    # A form POST (what an HTML <form> on another page sends) is refused the same way.
    form = client.post(
        "/api/labels/undo",
        content=b"a=1",
        headers={**foreign, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_refused(form)
    assert_refused(client.post("/api/projections", json={"method": "pca"}, headers=foreign))
    assert labels(ws_path) == before


def test_the_page_itself_and_tools_without_origin_may_write(client, ws_path):
    own = client.post("/api/labels", json={"ids": [3], "value": "real"}, headers={"Origin": OWN})
    assert own.status_code == 200
    assert client.post("/api/labels/undo").status_code == 200  # curl, scripts: no Origin
    same_default_port = TestClient(client.app, base_url="http://localhost")
    answer = same_default_port.post("/api/labels/redo", headers={"Origin": "http://localhost:80"})
    assert answer.status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:9999", "null"])
def test_websockets_from_another_origin_are_closed(client, origin):
    pid = client.post("/api/projections", json={"method": "tsne", "dims": 2}).json()["id"]
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"{STREAM}/{pid}/stream", headers={"Origin": origin}) as ws,
    ):
        ws.send_json({"action": "stop"})
        ws.receive()
    assert closed.value.code == 1008
    with client.websocket_connect(f"{STREAM}/{pid}/stream", headers={"Origin": OWN}) as ws:
        assert ws.receive()  # the page's own stream still works


@pytest.mark.parametrize(
    "path",
    ["/api/dataset", "/api/column/label", "/api/image/0", "/api/thumbs/0", "/api/metadata.tsv"],
)
@pytest.mark.parametrize(
    ("site", "mode", "dest"),
    [
        ("cross-site", "cors", "empty"),
        ("cross-site", "no-cors", "image"),
        ("same-site", "no-cors", "script"),
        ("same-site", "cors", "empty"),
        ("cross-site", "navigate", "iframe"),
    ],
)
def test_reads_a_foreign_page_makes_are_refused(client, path, site, mode, dest):
    fetch = {"Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest}
    assert_refused(client.get(path, headers=fetch))


def test_own_reads_and_top_level_navigation_are_answered(client):
    own = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}
    assert client.get("/api/dataset", headers=own).status_code == 200
    link = {
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
    }
    assert client.get("/api/dataset", headers=link).status_code == 200
    typed = {"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert client.get("/api/dataset", headers=typed).status_code == 200


def test_no_answer_may_be_read_or_embedded_cross_origin(client):
    probes = [
        client.get("/api/dataset", headers={"Origin": "http://evil.example"}),
        client.get("/api/dataset"),
        client.get("/api/image/0"),
        client.get("/api/column/label"),
        client.get("/api/metadata.tsv"),
        client.get("/api/nothing-here"),
        client.options(
            "/api/labels",
            headers={
                "Origin": "http://evil.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        ),
        client.post("/api/labels/undo", headers={"Origin": "http://evil.example"}),
    ]
    for response in probes:
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert not any(k.startswith("access-control-") for k in headers), headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cross-origin-resource-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"


def test_any_loopback_address_serves_its_printed_url(ws_path):
    settings = Settings(workspace=ws_path, host="127.0.0.2", port=8766)
    assert settings.token is None and settings.url == "http://127.0.0.2:8766/"
    with TestClient(create_app(settings), base_url=settings.url.rstrip("/")) as client:
        assert client.get("/api/dataset").status_code == 200
    for host in ("http://[::1]:8765", "http://LOCALHOST:8765", "http://127.1.2.3"):
        with TestClient(create_app(Settings(workspace=ws_path)), base_url=host) as client:
            assert client.get("/api/dataset").status_code == 200, host
    for host in ("http://127.0.0.1.evil.example", "http://2130706433", "http://0x7f000001"):
        with TestClient(create_app(Settings(workspace=ws_path)), base_url=host) as client:
            assert_refused(client.get("/api/dataset"))


@pytest.mark.parametrize(
    "presented",
    [
        {"params": {"token": "é"}},
        {"params": {"token": "s3cret\u2603"}},
        {"headers": {"Authorization": "Bearer ünïcode".encode()}},
        {"headers": {"Cookie": "synthscope_token=\u00e9\u00e9".encode()}},
        {"headers": {"Cookie": 'synthscope_token="unterminated; x=\\'}},
    ],
)
def test_a_non_ascii_or_malformed_token_is_a_401(ws_path, presented):
    settings = Settings(workspace=ws_path, host="0.0.0.0", token="s3cret")
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8765") as client:
        assert_refused(client.get("/api/dataset", **presented), 401)


def test_off_loopback_the_origin_is_checked_as_well_as_the_token(ws_path):
    settings = Settings(workspace=ws_path, host="0.0.0.0", token="s3cret")
    bearer = {"Authorization": "Bearer s3cret"}
    with TestClient(create_app(settings), base_url="http://192.168.1.20:8765") as client:
        foreign = {**bearer, "Origin": "http://evil.example"}
        assert_refused(client.post("/api/labels/undo", headers=foreign))
        own = {**bearer, "Origin": "http://192.168.1.20:8765"}
        assert client.post("/api/labels/undo", headers=own).status_code == 200


def test_behind_a_reverse_proxy_the_forwarded_origin_is_the_own_one(client):
    proxied = {"X-Forwarded-Host": "proxy.example", "X-Forwarded-Proto": "https"}
    answer = client.post("/api/labels/undo", headers={**proxied, "Origin": "https://proxy.example"})
    assert answer.status_code == 200
    assert_refused(
        client.post("/api/labels/undo", headers={**proxied, "Origin": "http://proxy.example"})
    )
