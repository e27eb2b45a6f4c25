"""One million points in 2-D, end to end: vectors on disk, PCA-50, neighbours, FFT t-SNE.

    python benchmarks/million.py [--n 1000000] [--dims-in 512] [--iterations 1000]

Writes ``n`` synthetic vectors of ``dims-in`` float32 columns to a ``.npy`` file a block at a
time (the 40 curved Gaussian clusters of ``tsne.py``'s ``blobs``, lifted into ``dims-in``
dimensions by a random orthonormal map plus isotropic noise), then, in a fresh subprocess that
memory-maps that file, runs ``synthscope.projection.tsne(X, dims=2, pca_dims=50)``: the input
check and the PCA read the file a block of rows at a time (the vectors are never loaded whole
once they pass ``IN_MEMORY_PCA_BYTES``), the neighbours come from the approximate search, and
the gradient from the FFT engine. Reported: the time of each stage (from ``tsne``'s log lines,
time stamped as they come), the total, the subprocess's peak resident memory (VmHWM, which counts
the mapped file's cached pages) and its peak anonymous memory (``RssAnon``, sampled: what the
process itself holds) against the size of the vectors on disk, the FFT engine's KL estimate, and 10-NN preservation of 2,000
points within a 200,000-point subsample. Results: ``benchmarks/results/million.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _results import machine, write_result  # noqa: E402
from memory import _high_water_mib  # noqa: E402
from tsne import blobs, knn_preservation  # noqa: E402

BLOCK = 100_000  # rows written per block


def write_vectors(path: Path, n: int, dims_in: int, seed: int = 0) -> None:
    """``n`` x ``dims_in`` float32 vectors, written a block at a time."""
    low = blobs(n, d=50, seed=seed)  # 50-d structure, n x 50 float32 (200 MB at 1M)
    rng = np.random.default_rng(seed + 1)
    lift, _ = np.linalg.qr(rng.normal(size=(dims_in, 50)))  # orthonormal columns
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, dims_in))
    for start in range(0, n, BLOCK):
        block = low[start : start + BLOCK] @ lift.T.astype(np.float32)
        block += rng.normal(scale=0.5, size=block.shape).astype(np.float32)
        out[start : start + BLOCK] = block
    out.flush()
    del out


class _MemorySampler(threading.Thread):
    """Peak anonymous resident memory (``RssAnon``), sampled every 0.2 s. VmHWM alone would count
    the memory-mapped vector file's pages, which are page cache the kernel can drop."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_anon_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    self.peak_anon_kib = max(self.peak_anon_kib, int(line.split()[1]))


class _StageClock(logging.Handler):
    """Time stamps of the log lines the projection writes as it goes."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.events: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append((time.perf_counter(), record.getMessage()))


def child(path: Path, iterations: int) -> dict:
    from synthscope.projection import tsne

    X = np.load(path, mmap_mode="r")
    clock = _StageClock()
    logging.getLogger("synthscope").addHandler(clock)
    logging.getLogger("synthscope").setLevel(logging.INFO)
    marks: dict[str, float] = {}

    def callback(iteration: int, embedding: np.ndarray, kl: float | None) -> bool:
        marks.setdefault("first_iterations", time.perf_counter())
        if iteration % 100 == 0:
            print(f"  iteration {iteration}: {time.perf_counter() - started:.0f} s", flush=True)
        return False

    sampler = _MemorySampler()
    sampler.start()
    started = time.perf_counter()
    result = tsne(X, dims=2, pca_dims=50, iterations=iterations, seed=0, callback=callback)
    total = time.perf_counter() - started
    sampler.stop.set()
    peak = _high_water_mib()
    # quality on the 50 principal components (the input the embedding was made from)
    from synthscope._pca import principal_components

    sample = np.random.default_rng(0).choice(
        X.shape[0], size=min(200_000, X.shape[0]), replace=False
    )
    sample.sort()
    reduced, _ = principal_components(np.asarray(X[sample]), 50, seed=0)
    preservation = knn_preservation(reduced, result.embedding[sample])
    return {
        "seconds_total": round(total, 1),
        "seconds_before_first_iterations": round(marks["first_iterations"] - started, 1),
        "log": [[round(t - started, 1), message] for t, message in clock.events],
        "peak_resident_mib": peak,
        "peak_anonymous_resident_mib": round(sampler.peak_anon_kib / 1024),
        "engine": result.params["engine"],
        "kl_estimate": round(result.kl, 4),
        "knn10_preservation_sample": round(preservation, 3),
        "knn10_preservation_note": (
            "10-NN preservation of 2,000 points within a 200,000-point subsample (PCA-50 of the"
            " subsample vs the embedding restricted to it)"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dims-in", type=int, default=512)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.iterations)), flush=True)
        return
    before = machine()
    with tempfile.TemporaryDirectory(prefix="synthscope-million-") as tmp:
        path = Path(tmp) / "vectors.npy"
        started = time.perf_counter()
        write_vectors(path, args.n, args.dims_in)
        written = time.perf_counter() - started
        size_mib = round(os.path.getsize(path) / 2**20)
        print(f"{args.n} x {args.dims_in} vectors: {size_mib} MiB in {written:.0f} s", flush=True)
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(path), "--iterations", str(args.iterations)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            sys.exit(f"the projection subprocess failed:\n{run.stderr[-4000:]}")
        print(run.stdout.rsplit("\n", 2)[0][-2000:])
        measured = json.loads(run.stdout.strip().splitlines()[-1])
    result = {
        "settings": {
            "n": args.n,
            "dims_in": args.dims_in,
            "pca_dims": 50,
            "dims": 2,
            "iterations": args.iterations,
            "perplexity": 30,
        },
        "vectors_mib_on_disk": size_mib,
        **measured,
    }
    write_result("million", result, started=before)
    print(json.dumps({k: v for k, v in result.items() if k != "log"}, indent=1))


if __name__ == "__main__":
    main()
