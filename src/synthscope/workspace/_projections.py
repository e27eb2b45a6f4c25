"""Projections of a workspace's features: one runner, stored and reused by request and vectors.

A :class:`~synthscope.projection.ProjectionRequest` names the method, its dimensions, the
feature, the seed and the method's knobs; the workspace stores the result under an id derived
from the canonical request and the point count, with the SHA-1 of the vectors it was computed
from, so a stored projection is reused only for the same vectors. :func:`project` is the only
runner: the command line, the server's jobs and the demo all call it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthscope._progress import ProgressCallback
from synthscope.projection import IterationCallback, Projection, ProjectionRequest
from synthscope.workspace._store import Workspace

__all__ = ["ComputeProjection", "StoredProjection", "project", "reusable_projection"]

ComputeProjection = Callable[..., Projection]
"""``compute(vectors, request, callback=..., callback_every=...) -> Projection``; tests pass
stand-ins, the default is :meth:`ProjectionRequest.run`."""


@dataclass(frozen=True)
class StoredProjection:
    """A projection as the workspace holds it."""

    id: str
    meta: dict[str, Any]
    embedding: np.ndarray
    reused: bool


def _default_compute(
    vectors: np.ndarray,
    request: ProjectionRequest,
    *,
    callback: IterationCallback | None = None,
    callback_every: int = 10,
) -> Projection:
    return request.run(vectors, callback=callback, callback_every=callback_every)


def reusable_projection(
    ws: Workspace, request: ProjectionRequest, digest: str | None = None
) -> StoredProjection | None:
    """The stored, finished projection of ``request`` on the current vectors, if there is one."""
    stored = ws.load_projection(ws.projection_id(request))
    if stored is None or stored[1].get("stopped"):
        return None
    digest = digest or ws.vectors_digest(request.feature)
    if stored[1].get("vectors_sha1") != digest:
        return None
    return StoredProjection(stored[1]["id"], stored[1], stored[0], reused=True)


def _meta(
    request: ProjectionRequest, result: Projection, digest: str, *, stopped: bool
) -> dict[str, Any]:
    return {
        "method": request.method,
        "dims": request.dims,
        "feature": request.feature,
        "seed": request.seed,
        "summary": request.summary(),
        "params": result.params,
        "kl": result.kl,
        "seconds": round(float(result.seconds), 3),
        "iterations": result.iterations,
        "n_points": int(np.asarray(result.embedding).shape[0]),
        "request": request.canonical(),
        "vectors_sha1": digest,
        "stopped": stopped,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def project(
    ws: Workspace,
    request: ProjectionRequest,
    *,
    force: bool = False,
    callback: IterationCallback | None = None,
    callback_every: int = 10,
    progress: ProgressCallback | None = None,
    compute: ComputeProjection | None = None,
) -> StoredProjection:
    """Compute the projection ``request`` describes on ``ws``, or reuse the stored one.

    Parameters
    ----------
    ws
        An open workspace.
    request
        What to project and how.
    force
        Recompute even when a finished projection of the same request and vectors is stored.
    callback
        ``callback(iteration, embedding, kl)``; returning True stops the run, which is then
        stored with ``stopped`` set (and never reused as if finished).
    callback_every
        Iterations between callbacks.
    progress
        ``(done, total)`` over iterations, for a progress bar.
    compute
        How to compute it (tests pass stand-ins); :meth:`ProjectionRequest.run` by default.
    """
    vectors = ws.vectors(request.feature)  # UnknownFeatureError names the features there are
    digest = ws.vectors_digest(request.feature)
    if not force:
        stored = reusable_projection(ws, request, digest)
        if stored is not None:
            return stored
    total = request.iterations if request.method == "tsne" else 0
    stop_asked = False

    def on_iteration(iteration: int, embedding: np.ndarray, kl: float | None) -> bool:
        nonlocal stop_asked
        if progress is not None:
            progress(iteration, total)
        stop_asked = stop_asked or bool(callback is not None and callback(iteration, embedding, kl))
        return stop_asked

    result = (compute or _default_compute)(
        vectors, request, callback=on_iteration, callback_every=callback_every
    )
    pid = ws.projection_id(request)
    embedding = np.ascontiguousarray(result.embedding, dtype=np.float32)
    meta = _meta(request, result, digest, stopped=result.stopped or stop_asked)
    ws.save_projection(pid, embedding, meta)
    return StoredProjection(pid, {**meta, "id": pid}, embedding, reused=False)
