"""Projection engine: PCA, t-SNE and UMAP of feature vectors into 2-D or 3-D.

Pure arrays in, :class:`Projection` results out; nothing here knows about workspaces. A
:class:`ProjectionRequest` holds every parameter once (defaults and constraints stated in one
table) and runs itself:

>>> from synthscope.projection import ProjectionRequest, tsne
>>> result = tsne(X, dims=3, perplexity=30, seed=0)        # doctest: +SKIP
>>> result = ProjectionRequest(method="umap").run(X)        # doctest: +SKIP
>>> result.embedding.shape, result.kl                       # doctest: +SKIP
"""

from typing import Any

from synthscope.projection._pca import pca
from synthscope.projection._request import (
    CONSTRAINTS,
    ENGINES,
    METHOD_FIELDS,
    METHODS,
    IterationCallback,
    ProjectionRequest,
)
from synthscope.projection._result import Projection
from synthscope.projection._umap import umap

__all__ = [
    "CONSTRAINTS",
    "ENGINES",
    "EXACT_MAX_POINTS",
    "IterationCallback",
    "METHODS",
    "METHOD_FIELDS",
    "Projection",
    "ProjectionRequest",
    "pca",
    "tsne",
    "umap",
]

# show the public path in reprs and docs (the httpx pattern)
for _obj in (Projection, ProjectionRequest, pca, umap):
    _obj.__module__ = __name__
del _obj


def __getattr__(name: str) -> Any:
    """The t-SNE and its engines load numba kernels (a second or more): only when first used,
    so that the command line and the server start fast."""
    if name == "tsne":
        from synthscope.projection._tsne import tsne

        tsne.__module__ = __name__
        return tsne
    if name == "EXACT_MAX_POINTS":
        from synthscope.projection._engines import EXACT_MAX_POINTS

        return EXACT_MAX_POINTS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
