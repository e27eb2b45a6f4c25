"""Gradient engines for t-SNE: one small class per way of computing the forces.

Every engine takes the affinities once and then, per iteration, the embedding in structure of
arrays layout ``(dims, n)`` float32, and returns the gradient ``(dims, n)`` float64 in the
openTSNE convention (no factor 4) plus, on request, the KL divergence of the un-exaggerated P.

* ``exact``: our numba kernels over all n**2 pairs, each pair once; deterministic, 2-D and 3-D.
* ``exact-cuda``: the same sums with torch on a CUDA GPU (optional; chosen by "auto" when torch
  sees CUDA).
* ``fft``: our FFT-accelerated interpolation (Linderman et al. 2019) in numba and scipy.fft,
  2-D only; openTSNE's approximation with its parameters, computed faster; deterministic.
* ``cells``: our far field over cells of nearby points (:mod:`synthscope.projection._cells`), a
  flat two-level Barnes-Hut in numba, 3-D only; deterministic.
* ``bh``: openTSNE's Barnes-Hut tree (theta = 0.5), 2-D and 3-D.
* ``opentsne-fft``: openTSNE's own FFT interpolation (the reference for ``fft``).
* ``cuml``: RAPIDS cuML's whole t-SNE run on a GPU (:mod:`synthscope.projection._cuml`), 2-D,
  when ``cuml`` imports; not a gradient engine.

"auto" picks ``exact-cuda`` (then ``cuml`` in 2-D) when a GPU is there, else ``exact`` up to
:data:`EXACT_MAX_POINTS`, then ``fft`` in 2-D and ``cells`` in 3-D. Per-call times by engine and
size come from ``python benchmarks/tsne.py --crossover`` (``benchmarks/results/tsne-crossover.json``).
"""

from __future__ import annotations

import logging
import os

import numpy as np
import scipy.sparse as sp

from synthscope.errors import InvalidParameterError
from synthscope.projection import _kernels

__all__ = [
    "ENGINES",
    "EXACT_MAX_POINTS",
    "Engine",
    "CellEngine",
    "ExactEngine",
    "FFTEngine",
    "OpenTSNEEngine",
    "TorchEngine",
    "exact_kl",
    "make_engine",
    "resolve_engine",
]

log = logging.getLogger(__name__)

from synthscope.projection._request import ENGINES  # noqa: E402  (named once, with the request)

# Largest n for which "auto" keeps the exact kernel (no approximation) before the approximate
# engine of that dimension. Per call (``python benchmarks/tsne.py --crossover``,
# ``benchmarks/results/tsne-crossover.json``, 2 cores, load 4.3-4.6): in 3-D exact 12 ms vs cells
# 10 ms at 5,000 points, 45 vs 26 ms at 10,000, 642 vs 123 ms at 40,000 (openTSNE's Barnes-Hut
# 99, 335 and 3,673 ms); in 2-D exact 29 ms vs our FFT 61 ms at 10,000 and 109 vs 111 ms at
# 20,000 (openTSNE's FFT 138 and 280 ms).
EXACT_MAX_POINTS = {2: 15_000, 3: 5_000}
# The GPU kernel keeps winning much further; beyond this a run takes minutes even there.
CUDA_MAX_POINTS = {2: 60_000, 3: 150_000}


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return bool(torch.cuda.is_available())


def _cuml_available() -> bool:
    from synthscope.projection._cuml import cuml_available

    return cuml_available()


