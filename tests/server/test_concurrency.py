"""Many writers and readers at once on a live server: every acknowledged edit is in the log."""

from __future__ import annotations

import random
import socket
import threading
import time

import httpx
import pytest

from synthscope.server import Settings, create_app
from synthscope.workspace import Workspace, check_workspace

WRITERS, READERS, SECONDS = 6, 3, 3.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_every_acknowledged_edit_is_logged_and_replays(ws_path):
    import uvicorn

    port = _free_port()
    app = create_app(Settings(workspace=ws_path, port=port))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    stop = time.monotonic() + SECONDS
    acknowledged: list[tuple[int, tuple[int, ...], str]] = []
    undone: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()

    def writer(k: int) -> None:
        rng = random.Random(k)
        with httpx.Client(base_url=base, timeout=30) as client:
            i = 0
            while time.monotonic() < stop:
                i += 1
                if rng.random() < 0.15:
                    answer = client.post("/api/labels/undo")
                    if answer.status_code != 200:
                        failures.append(f"undo {answer.status_code}")
                    elif answer.json()["batch"] is not None:
                        with lock:
                            undone.append(answer.json()["batch"])
                    continue
                ids = tuple(sorted(rng.sample(range(12), rng.randint(1, 4))))
                value = f"w{k}-{i}"
                answer = client.post("/api/labels", json={"ids": ids, "value": value})
                if answer.status_code != 200:
                    failures.append(f"relabel {answer.status_code} {answer.text}")
                    continue
                with lock:
                    acknowledged.append((answer.json()["batch"], ids, value))

    def reader() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop:
                for path in ("/api/labels/history", "/api/column/label", "/api/dataset"):
                    answer = client.get(path)
                    if answer.status_code != 200:
                        failures.append(f"{path} {answer.status_code}")

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(READERS)]
    for each in threads:
        each.start()
    for each in threads:
        each.join(60)
    server.should_exit = True
    thread.join(10)

    assert not failures, failures[:5]
    assert len(acknowledged) > WRITERS  # the writers did write
    with Workspace.open(ws_path) as ws:
        rows = ws._connection.execute(
            "SELECT b.batch, b.kind, GROUP_CONCAT(e.point), MIN(e.new), MAX(e.new) "
            "FROM batches b JOIN edits e ON e.batch = b.batch GROUP BY b.batch"
        ).fetchall()
    logged = {batch: (kind, points, low, high) for batch, kind, points, low, high in rows}
    for batch, ids, value in acknowledged:
        kind, points, low, high = logged[batch]
        assert kind == "edit" and low == high == value
        assert tuple(sorted(int(p) for p in points.split(","))) == ids
    assert len({batch for batch, _, _ in acknowledged}) == len(acknowledged)
    assert set(undone) <= set(logged)
    assert check_workspace(ws_path).sound  # the log replays to the current labels
