"""The neighbour search's kernels: exact k nearest by blocks (float32 BLAS products and a numba
selection kernel), and an exact search within nearby k-means cells for large n.

The squared distance ``|q - r|**2 = |q|**2 + |r|**2 - 2 q.r`` ranks the references ``r`` of a
query ``q`` by ``|r|**2 - 2 q.r``; the products come from one float32 GEMM per block of
``QUERY_BLOCK x REFERENCE_BLOCK`` (small enough to stay in cache while it is scanned), and a
bounded max-heap per query keeps the best ``k + 1 + MARGIN`` candidates. The candidates' distances
are then recomputed in float64 from the vectors and sorted by (distance, index), so the float32
rounding can only matter for points within about ``1e-6`` of the ``k``-th distance, and ties go
to the smaller index.

Deterministic: each query row belongs to one thread, candidates arrive in index order, and
BLAS computes each product element on one thread.
"""

from __future__ import annotations

import numba
import numpy as np

import synthscope._openmp  # noqa: F401  (threads sleep at barriers: set before numba starts)

__all__ = ["cell_knn", "exact_knn"]

QUERY_BLOCK = 1024
REFERENCE_BLOCK = 4096
MARGIN = 8  # extra float32 candidates re-ranked in float64
_CHUNK = 16


@numba.njit(
    "void(f4[:, ::1], f4[::1], i4[::1], f4[:, ::1], i4[:, ::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def _select(products, ref_sq, ref_index, heap_d, heap_i):  # pragma: no cover - compiled
    """Push reference ``ref_index[j]`` with key ``ref_sq[j] - 2 products[q, j]`` into q's heap.

    ``heap_d[q]``/``heap_i[q]`` is a max-heap on the key (root at 0) of fixed size; a key enters
    when it is below the root. Chunks of 16 keys whose minimum is not below the root are
    skipped after one vectorised pass, which is nearly every chunk once the heap has filled.
    """
    rows, m = products.shape
    size = heap_d.shape[1]
    for q in numba.prange(rows):
        hd = heap_d[q]
        hi = heap_i[q]
        row = products[q]
        top = hd[0]
        for c0 in range(0, m, _CHUNK):
            c1 = min(c0 + _CHUNK, m)
            low = np.float32(np.inf)
            for j in range(c0, c1):
                key = ref_sq[j] - np.float32(2.0) * row[j]
                low = key if key < low else low
            if not low < top:
                continue
            for j in range(c0, c1):
                key = ref_sq[j] - np.float32(2.0) * row[j]
                if key < top:
                    # replace the root and sift down
                    pos = 0
                    while True:
                        child = 2 * pos + 1
                        if child >= size:
                            break
                        if child + 1 < size and hd[child + 1] > hd[child]:
                            child += 1
                        if hd[child] <= key:
                            break
                        hd[pos] = hd[child]
                        hi[pos] = hi[child]
                        pos = child
                    hd[pos] = key
                    hi[pos] = ref_index[j]
                    top = hd[0]


@numba.njit("void(f4[:, ::1], i4[:, ::1], i8, f8[:, ::1], i4[:, ::1])", parallel=True, cache=True)
def _refine(X, candidates, k, out_d, out_i):  # pragma: no cover - compiled
    """The ``k`` nearest of each row's candidates by float64 squared distance, ties by index."""
    n, d = X.shape
    c = candidates.shape[1]
    for q in numba.prange(n):
        dist = np.empty(c)
        idx = np.empty(c, np.int64)
        for t in range(c):
            j = candidates[q, t]
            idx[t] = j
            if j < 0:
                dist[t] = np.inf
                continue
            s = 0.0
            for a in range(d):
                diff = np.float64(X[q, a]) - np.float64(X[j, a])
                s += diff * diff
            dist[t] = s
        # selection by (distance, index): insertion sort, c is ~100
        for t in range(1, c):
            dt = dist[t]
            it = idx[t]
            u = t - 1
            while u >= 0 and (dist[u] > dt or (dist[u] == dt and idx[u] > it)):
                dist[u + 1] = dist[u]
                idx[u + 1] = idx[u]
                u -= 1
            dist[u + 1] = dt
            idx[u + 1] = it
        for t in range(k):
            out_d[q, t] = dist[t]
            out_i[q, t] = idx[t]


def exact_knn(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` nearest rows of ``X`` (itself included) and their Euclidean distances.

    Returns indices ``(n, k)`` int32 and distances ``(n, k)`` float64, nearest first.
    """
    # writeable: the compiled kernels take plain (not read-only) arrays; a memmap is copied
    original = np.require(X, np.float32, ["C", "W"])
    X = np.ascontiguousarray(original - original.mean(axis=0))  # smaller norms, less cancellation
    n = X.shape[0]
    k = min(k, n)
    size = min(n, k + MARGIN)
    sq = np.einsum("ij,ij->i", X, X)
    heap_d = np.full((n, size), np.inf, np.float32)
    heap_i = np.full((n, size), -1, np.int32)
    order = np.arange(n, dtype=np.int32)
    products = np.empty((min(QUERY_BLOCK, n), min(REFERENCE_BLOCK, n)), np.float32)
    for q0 in range(0, n, QUERY_BLOCK):
        q1 = min(q0 + QUERY_BLOCK, n)
        for r0 in range(0, n, REFERENCE_BLOCK):
            r1 = min(r0 + REFERENCE_BLOCK, n)
            out = products[: q1 - q0, : r1 - r0]
            if not out.flags.c_contiguous:
                out = np.empty((q1 - q0, r1 - r0), np.float32)
            np.matmul(X[q0:q1], X[r0:r1].T, out=out)
            _select(out, sq[r0:r1], order[r0:r1], heap_d[q0:q1], heap_i[q0:q1])
    distances = np.empty((n, k))
    indices = np.empty((n, k), np.int32)
    _refine(original, heap_i, k, distances, indices)
    return indices, np.sqrt(distances)


def _nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of each row's nearest centroid (ties to the smaller index), by blocks."""
    csq = np.einsum("ij,ij->i", centroids, centroids)
    labels = np.empty(X.shape[0], np.int64)
    for s in range(0, X.shape[0], 8192):
        labels[s : s + 8192] = np.argmin(csq - 2.0 * (X[s : s + 8192] @ centroids.T), axis=1)
    return labels


def _kmeans(X: np.ndarray, cells: int, seed: int, iterations: int) -> np.ndarray:
    """Lloyd's k-means on a seeded sample of ``64 * cells`` rows; returns every row's label."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    n = X.shape[0]
    sample = X[np.sort(rng.choice(n, size=min(n, 64 * cells), replace=False))]
    m = sample.shape[0]
    centroids = sample[np.sort(rng.choice(m, size=cells, replace=False))].copy()
    for _ in range(iterations):
        labels = _nearest_centroid(sample, centroids)
        members = sp.csr_matrix((np.ones(m, np.float32), (labels, np.arange(m))), shape=(cells, m))
        counts = np.asarray(members.sum(axis=1)).ravel()
        filled = counts > 0  # an emptied cell keeps its centroid
        centroids[filled] = (members @ sample)[filled] / counts[filled, None]
    return _nearest_centroid(X, centroids)


def cell_knn(
    X: np.ndarray, k: int, *, seed: int = 0, cell_size: int = 512, probes: int = 16,
    iterations: int = 8,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Approximate k nearest neighbours: exact search within nearby k-means cells.

    The rows are grouped into about ``n / cell_size`` k-means cells (``iterations`` Lloyd
    steps from a seeded start); the queries of a cell are compared, by the same float32 GEMM
    and selection as :func:`exact_knn`, with every row of the ``probes`` cells whose centroids
    are nearest to theirs (their own first), i.e. with about ``probes * cell_size`` candidates
    instead of ``n``. A true neighbour is missed only when it lies beyond those cells. Seeded
    and single-order throughout, so deterministic. Returns what :func:`exact_knn` returns.
    """
    # writeable: the compiled kernels take plain (not read-only) arrays; a memmap is copied
    original = np.require(X, np.float32, ["C", "W"])
    X = np.ascontiguousarray(original - original.mean(axis=0))
    n = X.shape[0]
    k = min(k, n)
    cells = max(1, n // cell_size)
    probes = min(probes, cells)
    labels = _kmeans(X, cells, seed, iterations)
    order = np.argsort(labels, kind="stable").astype(np.int32)
    starts = np.concatenate([[0], np.cumsum(np.bincount(labels, minlength=cells))])
    centroids = np.zeros((cells, X.shape[1]), np.float64)
    np.add.at(centroids, labels, X)  # once: the final centroids, for the probe lists
    centroids /= np.maximum(np.diff(starts), 1)[:, None]
    csq = np.einsum("ij,ij->i", centroids, centroids)
    between = csq[:, None] + csq[None, :] - 2.0 * centroids @ centroids.T
    np.fill_diagonal(between, -np.inf)  # a cell probes itself first
    probe_lists = np.argsort(between, axis=1, kind="stable")[:, :probes]
    sq = np.einsum("ij,ij->i", X, X)
    size = min(n, k + MARGIN)
    heap_i = np.full((n, size), -1, np.int32)
    for c in range(cells):
        queries = order[starts[c] : starts[c + 1]]
        if queries.size == 0:
            continue
        cand = np.concatenate([order[starts[p] : starts[p + 1]] for p in probe_lists[c]])
        products = X[queries] @ X[cand].T
        hd = np.full((queries.size, size), np.inf, np.float32)
        hi = np.full((queries.size, size), -1, np.int32)
        _select(products, sq[cand], cand, hd, hi)
        heap_i[queries] = hi
    distances = np.empty((n, k))
    indices = np.empty((n, k), np.int32)
    _refine(original, heap_i, k, distances, indices)
    return indices, np.sqrt(distances)
