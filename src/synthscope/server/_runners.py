"""The bridge from a page's projection request to :mod:`synthscope.projection`.

A runner takes ``(vectors, request, callback)`` and returns a result with ``embedding``,
``params``, ``kl``, ``seconds`` and ``iterations`` (a :class:`synthscope.projection.Projection`);
``callback(iteration, embedding)`` is called with iterates and returns True to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

__all__ = ["IterateCallback", "ProjectionRunner", "run_projection"]

IterateCallback = Callable[[int, np.ndarray], bool]


class ProjectionRunner(Protocol):
    def __call__(
        self, vectors: np.ndarray, request: dict[str, Any], callback: IterateCallback
    ) -> Any: ...


def run_projection(vectors: np.ndarray, request: dict[str, Any], callback: IterateCallback) -> Any:
    """Run the request's method on every point with the project's own projection package."""
    from synthscope import projection  # heavy (numba); imported on first use

    method = request["method"]
    dims, seed = request["dims"], request["seed"]
    if method == "pca":
        return projection.pca(vectors, dims=dims, seed=seed)
    if method == "umap":  # umap-learn reports no iterates: the page sees only the result
        return projection.umap(
            vectors,
            dims=dims,
            n_neighbors=request["n_neighbors"],
            min_dist=request["min_dist"],
            metric=request["metric"],
            seed=seed,
        )
    return projection.tsne(
        vectors,
        dims=dims,
        perplexity=request["perplexity"],
        learning_rate=request["learning_rate"],
        iterations=request["iterations"],
        early_exaggeration=request["early_exaggeration"],
        pca_dims=request["pca_dims"],
        metric=request["metric"],
        engine=request["engine"],
        seed=seed,
        # The job keeps only the newest iterate, so frequent callbacks cost a copy, no more.
        callback=lambda iteration, embedding, kl: not callback(iteration, embedding),
        callback_every=2,
    )