def resolve_engine(engine: str, n: int, dims: int) -> str:
    """Turn "auto" into a concrete engine name and refuse impossible combinations.

    "cuml" is a whole-run engine (:func:`synthscope.projection._cuml.cuml_tsne`), not a
    gradient engine: the caller runs it instead of :func:`~synthscope.projection._tsne.optimize`.
    """
    if engine == "auto":
        if _cuda_available() and n <= CUDA_MAX_POINTS[dims]:
            return "exact-cuda"
        if dims == 2 and _cuml_available() and _cuda_available():
            return "cuml"
        if n <= EXACT_MAX_POINTS[dims]:
            return "exact"
        return "fft" if dims == 2 else "cells"
    if engine == "cells" and dims != 3:
        raise InvalidParameterError(
            "engine 'cells' supports only dims=3; use 'fft' or 'exact' for dims=2",
            parameter="engine",
        )
    if engine in ("fft", "opentsne-fft") and dims != 2:
        raise InvalidParameterError(
            f"engine '{engine}' supports only dims=2 (the FFT interpolation is 2-D); "
            "use 'bh' or 'exact' for dims=3",
            parameter="engine",
        )
    if engine == "cuml":
        if dims != 2:
            raise InvalidParameterError(
                "engine 'cuml' supports only dims=2 (cuML's t-SNE)", parameter="engine"
            )
        if not _cuml_available():
            raise InvalidParameterError(
                "engine 'cuml' needs RAPIDS cuML; it is not installed", parameter="engine"
            )
    if engine == "exact-cuda" and not _cuda_available():
        raise InvalidParameterError(
            "engine 'exact-cuda' needs torch with a CUDA GPU; none is visible",
            parameter="engine",
        )
    return engine


class Engine:
    """Base class: computes t-SNE gradients for a fixed P."""

    name = "base"

    def gradient(
        self, Y: np.ndarray, exaggeration: float, want_kl: bool
    ) -> tuple[np.ndarray, float | None]:
        """Return the gradient (dims, n) float64 and the KL divergence (or None)."""
        raise NotImplementedError


class Attraction:
    """The attractive forces over a sparse P, with P permuted once for memory locality.

    Reverse Cuthill-McKee (scipy) orders the points so that a row's columns lie close to it;
    the kernel then reads neighbours' coordinates from nearby cache lines. The permutation is
    internal: inputs and outputs stay in the caller's order.
    """

    def __init__(self, P: sp.csr_matrix, dims: int) -> None:
        from scipy.sparse.csgraph import reverse_cuthill_mckee

        P = sp.csr_matrix(P)
        order = reverse_cuthill_mckee(P, symmetric_mode=True).astype(np.int64)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        # P[order][:, order] by hand: the rows gathered as slices, the columns renamed
        counts = np.diff(P.indptr)[order]
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        source = np.repeat(P.indptr[order] - self.indptr[:-1], counts) + np.arange(P.nnz)
        self.indices = rank[P.indices[source]].astype(np.int32)
        self.data = P.data[source].astype(np.float32)
        self.order = order
        self.packed = np.empty((P.shape[0], dims), np.float32)

    def __call__(self, Y: np.ndarray, att: np.ndarray) -> None:
        _kernels.attraction(Y, self.order, self.indptr, self.indices, self.data, self.packed, att)


class _SparseAttractionEngine(Engine):
    """An engine of ours: exact sparse attraction, and repulsion by :meth:`_repel`."""

    def __init__(self, P: sp.csr_matrix, dims: int) -> None:
        self.indptr = P.indptr.astype(np.int64)
        self.indices = P.indices.astype(np.int32)
        self.data = P.data.astype(np.float32)
        n = P.shape[0]
        self.dims = dims
        self.attraction = Attraction(P, dims)
        self.rep = np.empty((dims, n))
        self.att = np.empty((dims, n))
        self.zrow = np.empty(n)

    def _repel(self, Y: np.ndarray) -> float:
        """Write the repulsive sums to ``self.rep`` and return ``Z = sum_{i != j} w_ij``."""
        raise NotImplementedError

    def gradient(
        self, Y: np.ndarray, exaggeration: float, want_kl: bool
    ) -> tuple[np.ndarray, float | None]:
        Z = self._repel(Y)
        self.attraction(Y, self.att)
        grad = exaggeration * self.att - self.rep / Z
        kl = None
        if want_kl:
            kl = _kernels.kl_attraction_terms(Y, self.indptr, self.indices, self.data) + np.log(Z)
        return grad, kl


