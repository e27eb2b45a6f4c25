"""The neighbour search against scikit-learn's brute force, in one process on the same data.

    python benchmarks/neighbors.py [--n 50000] [--dim 4096] [--queries 20] [--graph-n 20000]

Two uses, two comparisons.

The graph (t-SNE's affinities): every point's k = 91 nearest in 50 PCA dimensions, ``--graph-n``
points (the largest n searched exactly): :func:`synthscope._neighbors.knn_graph` against
``NearestNeighbors(algorithm="brute").kneighbors``; both exact, so the ids must agree but for
ties, and the times are what differs.

The projector's click: the k nearest points of one point in a feature of n points, stored as a
memory-mapped float32 ``.npy``. Compared on the same memmap:

* ``synthscope``: :func:`synthscope._neighbors.query_neighbors` (one pass over the rows in
  blocks of 65,536, float64 accumulation, full stable sort so ties go to the smaller id).
* ``sklearn``: ``NearestNeighbors(algorithm="brute", metric=...)`` fitted on the memmap, then
  ``kneighbors`` of the one row (its fit is timed separately: the server would keep the index).

Reported: seconds per query (median), peak extra memory per query (tracemalloc), and whether
the two agree on the neighbour ids (they may differ only within ties).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import machine, write_result


def timed_query(fn, repeats):
    times, peaks, result = [], [], None
    for _ in range(repeats):
        tracemalloc.start()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return result, statistics.median(times), max(peaks)


def graph_comparison(n: int, dim: int = 50, k: int = 91) -> dict:
    """knn_graph against sklearn's brute force on clustered data (both exact at this n)."""
    from sklearn.neighbors import NearestNeighbors

    from synthscope._neighbors import knn_graph

    rng = np.random.default_rng(1)
    centers = rng.normal(size=(40, dim)) * 4
    X = (centers[rng.integers(0, 40, n)] + rng.normal(size=(n, dim))).astype(np.float32)
    knn_graph(X[:2000], 5)  # compile the kernels outside the timing
    start = time.perf_counter()
    ours, _ = knn_graph(X, k)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    index = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(X)
    _, theirs = index.kneighbors(X)
    theirs_s = time.perf_counter() - start
    agree = float(
        np.mean(
            [
                len(set(a) & set(b[b != i])) / k
                for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
            ]
        )
    )
    return {
        "n": n,
        "dim": dim,
        "k": k,
        "synthscope_s": round(ours_s, 2),
        "sklearn_brute_s": round(theirs_s, 2),
        "ratio_sklearn_over_ours": round(theirs_s / ours_s, 2),
        "same_neighbours_share": round(agree, 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--dim", type=int, default=4096)
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument("--k", type=int, default=12)
    parser.add_argument("--graph-n", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="n = 10,000, graph of 5,000")
    args = parser.parse_args()
    if args.quick:
        args.n, args.graph_n = 10_000, 5_000
    from sklearn.neighbors import NearestNeighbors

    from synthscope._neighbors import query_neighbors

    started = machine()
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vectors.npy"
        data = np.lib.format.open_memmap(
            path, mode="w+", dtype=np.float32, shape=(args.n, args.dim)
        )
        for start in range(0, args.n, 10_000):
            stop = min(start + 10_000, args.n)
            data[start:stop] = rng.random((stop - start, args.dim), dtype=np.float32)
        data.flush()
        del data
        vectors = np.load(path, mmap_mode="r")
        query = 12345 % args.n
        for metric in ("cosine", "euclidean"):
            ours, ours_s, ours_mem = timed_query(
                lambda metric=metric: query_neighbors(vectors, query, args.k, metric),
                args.queries,
            )
            fit_start = time.perf_counter()
            index = NearestNeighbors(n_neighbors=args.k + 1, algorithm="brute", metric=metric)
            index.fit(vectors)
            fit_s = time.perf_counter() - fit_start
            theirs, theirs_s, theirs_mem = timed_query(
                lambda index=index: index.kneighbors(np.asarray(vectors[[query]])), args.queries
            )
            their_ids = [int(i) for i in theirs[1][0] if i != query][: args.k]
            rows.append(
                {
                    "metric": metric,
                    "synthscope_s": round(ours_s, 4),
                    "sklearn_s": round(theirs_s, 4),
                    "sklearn_fit_s": round(fit_s, 4),
                    "ratio_sklearn_over_ours": round(theirs_s / ours_s, 2),
                    "synthscope_peak_mib": round(ours_mem / 2**20, 1),
                    "sklearn_peak_mib": round(theirs_mem / 2**20, 1),
                    "same_ids": [int(i) for i in ours[0]] == their_ids,
                }
            )
            print(rows[-1], flush=True)
    graph = graph_comparison(args.graph_n)
    print(graph, flush=True)
    out = write_result(
        "neighbors",
        {
            "query": {
                "n": args.n,
                "dim": args.dim,
                "k": args.k,
                "queries": args.queries,
                "rows": rows,
            },
            "graph": graph,
        },
        started=started,
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
