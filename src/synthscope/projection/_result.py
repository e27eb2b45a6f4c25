"""The result every projection returns: the coordinates and where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Projection"]


@dataclass(frozen=True)
class Projection:
    """A finished (or stopped) projection.

    Attributes
    ----------
    embedding : numpy.ndarray
        ``(n_points, dims)`` float32 coordinates, row i = input row i.
    params : dict
        The resolved parameters (method, dims, seed, engine, learning rate, ...), JSON-serialisable.
    kl : float or None
        t-SNE only: the KL divergence of the final embedding (exact for n <= 20,000, otherwise the
        engine's estimate); None for PCA and UMAP.
    seconds : float
        Wall-clock time of the computation.
    iterations : int
        Optimisation iterations actually run (0 for PCA; stops early when a callback says so).
    stopped : bool
        True when a callback stopped the run before its last iteration.
    """

    embedding: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    kl: float | None = None
    seconds: float = 0.0
    iterations: int = 0
    stopped: bool = False

    @property
    def n_points(self) -> int:
        """Number of embedded points."""
        return int(self.embedding.shape[0])

    @property
    def dims(self) -> int:
        """Number of output dimensions (2 or 3)."""
        return int(self.embedding.shape[1])