class ExactEngine(_SparseAttractionEngine):
    """All-pairs forces with the numba kernels, each pair once (deterministic)."""

    name = "exact"

    def __init__(self, P: sp.csr_matrix, dims: int, tile: int = _kernels.TILE) -> None:
        super().__init__(P, dims)
        n = P.shape[0]
        self.tile = min(tile, n)
        self.first, self.second = _kernels.tile_pairs(n, self.tile)
        self.part = np.empty((self.first.shape[0], 2, dims + 1, self.tile), np.float32)

    def _repel(self, Y: np.ndarray) -> float:
        pairs = (self.tile, self.first, self.second, self.part)
        if self.dims == 2:
            _kernels.tile_forces_2d(Y[0], Y[1], *pairs)
        else:
            _kernels.tile_forces_3d(Y[0], Y[1], Y[2], *pairs)
        _kernels.reduce_tiles(self.part, self.tile, self.rep, self.zrow)
        return float(np.sum(self.zrow))


class FFTEngine(_SparseAttractionEngine):
    """FFT-accelerated interpolation for the repulsion (2-D), exact sparse attraction.

    The same approximation as openTSNE's "fft" (:mod:`synthscope.projection._fft`), computed
    with our numba kernels and multithreaded real FFTs; deterministic.
    """

    name = "fft"

    def __init__(self, P: sp.csr_matrix, dims: int) -> None:
        from synthscope.projection._fft import FFTRepulsion

        if dims != 2:
            raise InvalidParameterError("the FFT engine is 2-D only")
        super().__init__(P, dims)
        self.repulsion = FFTRepulsion(P.shape[0])

    def _repel(self, Y: np.ndarray) -> float:
        return self.repulsion(Y[0], Y[1], self.rep[0], self.rep[1], self.zrow)


class CellEngine(_SparseAttractionEngine):
    """Far field over cells of nearby points for the repulsion (3-D), exact sparse attraction."""

    name = "cells"

    def __init__(self, P: sp.csr_matrix, dims: int) -> None:
        from synthscope.projection._cells import CellRepulsion

        if dims != 3:
            raise InvalidParameterError("the cells engine is 3-D only")
        super().__init__(P, dims)
        self.repulsion = CellRepulsion(P.shape[0])

    def _repel(self, Y: np.ndarray) -> float:
        return self.repulsion(Y, self.rep, self.zrow)


class OpenTSNEEngine(Engine):
    """openTSNE's Barnes-Hut ("bh") or FFT-interpolation ("fft") negative gradient."""

    def __init__(self, P: sp.csr_matrix, dims: int, method: str) -> None:
        from openTSNE import tsne as otsne

        self.name = method
        self.P = sp.csr_matrix(P, dtype=np.float64)
        self.P.indices = self.P.indices.astype(np.int32)
        self.P.indptr = self.P.indptr.astype(np.int32)
        self._exaggerated: tuple[float, sp.csr_matrix] = (1.0, self.P)
        self.function = otsne.kl_divergence_bh if method == "bh" else otsne.kl_divergence_fft
        self.params = {
            "bh_params": {"theta": 0.5},
            "fft_params": {
                "n_interpolation_points": 3,
                "min_num_intervals": 50,
                "ints_in_interval": 1,
            },
        }
        self.n_jobs = os.cpu_count() or 1

    def _p(self, exaggeration: float) -> sp.csr_matrix:
        if self._exaggerated[0] != exaggeration:
            scaled = self.P.copy()
            scaled.data *= exaggeration
            self._exaggerated = (exaggeration, scaled)
        return self._exaggerated[1]

    def gradient(
        self, Y: np.ndarray, exaggeration: float, want_kl: bool
    ) -> tuple[np.ndarray, float | None]:
        embedding = np.ascontiguousarray(Y.T, dtype=np.float64)
        error, grad = self.function(
            embedding,
            self._p(exaggeration),
            dof=1,
            should_eval_error=want_kl,
            n_jobs=self.n_jobs,
            **self.params,
        )
        kl = None
        if want_kl:  # openTSNE evaluates KL with the exaggerated P; undo as it does
            kl = float(error) / exaggeration - float(np.log(exaggeration))
        return np.ascontiguousarray(grad.T), kl


