"""Peak resident memory of ingest and embed at two sizes: it must not grow with the number of frames.

    python benchmarks/memory.py [--n 25000 100000] [--size 128] [--features pixels:32]
                                [--frames FOLDER ...] [--src PATH]

For each size, makes that many phantom frames (or uses the FOLDERs given, smallest first), then
in a fresh subprocess each: ingests them into a new workspace (in this process's threads), and
embeds ``--features`` into it; each subprocess reports its peak resident memory
(``VmHWM``), the figure the kernel would have to find. ``--src`` measures another checkout
(``--src /path/to/old/src``) the same way, for comparison. Results:
``benchmarks/results/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _results import machine, write_result  # noqa: E402


def _high_water_mib() -> int:
    """This process's peak resident memory (VmHWM). Not ``ru_maxrss``: Linux carries that over
    an exec from the forking parent, so a child would report at least the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def child(step: str, frames: Path, workspace: Path, features: str) -> dict:
    before = _high_water_mib()
    started = time.perf_counter()
    if step == "ingest":
        from synthscope.workspace import ingest

        ingest(workspace, [frames])
    else:
        from synthscope.workspace import Workspace, embed

        with Workspace.open(workspace) as ws:
            embed(ws, features)
    return {
        "step": step,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mib": _high_water_mib(),
        "rss_after_imports_mib": before,
    }


def run_child(step: str, frames: Path, workspace: Path, features: str, src: Path | None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, "--frames", str(frames), "--ws",
         str(workspace), "--features", features],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"{step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--features", default="pixels:32")
    parser.add_argument("--frames", type=Path, nargs="+", help="folders made by an earlier run")
    parser.add_argument("--src", type=Path, help="measure another checkout's src/ too")
    parser.add_argument("--quick", action="store_true", help="1,000 and 4,000 frames")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--ws", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.frames[0], args.ws, args.features)))
        return
    if args.quick:
        args.n = [1000, 4000]

    from ingest import make_frames

    started_machine = machine()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folders = args.frames or []
        if not folders:
            for n in args.n:
                folder = Path(tmp) / f"frames{n}"
                make_frames(folder, n, args.size)
                folders.append(folder)
        sources = {"this checkout": None, **({str(args.src): args.src} if args.src else {})}
        for folder in folders:
            n = len(list((folder / "images").glob("*.png")))
            for label, src in sources.items():
                workspace = Path(tmp) / "ws"
                shutil.rmtree(workspace, ignore_errors=True)
                for step in ("ingest", "embed"):
                    result = run_child(step, folder, workspace, args.features, src)
                    row = {
                        "frames": n,
                        "code": label,
                        **result,
                        "load": round(os.getloadavg()[0], 2),
                    }
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    print(f"{'frames':>8} {'code':>28} {'step':>7} {'peak MiB':>9} {'s':>7}")
    for row in rows:
        print(
            f"{row['frames']:8} {row['code'][-28:]:>28} {row['step']:>7} {row['peak_rss_mib']:9} {row['seconds']:7}"
        )
    path = write_result(
        "memory",
        {"size": args.size, "features": args.features, "runs": rows},
        started=started_machine,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
