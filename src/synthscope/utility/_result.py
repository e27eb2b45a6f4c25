"""What a utility study returns: one frozen result per arm, per comparison, and for the study."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthscope._files import write_text_atomic

__all__ = ["ArmResult", "Comparison", "UtilityResult"]


def _num(value: float) -> float | None:
    """JSON has no NaN: an undefined number is null."""
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def _pair(values: tuple[float, float]) -> list[float | None]:
    return [_num(values[0]), _num(values[1])]


@dataclass(frozen=True)
class ArmResult:
    """One arm: how it was trained and what it scored on the real test groups.

    ``mean`` is the mean over repeats of the metric on the whole test set, ``runs`` the value of
    each repeat, ``ci`` the bootstrap interval (see :mod:`synthscope.utility._bootstrap`).
    ``per_class`` holds the mean over repeats per class (Dice) and ``secondary`` other metrics
    (AUROC for classification) with their own mean, interval and runs.
    """

    name: str
    kind: str
    n_train: int
    n_real: int
    n_generated: int
    mean: float
    ci: tuple[float, float]
    runs: tuple[float, ...]
    per_class: dict[str, float] = field(default_factory=dict)
    secondary: dict[str, dict[str, Any]] = field(default_factory=dict)
    score: str | None = None
    control: str | None = None
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "n_train": self.n_train,
            "n_real": self.n_real,
            "n_generated": self.n_generated,
            "mean": _num(self.mean),
            "ci": _pair(self.ci),
            "runs": [_num(v) for v in self.runs],
        }
        if self.per_class:
            out["per_class"] = {k: _num(v) for k, v in self.per_class.items()}
        if self.secondary:
            out["secondary"] = {
                name: {
                    "mean": _num(item["mean"]),
                    "ci": _pair(item["ci"]),
                    "runs": [_num(v) for v in item["runs"]],
                }
                for name, item in self.secondary.items()
            }
        if self.score is not None:
            out["score"] = self.score
        if self.control is not None:
            out["control"] = self.control
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Comparison:
    """``arm`` minus ``baseline`` on the primary metric, paired over repeats and test groups.

    ``runs`` holds the difference of each repeat on the whole test set.
    """

    arm: str
    baseline: str
    difference: float
    ci: tuple[float, float]
    p_value: float
    n_repeats: int
    n_groups: int
    runs: tuple[float, ...] = ()

    @property
    def direction(self) -> int:
        """+1 (a rise) or -1 (a fall) when the interval excludes zero *and* every repeat moved
        the same way; 0 otherwise, and always with a single repeat. A bootstrap over three
        repeats sees training randomness only roughly (the mean of three draws lies outside
        their range a quarter of the time), so the repeats must also agree."""
        if len(self.runs) < 2:
            return 0
        if self.ci[0] > 0 and all(v > 0 for v in self.runs):
            return 1
        if self.ci[1] < 0 and all(v < 0 for v in self.runs):
            return -1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "arm": self.arm,
            "baseline": self.baseline,
            "difference": _num(self.difference),
            "ci": _pair(self.ci),
            "p_value": _num(self.p_value),
            "runs": [_num(v) for v in self.runs],
            "direction": self.direction,
            "paired_units": {"repeats": self.n_repeats, "test_groups": self.n_groups},
        }


@dataclass(frozen=True)
class UtilityResult:
    """The whole study: arms, comparisons, the verdict, and everything needed to rerun it.

    Timings (``seconds``) are kept out of :meth:`to_dict`, so the same inputs and seeds give the
    same bytes.
    """

    task: str
    metric: str
    metric_label: str
    arms: tuple[ArmResult, ...]
    comparisons: tuple[Comparison, ...]
    verdict: str
    evidence: tuple[str, ...]
    split: dict[str, Any]
    parameters: dict[str, Any]
    seeds: dict[str, Any]
    class_names: tuple[str, ...]
    notes: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    def arm(self, name: str) -> ArmResult:
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise KeyError(name)

    def comparison(self, arm: str, baseline: str) -> Comparison:
        for item in self.comparisons:
            if item.arm == arm and item.baseline == baseline:
                return item
        raise KeyError((arm, baseline))

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "metric": self.metric,
            "metric_label": self.metric_label,
            "verdict": self.verdict,
            "evidence": list(self.evidence),
            "notes": list(self.notes),
            "split": self.split,
            "arms": [arm.to_dict() for arm in self.arms],
            "comparisons": [item.to_dict() for item in self.comparisons],
            "class_names": list(self.class_names),
            "parameters": self.parameters,
            "seeds": self.seeds,
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def to_html(self, path: str | Path, *, title: str = "synthscope utility report") -> Path:
        from synthscope.utility._html import render_html

        path = Path(path)
        write_text_atomic(path, render_html(self, title=title))
        return path
