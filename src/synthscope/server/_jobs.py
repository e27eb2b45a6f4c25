"""Projection jobs: a computation in a worker thread whose latest iterate the page watches.

The worker calls the job's callback with each iterate; the callback keeps only the newest one as
a binary frame (so a slow browser skips iterations instead of queueing them), blocks while the
job is paused and tells the worker to stop once asked. Frames are::

    uint32 LE iteration, uint32 LE total iterations, uint32 LE n_points, uint32 LE dims,
    float32 LE coordinates, row-major (n_points x dims)
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from synthscope.errors import SynthscopeError

__all__ = ["FRAME_HEADER", "JobRegistry", "ProjectionJob", "encode_frame"]

logger = logging.getLogger(__name__)

FRAME_HEADER = struct.Struct("<IIII")
_MIN_FRAME_GAP_S = 0.03  # copy an iterate at most ~30 times a second; browsers draw no faster

TERMINAL = ("done", "stopped", "error")


def encode_frame(iteration: int, total: int, embedding: np.ndarray) -> bytes:
    """One binary frame (see the module docstring)."""
    coords = np.ascontiguousarray(embedding, dtype="<f4")
    n, dims = coords.shape
    return FRAME_HEADER.pack(iteration, total, n, dims) + coords.tobytes()


@dataclass
class ProjectionJob:
    """The state of one running or finished projection, shared between threads."""

    id: str
    request: dict
    total: int = 0
    state: str = "running"
    iteration: int = 0
    error: str | None = None
    version: int = 0
    _frame: bytes | None = None
    _last_copy: float = 0.0
    _resume: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._resume.set()

    # -- called by the worker ------------------------------------------------------------------
    def callback(
        self,
        iteration: int,
        embedding: np.ndarray | None,
        kl: float | None = None,
        *,
        force: bool = False,
    ) -> bool:
        """Record an iterate; block while paused; return True when the worker must stop.

        The signature is :data:`synthscope.projection.IterationCallback`'s.
        """
        now = time.monotonic()
        with self._lock:
            self.iteration = iteration
            if embedding is not None and (force or now - self._last_copy >= _MIN_FRAME_GAP_S):
                self._frame = encode_frame(iteration, self.total, embedding)
                self._last_copy = now
            self.version += 1
        while not self._resume.wait(0.1):
            if self._stop.is_set():
                break
        return self._stop.is_set()

    def finish(self, state: str, embedding: np.ndarray | None = None, error: str | None = None):
        """Mark the job ended, with its final iterate when there is one."""
        with self._lock:
            if embedding is not None:
                self._frame = encode_frame(self.iteration, self.total, embedding)
            self.state = state
            self.error = error
            self.version += 1

    # -- called by the server ------------------------------------------------------------------
    def frame(self) -> tuple[int, bytes | None]:
        """The version counter and the newest frame."""
        with self._lock:
            return self.version, self._frame

    def status(self) -> dict:
        """JSON-ready state for the page."""
        with self._lock:
            return {
                "id": self.id,
                "state": self.state,
                "iteration": self.iteration,
                "total": self.total,
                "error": self.error,
                "request": self.request,
            }

    def control(self, action: str) -> None:
        """``pause``, ``resume`` or ``stop`` the worker."""
        if self.state in TERMINAL:
            return
        if action == "pause":
            self._resume.clear()
            with self._lock:
                self.state = "paused"
                self.version += 1
        elif action == "resume":
            with self._lock:
                self.state = "running"
                self.version += 1
            self._resume.set()
        elif action == "stop":
            self._stop.set()
            self._resume.set()


Work = Callable[[ProjectionJob], None]


class JobRegistry:
    """The jobs of one server, by projection id; one worker thread per running job."""

    def __init__(self) -> None:
        self._jobs: dict[str, ProjectionJob] = {}
        self._lock = threading.Lock()

    def get(self, pid: str) -> ProjectionJob | None:
        with self._lock:
            return self._jobs.get(pid)

    def start(self, pid: str, request: dict, total: int, work: Work) -> ProjectionJob:
        """Start ``work(job)`` in a thread unless a job for ``pid`` is already running."""
        with self._lock:
            job = self._jobs.get(pid)
            if job is not None and job.state not in TERMINAL:
                return job
            job = ProjectionJob(pid, request, total=total)
            self._jobs[pid] = job

        def run() -> None:
            try:
                work(job)
            except SynthscopeError as error:  # a user's mistake (perplexity too large): one line
                logger.warning("projection %s refused: %s", pid, error)
                job.finish("error", error=str(error))
            except Exception as error:  # a bug: the page must hear why, the log gets the trace
                logger.exception("projection %s failed", pid)
                job.finish("error", error=f"{type(error).__name__}: {error}")

        threading.Thread(target=run, name=f"projection-{pid}", daemon=True).start()
        return job

    def stop_all(self) -> None:
        """Ask every running worker to stop (server shutdown)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.control("stop")
