"""Where benchmark results go: ``benchmarks/results/<name>.json``, committed, with the machine.

Every result records what it ran on (CPU model, cores the process may use, memory), the load
average before and after (the machines are shared: a figure without its load is not a figure),
the synthscope commit, and when. Docs quote figures by naming the file they come from.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

__all__ = ["RESULTS", "machine", "write_result"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=RESULTS.parent,
            timeout=10,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy it was (1-minute load average)."""
    return {
        "cpu": _cpu_model(),
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "load_average": round(os.getloadavg()[0], 2),
    }


def write_result(
    name: str, payload: dict[str, Any], *, started: dict[str, Any] | None = None
) -> Path:
    """Write ``payload`` to ``results/<name>.json`` with the machine before (``started``) and after."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    after = machine()
    record = {
        "benchmark": name,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "commit": _commit(),
        "machine": {**after, "load_average_before": (started or after)["load_average"]},
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
    return path
