"""Relabelling routes: commit before acknowledging, undo, redo, history, serialised writers."""

from __future__ import annotations

import threading

from synthscope.workspace import Workspace


def labels(ws_path):
    return list(Workspace.open(ws_path).column("label"))


def test_relabel_commits_before_it_answers(client, ws_path):
    response = client.post(
        "/api/labels", json={"ids": [7, 6, 7], "column": "label", "value": "real"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["value"] == "real"
    # Another connection sees the edit as soon as the answer arrives.
    assert labels(ws_path)[6:8] == ["real", "real"]


def test_undo_and_redo_restore_values(client, ws_path):
    before = labels(ws_path)
    batch = client.post("/api/labels", json={"ids": [8, 9], "value": "real"}).json()["batch"]
    assert client.post("/api/labels/undo").json() == {"batch": batch}
    assert labels(ws_path) == before
    assert client.post("/api/labels/redo").json() == {"batch": batch}
    assert labels(ws_path)[8:10] == ["real", "real"]
    client.post("/api/labels/undo")
    assert client.post("/api/labels/undo").json() == {"batch": None}


def test_history_lists_batches_newest_first(client):
    client.post("/api/labels", json={"ids": [1], "value": "fake"})
    client.post("/api/labels", json={"ids": [2, 3], "value": "odd"})
    batches = client.get("/api/labels/history").json()["batches"]
    assert [b["points"] for b in batches[:2]] == [2, 1]
    assert batches[0]["value"] == "odd"


def test_numeric_columns_take_numbers_only(client, ws_path):
    ok = client.post("/api/labels", json={"ids": [0], "column": "score", "value": "0.25"})
    assert ok.status_code == 200
    assert Workspace.open(ws_path).column("score")[0] == 0.25
    bad = client.post("/api/labels", json={"ids": [0], "column": "score", "value": "high"})
    assert bad.status_code == 422 and "score" in bad.json()["detail"]


def test_provenance_columns_and_bad_ids_are_refused(client):
    response = client.post("/api/labels", json={"ids": [0], "column": "source", "value": "real"})
    assert response.status_code == 422 and "source" in response.json()["detail"]
    assert client.post("/api/labels", json={"ids": [99], "value": "x"}).status_code == 422
    assert client.post("/api/labels", json={"ids": [], "value": "x"}).status_code == 422


def test_text_columns_store_numbers_as_text(client, ws_path):
    client.post("/api/labels", json={"ids": [4], "column": "label", "value": 3})
    assert labels(ws_path)[4] == "3"


def test_edits_from_two_tabs_at_once_all_land(client, ws_path):
    errors = []

    def tab(value: str, ids: list[int]) -> None:
        for i in ids:
            response = client.post("/api/labels", json={"ids": [i], "value": value})
            if response.status_code != 200:
                errors.append(response.text)

    threads = [
        threading.Thread(target=tab, args=("left", list(range(0, 6)))),
        threading.Thread(target=tab, args=("right", list(range(6, 12)))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert labels(ws_path) == ["left"] * 6 + ["right"] * 6
    batches = client.get("/api/labels/history").json()["batches"]
    assert sorted(b["batch"] for b in batches) == list(range(1, 13))
