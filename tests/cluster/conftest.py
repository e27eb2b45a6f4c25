"""Real ``dask scheduler`` and ``dask worker`` processes on loopback, always shut down.

Each process runs this checkout's synthscope (``PYTHONPATH``), binds 127.0.0.1 on free ports
only, its HTTP routes included (the scheduler writes its address to a scheduler file), and dies by itself if the test process
does not stop it: the scheduler after five idle minutes, a worker 30 s after losing it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60


def _environment(extra_path: Path | None = None) -> dict[str, str]:
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    if extra_path is not None:
        paths.insert(0, str(extra_path))
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        "DASK_DISTRIBUTED__LOGGING__DISTRIBUTED": "error",
    }


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Cluster:
    """A scheduler and its workers, each a process of its own."""

    folder: Path
    scheduler: subprocess.Popen | None = None
    address: str = ""
    workers: list[subprocess.Popen] = field(default_factory=list)

    def start_scheduler(self) -> str:
        file = self.folder / "scheduler.json"
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(file), "--idle-timeout", "300"],
            env=_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while not file.is_file() or not file.read_text().strip():
            if self.scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the dask scheduler did not start")
            time.sleep(0.1)
        self.address = json.loads(file.read_text())["address"]
        return self.address

    def start_worker(self, name: str, *, extra_path: Path | None = None) -> subprocess.Popen:
        """One worker process (no nanny: SIGKILL ends the worker itself), one thread."""
        worker = subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", self.address, "--name", name,
             "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1", "--no-dashboard",
             "--dashboard-address", "127.0.0.1:0",
             "--death-timeout", "30"],
            env=_environment(extra_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="10s", set_as_default=False) as client:
            client.wait_for_workers(n, timeout=START_TIMEOUT_S)

    def close(self) -> None:
        for worker in self.workers:
            _stop(worker)
        if self.scheduler is not None:
            _stop(self.scheduler)


@pytest.fixture
def new_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A fresh scheduler for a test to add workers to; everything is stopped afterwards."""
    cluster = Cluster(tmp_path / "dask")
    cluster.folder.mkdir()
    try:
        cluster.start_scheduler()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def cluster_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a scheduler with one worker process, shared by a module's tests."""
    cluster = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        cluster.start_scheduler()
        cluster.start_worker("w1")
        cluster.wait_for_workers(1)
        yield cluster.address
    finally:
        cluster.close()
