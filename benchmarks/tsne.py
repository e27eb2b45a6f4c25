"""t-SNE speed and quality: synthscope against openTSNE and scikit-learn, one process, same data.

    python benchmarks/tsne.py [--quick] [--cases phantom3600-3d,blobs30000-3d,...] [--sklearn-max N]

Data sets (every method gets the same 50 principal components, computed once, untimed):

* ``phantom3600``: 3,600 IVUS phantom frames (``synthscope.phantom``, 36 pullbacks of 100, 500 px)
  reduced the founding study's way to ``pixels64`` (nearest-neighbour 64 x 64, / 255, 4096 values).
  Cached in ``benchmarks/results/`` after the first run.
* ``blobs30000``, ``blobs100000``: a documented synthetic stand-in for large real sets, 40
  Gaussian clusters of unequal size and spread, each stretched along a random curve, in 50-d.

Methods (1,000 iterations, the first 250 with exaggeration 12, perplexity 30, PCA init, seed 0):

* ``synthscope``: ``synthscope.projection.tsne`` with ``engine="auto"``.
* ``openTSNE``: Barnes-Hut for 3-D, FFT for 2-D, ``n_jobs`` = all cores.
* ``sklearn``: ``sklearn.manifold.TSNE`` Barnes-Hut, only up to ``--sklearn-max`` points.

Quality: every embedding's KL(P || Q) evaluated exactly against the same P (synthscope's
affinities, perplexity 30), and 10-NN preservation (share of each point's 10 nearest neighbours in
the 50-d input that stay among its 10 nearest in the embedding, over 2,000 sampled points).
Times include affinities and initialisation, i.e. everything after the shared PCA.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
FULL_CASES = ("phantom3600-3d", "phantom3600-2d", "blobs30000-3d", "blobs100000-2d")
QUICK_CASES = ("phantom600-3d", "phantom600-2d", "blobs5000-3d", "blobs5000-2d")
TARGETS = {  # case: (minimum speed-up over openTSNE, maximum KL excess over openTSNE)
    "phantom3600-3d": (5.0, 0.02),
    "blobs30000-3d": (5.0, 0.02),
    "blobs100000-2d": (1.5, 0.02),
}
CROSSOVER_SIZES = (2_000, 5_000, 10_000, 20_000, 40_000)


def phantom_pixels64(n: int, seed: int = 0) -> np.ndarray:
    """``n`` phantom frames as the founding study's 64 x 64 raw-pixel vectors."""
    cache = RESULTS / f"phantom{n}_pixels64_seed{seed}.npy"
    if cache.is_file():
        return np.load(cache)
    from PIL import Image

    from synthscope.phantom import simulate

    vectors = np.empty((n, 64 * 64), dtype=np.float32)
    per_pullback = 100
    done = 0
    for start in range(0, n, 400):  # in chunks: 3,600 frames of 500 x 500 do not need to coexist
        count = min(400, n - start)
        frames = simulate(
            count, size=500, seed=seed + start, pullbacks=max(1, count // per_pullback)
        )
        for image in frames.images:
            small = Image.fromarray(image).resize((64, 64), Image.NEAREST)
            vectors[done] = np.asarray(small, dtype=np.float32).reshape(-1) / 255
            done += 1
        print(f"  phantom frames {done}/{n}", file=sys.stderr, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def blobs(n: int, d: int = 50, k: int = 40, seed: int = 0) -> np.ndarray:
    """Synthetic stand-in: ``k`` curved Gaussian clusters of unequal size and spread in ``d``-d."""
    rng = np.random.default_rng(seed)
    sizes = rng.dirichlet(np.full(k, 2.0)) * n
    counts = np.floor(sizes).astype(int)
    counts[: n - counts.sum()] += 1
    parts = []
    for count in counts:
        center = rng.normal(size=d) * 8.0
        direction, bend = rng.normal(size=(2, d))
        t = rng.uniform(-1, 1, size=(count, 1))
        spread = rng.uniform(0.5, 2.0)
        parts.append(
            center + 4 * t * direction + 2 * t**2 * bend + rng.normal(size=(count, d)) * spread
        )
    X = np.vstack(parts).astype(np.float32)
    return X[rng.permutation(n)]


def load_case(name: str) -> np.ndarray:
    from synthscope.projection._pca import principal_components

    data = name.split("-")[0]
    if data.startswith("phantom"):
        X = phantom_pixels64(int(data.removeprefix("phantom")))
    else:
        X = blobs(int(data.removeprefix("blobs")))
    reduced, _ = principal_components(X, 50, seed=0)
    return np.ascontiguousarray(reduced, dtype=np.float32)


def run_synthscope(X: np.ndarray, dims: int) -> tuple[np.ndarray, float, str]:
    from synthscope.projection import tsne

    start = time.perf_counter()
    result = tsne(X, dims=dims, perplexity=30, iterations=1000, seed=0)
    return result.embedding, time.perf_counter() - start, result.params["engine"]


def run_opentsne(X: np.ndarray, dims: int) -> tuple[np.ndarray, float, str]:
    from openTSNE import TSNE

    method = "bh" if dims == 3 else "fft"
    start = time.perf_counter()
    embedding = TSNE(
        n_components=dims,
        perplexity=30,
        learning_rate="auto",
        early_exaggeration=12,
        early_exaggeration_iter=250,
        n_iter=750,
        initialization="pca",
        negative_gradient_method=method,
        n_jobs=os.cpu_count() or 1,
        random_state=0,
    ).fit(X)
    return np.asarray(embedding, dtype=np.float32), time.perf_counter() - start, method


def run_sklearn(X: np.ndarray, dims: int) -> tuple[np.ndarray, float, str]:
    from sklearn.manifold import TSNE

    start = time.perf_counter()
    embedding = TSNE(
        n_components=dims,
        perplexity=30,
        max_iter=1000,
        init="pca",
        learning_rate="auto",
        method="barnes_hut",
        random_state=0,
        n_jobs=os.cpu_count() or 1,
    ).fit_transform(X)
    return np.asarray(embedding, dtype=np.float32), time.perf_counter() - start, "bh"


def knn_preservation(X: np.ndarray, Y: np.ndarray, k: int = 10, sample: int = 2000) -> float:
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(0)
    queries = rng.choice(X.shape[0], size=min(sample, X.shape[0]), replace=False)
    high = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X[queries], return_distance=False)
    low = NearestNeighbors(n_neighbors=k + 1).fit(Y).kneighbors(Y[queries], return_distance=False)
    overlap = [len(set(h[1:]) & set(lo[1:])) / k for h, lo in zip(high, low, strict=True)]
    return float(np.mean(overlap))


def warm_up() -> None:
    """Compile numba kernels (ours, pynndescent's) and load libraries outside the timings."""
    X = blobs(300, d=10)
    run_synthscope(X, 2)
    run_synthscope(X, 3)
    from openTSNE import TSNE

    TSNE(n_iter=10, early_exaggeration_iter=10, negative_gradient_method="fft").fit(X)
    TSNE(n_components=3, n_iter=10, early_exaggeration_iter=10, negative_gradient_method="bh").fit(
        X
    )


def crossover(sizes: tuple[int, ...], repeats: int = 5) -> list[dict]:
    """Seconds per gradient call of each engine at each size, on a t-SNE-like layout.

    The layout: 40 Gaussian blobs spread like a finished embedding (extent growing as
    ``sqrt(n)``), P from ``blobs(n)``. Times are the median of ``repeats`` calls after one
    warm-up call, engines interleaved so that load changes hit all of them alike.
    """
    from synthscope.projection._affinity import affinities
    from synthscope.projection._engines import make_engine

    rows = []
    for n in sizes:
        X = load_case(f"blobs{n}-2d")
        P = affinities(X, 30.0)
        rng = np.random.default_rng(0)
        for dims, names in ((2, ("exact", "fft", "opentsne-fft")), (3, ("exact", "cells", "bh"))):
            centers = rng.normal(size=(dims, 40)) * np.sqrt(n) / 4
            Y = (centers[:, rng.integers(0, 40, n)] + rng.normal(size=(dims, n))).astype(np.float32)
            engines = {name: make_engine(name, P, dims) for name in names}
            times: dict[str, list[float]] = {name: [] for name in names}
            for engine in engines.values():
                engine.gradient(Y, 1.0, False)
            load_before = os.getloadavg()[0]
            for _ in range(repeats):
                for name, engine in engines.items():
                    start = time.perf_counter()
                    engine.gradient(Y, 1.0, False)
                    times[name].append(time.perf_counter() - start)
            row = {
                "n": n,
                "dims": dims,
                "load_before": load_before,
                "load_after": os.getloadavg()[0],
            }
            row.update({name: float(np.median(t)) for name, t in times.items()})
            rows.append(row)
            print(
                f"n={n:>7} {dims}-D  "
                + "  ".join(f"{name} {1e3 * row[name]:8.1f} ms" for name in names)
                + f"  (load {load_before:.1f})",
                flush=True,
            )
    return rows


def machine() -> dict:
    return {
        "machine": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a minute or two")
    parser.add_argument("--cases", help="comma-separated, e.g. phantom3600-3d,blobs30000-3d")
    parser.add_argument("--sklearn-max", type=int, default=5000, help="largest n given to sklearn")
    parser.add_argument(
        "--crossover", action="store_true", help="per-call gradient times by engine and size"
    )
    parser.add_argument("--sizes", help="sizes for --crossover, e.g. 30000,100000")
    args = parser.parse_args()
    if args.crossover:
        sizes = tuple(int(v) for v in args.sizes.split(",")) if args.sizes else CROSSOVER_SIZES
        rows = crossover(sizes)
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / "tsne-crossover.json"
        out.write_text(json.dumps({**machine(), "rows": rows}, indent=2))
        print(f"# wrote {out}")
        return
    cases = args.cases.split(",") if args.cases else list(QUICK_CASES if args.quick else FULL_CASES)

    from synthscope.projection._affinity import affinities
    from synthscope.projection._engines import exact_kl

    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    warm_up()
    rows = []
    header = f"{'case':<16} {'method':<11} {'engine':<6} {'seconds':>9} {'x ours':>7} {'KL':>8} {'KL vs ours':>10} {'10-NN':>6}"
    print(header)
    for case in cases:
        dims = int(case.split("-")[1][0])
        X = load_case(case)
        P = affinities(X, 30.0)
        runners = [("synthscope", run_synthscope), ("openTSNE", run_opentsne)]
        if X.shape[0] <= args.sklearn_max:
            runners.append(("sklearn", run_sklearn))
        ours = None
        for name, runner in runners:
            load_before = os.getloadavg()
            embedding, seconds, engine = runner(X, dims)
            load_after = os.getloadavg()
            kl = exact_kl(np.ascontiguousarray(embedding.T), P)
            knn = knn_preservation(X, embedding)
            if ours is None:
                ours = (seconds, kl)
            row = {
                "case": case, "n": X.shape[0], "dims": dims, "method": name, "engine": engine,
                "seconds": seconds, "ratio": seconds / ours[0], "kl": kl,
                "kl_excess": kl / ours[1] - 1, "knn10": knn,
                "load_before": list(load_before), "load_after": list(load_after),
                "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }  # fmt: skip
            rows.append(row)
            print(
                f"{case:<16} {name:<11} {engine:<6} {seconds:9.2f} {row['ratio']:7.2f} "
                f"{kl:8.4f} {100 * row['kl_excess']:+9.2f}% {knn:6.3f}",
                flush=True,
            )
    print("\n# targets (openTSNE seconds / synthscope seconds; synthscope KL vs openTSNE KL)")
    for case, (speedup, kl_excess) in TARGETS.items():
        ours = next((r for r in rows if r["case"] == case and r["method"] == "synthscope"), None)
        peer = next((r for r in rows if r["case"] == case and r["method"] == "openTSNE"), None)
        if ours is None or peer is None:
            continue
        got = peer["seconds"] / ours["seconds"]
        verdict = "met" if got >= speedup else "MISSED"
        line = f"{case}: {got:.2f}x faster (target {speedup:g}x) {verdict}"
        if kl_excess is not None:
            excess = ours["kl"] / peer["kl"] - 1
            line += f"; KL {100 * excess:+.2f}% vs openTSNE (target <= +{100 * kl_excess:g}%)"
            line += " met" if excess <= kl_excess else " MISSED"
        print(line)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("tsne-quick.json" if args.quick else "tsne.json")
    # cases not run this time keep their rows (each row carries its own date and load)
    kept = json.loads(out.read_text())["rows"] if out.is_file() else []
    rows = [r for r in kept if r["case"] not in cases] + rows
    out.write_text(json.dumps({**machine(), "rows": rows}, indent=2))
    print(f"# wrote {out}")


if __name__ == "__main__":
    main()
