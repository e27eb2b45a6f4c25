"""The demo's chain of steps, each skipped when its inputs have not changed since it last ran.

Every step has a key: a hash of the plan, the step's own inputs and the keys of the steps before
it. ``DIR/demo-steps.json`` records the key of each finished step; a step whose key differs (or
whose output is gone) is run again after its outputs are removed, and so is every step after it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from synthscope._files import write_text_atomic
from synthscope._progress import ProgressCallback

__all__ = ["StepLog", "StepReporter", "StepRunner"]

MARKERS = "demo-steps.json"


class StepReporter(Protocol):
    """Whoever shows the demo's progress (the CLI draws bars; tests collect names)."""

    def begin(self, step: str, description: str) -> ProgressCallback: ...

    def end(self, step: str, seconds: float, skipped: bool) -> None: ...


class SilentReporter:
    def begin(self, step: str, description: str) -> ProgressCallback:
        return lambda done, total: None

    def end(self, step: str, seconds: float, skipped: bool) -> None:
        pass


@dataclass
class StepLog:
    """What one step did: its name, whether it was reused, and how long it took."""

    name: str
    skipped: bool
    seconds: float


@dataclass
class StepRunner:
    workdir: Path
    plan: dict[str, Any]
    reporter: StepReporter = field(default_factory=SilentReporter)
    log: list[StepLog] = field(default_factory=list)
    _previous: str = ""

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / MARKERS
        self._markers: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}

    def run(
        self,
        name: str,
        description: str,
        work: Callable[[ProgressCallback], object],
        *,
        outputs: tuple[Path, ...] = (),
        inputs: dict[str, Any] | None = None,
    ) -> bool:
        """Run ``work`` unless it already ran with the same key; returns True when it ran."""
        key = hashlib.sha256(
            json.dumps(
                {"plan": self.plan, "step": name, "inputs": inputs or {}, "after": self._previous},
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()[:16]
        self._previous = key
        done = self._markers.get(name) == key and all(path.exists() for path in outputs)
        started = time.perf_counter()
        if not done:
            self._markers.pop(name, None)
            self._save()
            for path in outputs:
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
            work(self.reporter.begin(name, description))
            self._markers[name] = key
            self._save()
        seconds = time.perf_counter() - started
        self.reporter.end(name, seconds, skipped=done)
        self.log.append(StepLog(name, done, seconds))
        return not done

    def _save(self) -> None:
        write_text_atomic(self.workdir / MARKERS, json.dumps(self._markers, indent=2))