class TorchEngine(Engine):
    """The exact all-pairs sums with torch on a CUDA GPU, in row blocks (optional path).

    Sums are per row in a fixed order and the attractive term uses a segmented cumulative sum,
    not atomic scatter-adds, so runs repeat on the same GPU.
    """

    name = "exact-cuda"

    def __init__(self, P: sp.csr_matrix, dims: int, device: str = "cuda") -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        coo = P.tocoo()
        self.rows = torch.as_tensor(coo.row.astype(np.int64), device=self.device)
        self.cols = torch.as_tensor(coo.col.astype(np.int64), device=self.device)
        self.p = torch.as_tensor(coo.data.astype(np.float32), device=self.device)
        self.indptr = torch.as_tensor(P.indptr.astype(np.int64), device=self.device)
        self.n = P.shape[0]
        # keep each (dims, block, n) difference tensor near 256 MiB
        self.block = max(1, min(self.n, (64 * 2**20) // max(1, self.n * dims)))

    def gradient(
        self, Y: np.ndarray, exaggeration: float, want_kl: bool
    ) -> tuple[np.ndarray, float | None]:
        torch = self.torch
        y = torch.as_tensor(Y, device=self.device)
        rep = torch.empty_like(y, dtype=torch.float64)
        zrow = torch.empty(self.n, dtype=torch.float64, device=self.device)
        for start in range(0, self.n, self.block):
            stop = min(start + self.block, self.n)
            diff = y[:, start:stop, None] - y[:, None, :]
            w = 1.0 / (1.0 + (diff * diff).sum(0))
            zrow[start:stop] = w.sum(1, dtype=torch.float64) - 1.0
            rep[:, start:stop] = (w * w * diff).sum(2, dtype=torch.float64)
        Z = zrow.sum()
        diff = y[:, self.rows] - y[:, self.cols]
        d2 = (diff * diff).sum(0)
        pw = (self.p / (1.0 + d2)).double()
        csum = torch.cumsum(pw * diff.double(), dim=1)
        csum = torch.cat(
            [torch.zeros((csum.shape[0], 1), dtype=csum.dtype, device=self.device), csum], 1
        )
        att = csum[:, self.indptr[1:]] - csum[:, self.indptr[:-1]]
        grad = exaggeration * att - rep / Z
        kl = None
        if want_kl:
            p = self.p.double()
            # xlogy: entries whose affinity underflowed to 0 contribute 0, not 0 * log 0
            kl = float(torch.xlogy(p, p * (1.0 + d2.double())).sum() + torch.log(Z))
        return grad.cpu().numpy(), kl


def make_engine(name: str, P: sp.csr_matrix, dims: int) -> Engine:
    """Build the engine called ``name`` (already resolved, see :func:`resolve_engine`)."""
    if name == "exact":
        return ExactEngine(P, dims)
    if name == "exact-cuda":
        return TorchEngine(P, dims)
    if name == "fft":
        return FFTEngine(P, dims)
    if name == "cells":
        return CellEngine(P, dims)
    if name == "cuml":
        raise InvalidParameterError("'cuml' runs whole (see _cuml.cuml_tsne); it has no gradient")
    return OpenTSNEEngine(P, dims, "fft" if name == "opentsne-fft" else name)


def exact_kl(Y: np.ndarray, P: sp.csr_matrix) -> float:
    """Exact KL(P || Q) of an embedding ``Y`` given as (dims, n) float32, O(n**2) once."""
    return float(ExactEngine(P, Y.shape[0]).gradient(Y, 1.0, want_kl=True)[1])
