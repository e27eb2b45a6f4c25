"""The exported bundle opens in TensorBoard's projector plugin with the same vectors and metadata."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from synthscope.workspace import Workspace, export, ingest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture
def tensorboard(tmp_path):
    tensorboard_bin = shutil.which("tensorboard", path=str(Path(sys.executable).parent))
    if tensorboard_bin is None:
        pytest.skip("tensorboard is not installed (pip install -e '.[test]')")
    processes = []

    def start(logdir) -> str:
        port = _free_port()
        process = subprocess.Popen(
            [tensorboard_bin, "--logdir", str(logdir), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                # The plugin finds its config in a background thread; wait until it says so.
                listing = json.loads(_get(f"{base}/data/plugins_listing"))
                if listing.get("projector", {}).get("enabled"):
                    return base
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail(f"tensorboard exited with {process.returncode}")
            time.sleep(0.5)
        pytest.fail("tensorboard did not enable the projector within 90 s")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def test_bundle_opens_in_tensorboard_projector(tmp_path, image_folders, tensorboard):
    real, fake = image_folders(6, 5)
    ingest(tmp_path / "ws", [real], [fake])
    out = tmp_path / "bundle"
    with Workspace.open(tmp_path / "ws") as ws:
        ws.relabel([6], "label", "real")
        export(ws, out, "tf-projector")
        vectors = np.asarray(ws.vectors("pixels64"))
        labels = list(ws.column("label"))
    base = tensorboard(out)
    assert json.loads(_get(f"{base}/data/plugin/projector/runs")) == ["."]
    info = json.loads(_get(f"{base}/data/plugin/projector/info?run=."))
    (embedding,) = info["embeddings"]
    assert embedding["tensorShape"] == [11, 4096]
    assert embedding["sprite"]["singleImageDim"] == [64, 64]
    raw = _get(f"{base}/data/plugin/projector/tensor?run=.&name=pixels64&num_rows=100000")
    served = np.frombuffer(raw, dtype=np.float32).reshape(11, 4096)
    np.testing.assert_array_equal(served, vectors)
    metadata = _get(f"{base}/data/plugin/projector/metadata?run=.&name=pixels64&num_rows=100000")
    rows = metadata.decode().splitlines()
    assert rows[0].split("\t")[:4] == ["label", "source", "group", "path"]
    assert [row.split("\t")[0] for row in rows[1:]] == labels
    sprite = _get(f"{base}/data/plugin/projector/sprite_image?run=.&name=pixels64")
    assert sprite == (out / "sprite.png").read_bytes()
