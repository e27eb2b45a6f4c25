"""``synthscope serve`` as a user runs it: a real uvicorn process, killed without mercy."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.workspace import Workspace


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(ws_path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "synthscope", "serve", str(ws_path)]
    command += ["--port", str(port), "--no-browser"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/dataset", timeout=1).raise_for_status()
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read().decode()) from None
            time.sleep(0.2)
    process.kill()
    raise AssertionError("server did not start")


def test_serve_refuses_a_folder_that_is_not_a_workspace(tmp_path):
    result = CliRunner().invoke(app, ["serve", str(tmp_path), "--no-browser"])
    assert result.exit_code != 0
    assert "not a synthscope workspace" in str(result.exception) + result.output


@pytest.mark.slow
def test_an_acknowledged_edit_survives_kill_9(ws_path):
    port = free_port()
    process = start_server(ws_path, port)
    try:
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/labels",
            json={"ids": [0, 1, 2], "column": "label", "value": "kept"},
        )
        assert response.status_code == 200
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    assert list(Workspace.open(ws_path).column("label")[:3]) == ["kept"] * 3
