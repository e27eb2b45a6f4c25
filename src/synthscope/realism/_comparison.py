"""Realism in several feature spaces side by side: one table, one line of agreement.

A generator can pass in one space and fail in another (raw pixels miss speckle that texture
statistics see); the comparison puts every space's tests on one row so the difference shows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._files import write_text_atomic
from synthscope.realism._report import RealismReport

__all__ = ["RealismComparison", "compare_reports"]

_HEADER = (
    "feature",
    "dims",
    "1-NN acc",
    "p",
    "C2ST AUROC",
    "p",
    "MMD²",
    "p",
    "FD (null)",
    "KID (null)",
)


def _distinguishable(report: RealismReport) -> bool:
    return any(r.p_value <= report.alpha for r in (report.one_nn, report.c2st, report.mmd))


def _fmt_p(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


@dataclass(frozen=True)
class RealismComparison:
    """The reports of several feature spaces for one real and one generated set."""

    reports: dict[str, RealismReport]

    def rows(self) -> list[list[str]]:
        """One row per feature: the tests with p-values, FD and KID beside their null values."""
        out = []
        for name, r in self.reports.items():
            fd_null = "" if r.frechet.expected_null is None else f" ({r.frechet.expected_null:.3g})"
            out.append(
                [
                    name,
                    str(r.dimension),
                    f"{r.one_nn.accuracy:.3f}",
                    _fmt_p(r.one_nn.p_value),
                    f"{r.c2st.auroc:.3f}",
                    _fmt_p(r.c2st.p_value),
                    f"{r.mmd.mmd2:.3g}",
                    _fmt_p(r.mmd.p_value),
                    f"{r.frechet.distance:.3g}{fd_null}",
                    f"{r.kid.kid:.3g} ({r.kid.expected_null:.2g})",
                ]
            )
        return out

    def agreement(self) -> str:
        """``pixels64: not distinguishable; texture: distinguishable, AUROC 0.93``."""
        parts = []
        for name, r in self.reports.items():
            if _distinguishable(r):
                parts.append(f"{name}: distinguishable, AUROC {r.c2st.auroc:.2f}")
            else:
                parts.append(f"{name}: not distinguishable")
        return "; ".join(parts)

    def headline(self) -> str:
        """Whether the spaces agree, in one sentence."""
        verdicts = {_distinguishable(r) for r in self.reports.values()}
        if verdicts == {True}:
            return "Every feature space tells the generated images from the real ones."
        if verdicts == {False}:
            return "No feature space tells the generated images from the real ones."
        seen = [n for n, r in self.reports.items() if _distinguishable(r)]
        return (
            "The feature spaces disagree: only "
            + ", ".join(seen)
            + " tell the generated images from the real ones; the others miss what they see."
        )

    def table(self) -> str:
        """The side-by-side table as aligned plain text (what the command line prints)."""
        rows = [list(_HEADER), *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
        lines = []
        for k, row in enumerate(rows):
            cells = [
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  ".join(cells).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The reports' warnings (trivial cues), each once."""
        return tuple(dict.fromkeys(w for r in self.reports.values() for w in r.warnings))

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        """The table, the agreement and every feature's report (only its name unless ``full``)."""
        return {
            "warnings": list(self.warnings),
            "headline": self.headline(),
            "agreement": self.agreement(),
            "columns": list(_HEADER),
            "table": self.rows(),
            "table_text": self.table(),
            "features": (
                {name: report.to_dict() for name, report in self.reports.items()}
                if full
                else list(self.reports)
            ),
        }

    def to_json(self, path: str | Path | None = None, *, full: bool = True) -> str:
        text = json.dumps(self.to_dict(full=full), indent=1, allow_nan=False, default=str)
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_html(
        self,
        path: str | Path | None = None,
        *,
        real_images: np.ndarray | None = None,
        fake_images: np.ndarray | None = None,
        title: str = "synthscope realism report",
    ) -> str:
        """One page: the side-by-side table first, then each feature's report."""
        from synthscope.realism._html import html_table, render_page, report_sections

        body = [
            *(f"<p class='warning'>Warning: {escape(w)}</p>" for w in self.warnings),
            f"<p class='verdict'>{escape(self.headline())}<br>{escape(self.agreement())}</p>",
            html_table(list(_HEADER), self.rows()),
        ]
        for name, report in self.reports.items():
            body.append(f"<h2 id='{escape(name)}'>{escape(name)}</h2>")
            body.extend(report_sections(report, real_images, fake_images))
        text = render_page(title, body)
        if path is not None:
            write_text_atomic(path, text)
        return text


def compare_reports(reports: Mapping[str, RealismReport]) -> RealismComparison:
    """Put the reports of several feature spaces (same real and generated sets) side by side."""
    return RealismComparison(dict(reports))
