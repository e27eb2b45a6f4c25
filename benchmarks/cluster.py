"""Ingest in this process against a Dask LocalCluster on the same cores: overhead, scaling, memory.

    python benchmarks/cluster.py [--n 100000] [--size 128] [--workers 1 2] [--repeats 1]
                                 [--frames FOLDER]

Makes N phantom frames (or uses FOLDER, made by an earlier run), then ingests them into a new
workspace: in this process (threads on every core: the reference), and on ``local:W`` for each
W (W worker processes of one thread, started before the clock; the driver only writes). Each
ingest runs in a subprocess of its own, which reports its wall time, its peak resident memory
(``ru_maxrss``) and the largest worker's (sampled with psutil). Targets: ``local:2`` within
1.2x of in-process on the same cores, and 1 -> 2 workers faster. Results:
``benchmarks/results/cluster.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _results import machine, write_result  # noqa: E402


def _sample_children(peaks: dict[int, int], stop: threading.Event) -> None:
    import psutil

    me = psutil.Process()
    while not stop.wait(0.2):
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                peaks[child.pid] = max(peaks.get(child.pid, 0), child.memory_info().rss)


def child(mode: str, frames: Path, workspace: Path) -> dict:
    """One ingest in this process; ``mode`` is ``in-process`` or ``local:W``."""
    from synthscope.workspace import ingest, open_executor

    peaks: dict[int, int] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_children, args=(peaks, stop), daemon=True)
    sampler.start()
    with open_executor(None if mode == "in-process" else mode) as executor:
        started = time.perf_counter()
        report = ingest(workspace, [frames], cluster=executor)
        seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    return {
        "mode": mode,
        "seconds": round(seconds, 2),
        "points": report.n_points,
        "driver_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_rss_mib": round(max(peaks.values(), default=0) / 2**20),
    }


def run_child(mode: str, frames: Path, workspace: Path) -> dict:
    shutil.rmtree(workspace, ignore_errors=True)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--frames",
            str(frames),
            "--ws",
            str(workspace),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_average"] = round(os.getloadavg()[0], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--frames", type=Path, help="a folder made by an earlier run")
    parser.add_argument("--quick", action="store_true", help="2,000 frames")
    parser.add_argument(
        "--noise", action="store_true", help="speckle-like noise frames instead of the phantom's"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--ws", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.frames, args.ws)))
        return
    if args.quick:
        args.n = 2000

    from ingest import make_frames

    started_machine = machine()
    with tempfile.TemporaryDirectory() as tmp:
        frames = args.frames
        if frames is None:
            frames = Path(tmp) / "frames"
            began = time.perf_counter()
            make_frames(frames, args.n, args.size, phantom=not args.noise)
            print(
                f"made {args.n} {args.size}x{args.size} frames in {time.perf_counter() - began:.0f} s"
            )
        n_files = len(list(frames.rglob("*.png")))
        modes = ["in-process", *(f"local:{w}" for w in args.workers)]
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(args.repeats):  # interleaved, so drift in machine load hits all alike
            for mode in modes:
                result = run_child(mode, frames, Path(tmp) / "ws")
                runs[mode].append(result)
                print(json.dumps(result), flush=True)
    best = {mode: min(r["seconds"] for r in results) for mode, results in runs.items()}
    print(f"{'':12}{'best s':>10}{'frames/s':>10}{'x in-process':>14}")
    for mode, seconds in best.items():
        print(
            f"{mode:12}{seconds:10.1f}{n_files / seconds:10.0f}{seconds / best['in-process']:14.2f}"
        )
    summary = {mode: round(seconds / best["in-process"], 3) for mode, seconds in best.items()}
    if "local:1" in best and "local:2" in best:
        summary["scaling_1_to_2_workers"] = round(best["local:1"] / best["local:2"], 3)
    path = write_result(
        "cluster",
        {
            "frames": n_files,
            "frame_kind": "speckle-like noise" if args.noise else "IVUS phantom",
            "size": args.size,
            "repeats": args.repeats,
            "targets": {"local:2 / in-process": "<= 1.2"},
            "ratios": summary,
            "runs": runs,
        },
        started=started_machine,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
