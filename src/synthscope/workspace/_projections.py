"""Projections of a workspace's features: one request format, one runner, stored and reused.

A request names the method, its dimensions, the feature, the seed and only the parameters its
method uses; the workspace stores the result under an id derived from the request, with the SHA-1
of the vectors it was computed from, so a stored projection is reused only for the same vectors.
The command line, the server and the demo all go through here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError

__all__ = [
    "METHODS",
    "project",
    "projection_meta",
    "projection_request",
    "run_projection",
    "vectors_digest",
]

METHODS = ("pca", "tsne", "umap")
# (iteration, embedding, kl) -> False stops, as in synthscope.projection.tsne
IterateCallback = Callable[[int, np.ndarray, float | None], bool | None]


def projection_request(
    method: str,
    dims: int = 3,
    feature: str = "pixels64",
    seed: int = 0,
    *,
    perplexity: float = 30.0,
    iterations: int = 1000,
    learning_rate: str | float = "auto",
    early_exaggeration: float = 12.0,
    pca_dims: int | None = 50,
    metric: str = "euclidean",
    engine: str = "auto",
    n_neighbors: int = 15,
    min_dist: float = 0.1,
) -> dict[str, Any]:
    """The request that identifies a projection: only the parameters its method uses."""
    if method not in METHODS:
        raise InvalidParameterError(
            f"--method must be one of {', '.join(METHODS)} (got {method!r})"
        )
    request: dict[str, Any] = {"method": method, "dims": dims, "feature": feature, "seed": seed}
    if method == "tsne":
        rate: float | str = learning_rate
        if learning_rate != "auto":
            try:
                rate = float(learning_rate)
            except (TypeError, ValueError):
                raise InvalidParameterError(
                    f"--learning-rate must be 'auto' or a number (got {learning_rate!r})"
                ) from None
        request.update(
            perplexity=float(perplexity),
            iterations=int(iterations),
            learning_rate=rate,
            early_exaggeration=float(early_exaggeration),
            pca_dims=pca_dims,
            metric=metric,
            engine=engine,
        )
    elif method == "umap":
        request.update(n_neighbors=int(n_neighbors), min_dist=float(min_dist), metric=metric)
    return request


def vectors_digest(vectors: np.ndarray) -> str:
    """SHA-1 of the vectors, so a stored projection is not reused after the feature changed."""
    digest = hashlib.sha1(usedforsecurity=False)
    for start in range(0, vectors.shape[0], 4096):
        digest.update(np.ascontiguousarray(vectors[start : start + 4096]).tobytes())
    return digest.hexdigest()


def run_projection(
    vectors: np.ndarray,
    request: dict[str, Any],
    callback: IterateCallback | None = None,
    callback_every: int = 10,
) -> Any:
    """Run the request's method on every point; returns a :class:`synthscope.projection.Projection`."""
    from synthscope import projection  # numba kernels: imported on first use

    X = np.asarray(vectors, dtype=np.float32)
    method, dims, seed = request["method"], request["dims"], request["seed"]
    if method == "pca":
        return projection.pca(X, dims=dims, seed=seed)
    if method == "umap":  # umap-learn reports no iterates
        return projection.umap(
            X,
            dims=dims,
            n_neighbors=request["n_neighbors"],
            min_dist=request["min_dist"],
            metric=request["metric"],
            seed=seed,
        )
    return projection.tsne(
        X,
        dims=dims,
        perplexity=request["perplexity"],
        iterations=request["iterations"],
        learning_rate=request["learning_rate"],
        early_exaggeration=request["early_exaggeration"],
        pca_dims=request["pca_dims"],
        metric=request["metric"],
        seed=seed,
        engine=request["engine"],
        callback=callback,
        callback_every=callback_every,
    )


def projection_meta(
    request: dict[str, Any], result: Any, vectors_sha1: str, *, stopped: bool = False
) -> dict[str, Any]:
    """What is stored beside a projection's coordinates."""
    return {
        "method": request["method"],
        "dims": request["dims"],
        "feature": request["feature"],
        "seed": request["seed"],
        "params": result.params,
        "kl": result.kl,
        "seconds": round(float(result.seconds), 3),
        "iterations": result.iterations,
        "n_points": int(np.asarray(result.embedding).shape[0]),
        "request": request,
        "vectors_sha1": vectors_sha1,
        "stopped": stopped,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def project(
    ws: Any,
    request: dict[str, Any],
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> tuple[str, dict[str, Any], bool]:
    """Compute the projection ``request`` describes on workspace ``ws``, or reuse the stored one.

    Returns ``(projection id, metadata, reused)``.
    """
    vectors = ws.vectors(request["feature"])  # UnknownFeatureError names the features there are
    pid = ws.projection_id(request)
    digest = vectors_digest(vectors)
    if not force:
        stored = ws.load_projection(pid)
        reusable = stored is not None and not stored[1].get("stopped")
        if reusable and stored[1].get("vectors_sha1") == digest:
            return pid, stored[1], True
    total = request.get("iterations", 0)

    def report(iteration: int, embedding: np.ndarray, kl: float | None) -> None:
        if progress is not None:
            progress(iteration, total)

    result = run_projection(vectors, request, report)
    meta = projection_meta(request, result, digest)
    ws.save_projection(pid, result.embedding, meta)
    return pid, meta, False
