"""One projection request: every parameter once, with its default and its constraint.

The command line's options, the server's request model and the page's input limits are all
derived from :data:`CONSTRAINTS` and the defaults of :class:`ProjectionRequest`, so the page and
``synthscope project`` name the same request alike and store it under the same id.

>>> request = ProjectionRequest(method="tsne", dims=2, perplexity=20)
>>> request.canonical()["perplexity"]
20.0
>>> result = request.run(X, callback=lambda it, emb, kl: it >= 500)   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from synthscope._params import Integral, Interval, Options, Pattern, Real, check_params, fail

if TYPE_CHECKING:
    from synthscope.projection._result import Projection

__all__ = [
    "CONSTRAINTS",
    "METHODS",
    "METHOD_FIELDS",
    "IterationCallback",
    "ProjectionRequest",
]

METHODS = ("pca", "tsne", "umap")
#: How t-SNE's gradient is computed (see ``_engines``); "auto" picks by size, dims and hardware.
ENGINES = ("auto", "exact", "exact-cuda", "fft", "cells", "bh", "opentsne-fft", "cuml")

IterationCallback = Callable[[int, np.ndarray, "float | None"], "bool | None"]
"""``callback(iteration, embedding (n, dims) float32, kl or None)``; returning True stops the run
(the result then holds the layout reached, with ``stopped`` set). The one convention of every
projection callback, as in openTSNE."""

#: Every parameter a request can carry, and what it accepts.
CONSTRAINTS: dict[str, Any] = {
    "method": Options(*METHODS),
    "dims": Options(2, 3),
    "feature": Pattern(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]*", "a stored feature name"),
    "seed": Interval(Integral, 0, None),
    # t-SNE
    "perplexity": Interval(Real, 1, None, closed="left"),
    "iterations": Interval(Integral, 1, 100_000),
    "learning_rate": [Options("auto"), Interval(Real, 0, None, closed="neither")],
    "early_exaggeration": Interval(Real, 1, None, closed="left"),
    "pca_dims": [None, Interval(Integral, 2, None, closed="left")],
    "metric": Options("euclidean", "cosine"),
    "engine": Options(*ENGINES),
    # UMAP
    "n_neighbors": Interval(Integral, 2, None),
    "min_dist": Interval(Real, 0, 1, closed="left"),
}

#: The parameters each method uses besides method, dims, feature and seed; only these enter the
#: stored request, so a PCA is not recomputed because a t-SNE knob moved.
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "pca": (),
    "tsne": (
        "perplexity",
        "iterations",
        "learning_rate",
        "early_exaggeration",
        "pca_dims",
        "metric",
        "engine",
    ),
    "umap": ("n_neighbors", "min_dist", "metric"),
}

_FLOATS = ("perplexity", "early_exaggeration", "min_dist")
_INTS = ("dims", "seed", "iterations", "n_neighbors")


@dataclass(frozen=True, kw_only=True)
class ProjectionRequest:
    """A projection of one stored feature: method, output dimensions and the method's knobs.

    Checked on construction against :data:`CONSTRAINTS` (data-dependent limits, such as
    perplexity < n / 3, are checked when it runs). Defaults follow openTSNE and umap-learn:
    perplexity 30, 1,000 iterations of which 250 exaggerated by 12, learning rate n / 12
    ("auto"), PCA to 50 dimensions first, 15 UMAP neighbours at minimum distance 0.1.
    """

    method: str = "tsne"
    dims: int = 3
    feature: str = "pixels64"
    seed: int = 0
    perplexity: float = 30.0
    iterations: int = 1000
    learning_rate: float | str = "auto"
    early_exaggeration: float = 12.0
    pca_dims: int | None = 50
    metric: str = "euclidean"
    engine: str = "auto"
    n_neighbors: int = 15
    min_dist: float = 0.1

    constraints: ClassVar[dict[str, Any]] = CONSTRAINTS

    def __post_init__(self) -> None:
        check_params(dataclasses.asdict(self), CONSTRAINTS)
        if self.pca_dims is not None and self.pca_dims < self.dims:
            raise fail("pca_dims", f"must be >= dims ({self.dims}) or None (got {self.pca_dims})")
        # One spelling per value, so equal requests serialise (and hash) equally.
        for name in _FLOATS:
            object.__setattr__(self, name, float(getattr(self, name)))
        for name in _INTS:
            object.__setattr__(self, name, int(getattr(self, name)))
        if self.learning_rate != "auto":
            object.__setattr__(self, "learning_rate", float(self.learning_rate))
        if self.pca_dims is not None:
            object.__setattr__(self, "pca_dims", int(self.pca_dims))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ProjectionRequest:
        """Build from a dict such as a stored request; unknown keys are refused by name."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise fail(
                unknown[0], f"is not a projection parameter (known: {', '.join(sorted(known))})"
            )
        return cls(**values)

    def replace(self, **changes: Any) -> ProjectionRequest:
        """A copy with some parameters changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def canonical(self) -> dict[str, Any]:
        """The request as stored: method, dims, feature, seed, and only that method's knobs."""
        out: dict[str, Any] = {
            "method": self.method,
            "dims": self.dims,
            "feature": self.feature,
            "seed": self.seed,
        }
        for name in METHOD_FIELDS[self.method]:
            out[name] = getattr(self, name)
        return out

    def summary(self) -> str:
        """A short label: ``t-SNE 3-D · pixels64 · perplexity 30, 1000 it.``."""
        title = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}[self.method]
        knobs = {
            "pca": "",
            "tsne": f"perplexity {self.perplexity:g}, {self.iterations} it."
            + ("" if self.pca_dims else ", no PCA"),
            "umap": f"{self.n_neighbors} neighbours, min. dist. {self.min_dist:g}",
        }[self.method]
        return " · ".join(part for part in (f"{title} {self.dims}-D", self.feature, knobs) if part)

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """Defaults, constraints and per-method fields as JSON, for the page's inputs."""
        from synthscope._params import describe

        return {
            "defaults": {f.name: f.default for f in dataclasses.fields(cls)},
            "constraints": describe(CONSTRAINTS),
            "method_fields": {method: list(names) for method, names in METHOD_FIELDS.items()},
        }

    def run(
        self,
        X: np.ndarray,
        *,
        callback: IterationCallback | None = None,
        callback_every: int = 10,
    ) -> Projection:
        """Compute the projection of ``X`` (n_points x d); see :func:`tsne`, :func:`pca`, :func:`umap`."""
        from synthscope.projection._pca import pca
        from synthscope.projection._tsne import tsne
        from synthscope.projection._umap import umap

        if self.method == "pca":
            return pca(X, dims=self.dims, seed=self.seed)
        if self.method == "umap":  # umap-learn reports no iterates
            return umap(
                X,
                dims=self.dims,
                n_neighbors=self.n_neighbors,
                min_dist=self.min_dist,
                metric=self.metric,
                seed=self.seed,
            )
        return tsne(
            X,
            dims=self.dims,
            perplexity=self.perplexity,
            iterations=self.iterations,
            learning_rate=self.learning_rate,
            early_exaggeration=self.early_exaggeration,
            pca_dims=self.pca_dims,
            metric=self.metric,
            seed=self.seed,
            engine=self.engine,
            callback=callback,
            callback_every=callback_every,
        )
