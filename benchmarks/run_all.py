"""Run every benchmark in turn: ``make bench`` (full sizes) or ``make bench BENCH_ARGS=--quick``.

Each benchmark measures synthscope against its peers in one process on the same data and prints
a table of ratios; this script only runs them one after another, so they never share the CPU.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (script, takes --quick)
BENCHMARKS = [
    ("ingest.py", False),
    ("png_decode.py", False),
    ("cluster.py", True),
    ("memory.py", True),
    ("phantom.py", True),
    ("tsne.py", True),
    ("realism.py", True),
    ("realism_calibration.py", True),
    ("spade.py", True),
    ("projector.py", True),
    ("neighbors.py", True),
    ("extractors_speed.py", True),
    ("encoder.py", True),
    ("features.py", True),
    ("features_null_pool.py", True),
    ("utility.py", True),
]


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    failed = []
    for script, has_quick in BENCHMARKS:
        args = [sys.executable, str(HERE / script)]
        if quick:
            args += ["--quick"] if has_quick else ["--n", "600", "--repeats", "2"]
        print(f"\n=== {script} {' '.join(args[2:])}", flush=True)
        started = time.perf_counter()
        if subprocess.run(args).returncode != 0:
            failed.append(script)
        print(f"=== {script}: {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
