"""One self-contained HTML page for a utility study: the verdict, a plot of every arm with its
interval, the paired differences, and the tables (the realism report's house style)."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from synthscope.realism._html import _figure, _svg_open, html_table, render_page

if TYPE_CHECKING:
    from synthscope.utility._result import UtilityResult

__all__ = ["render_html"]

_COLOURS = {
    "real": "#1f77b4",
    "generated": "#7f7f7f",
    "curated": "#2ca02c",
    "top": "#9467bd",
    "random": "#ff7f0e",
    "tstr": "#d62728",
}


def _fmt(value: float, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.3f}" if sign else f"{value:.3f}"


def _span(values: list[float], reference: float | None) -> tuple[float, float]:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if reference is not None and math.isfinite(reference):
        finite.append(reference)
    if not finite:
        return (0.0, 1.0)
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-6:
        lo, hi = lo - 0.05, hi + 0.05
    pad = 0.08 * (hi - lo)
    return (lo - pad, hi + pad)


def _interval_plot(
    rows: list[tuple[str, float, tuple[float, float], tuple[float, ...], str]],
    *,
    reference: float | None,
    width: int = 640,
) -> str:
    """One row per item: dots for the runs, a bar for the interval, a diamond for the mean;
    a dashed vertical line at ``reference``."""
    left, right, top, row_h = 170, 16, 10, 26
    height = top + row_h * len(rows) + 26
    values = [v for _, m, ci, runs, _ in rows for v in (m, *ci, *runs)]
    lo, hi = _span(values, reference)
    plot_w = width - left - right

    def sx(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    out = [_svg_open(width, height)]
    bottom = top + row_h * len(rows)
    for i, (label, mean, ci, runs, colour) in enumerate(rows):
        y = top + row_h * i + row_h / 2
        out.append(f"<text x='{left - 8}' y='{y + 4:.1f}' text-anchor='end'>{escape(label)}</text>")
        if all(math.isfinite(v) for v in ci):
            out.append(
                f"<line x1='{sx(ci[0]):.1f}' y1='{y:.1f}' x2='{sx(ci[1]):.1f}' y2='{y:.1f}' "
                f"stroke='{colour}' stroke-width='3'/>"
            )
        for v in runs:
            if math.isfinite(v):
                out.append(
                    f"<circle cx='{sx(v):.1f}' cy='{y - 7:.1f}' r='2.5' fill='#888' "
                    "fill-opacity='0.8'/>"
                )
        if math.isfinite(mean):
            x = sx(mean)
            out.append(
                f"<path d='M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} "
                f"L{x - 5:.1f},{y:.1f} Z' fill='{colour}' stroke='#222'/>"
            )
    out.append(
        f"<line x1='{left}' y1='{bottom}' x2='{width - right}' y2='{bottom}' stroke='#333'/>"
    )
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        out.append(f"<text x='{sx(v):.1f}' y='{bottom + 16}' text-anchor='middle'>{v:.3f}</text>")
    if reference is not None and math.isfinite(reference):
        xr = sx(reference)
        out.append(
            f"<line x1='{xr:.1f}' y1='{top}' x2='{xr:.1f}' y2='{bottom}' stroke='#000' "
            "stroke-dasharray='4 3'/>"
        )
    out.append("</svg>")
    return "".join(out)


def render_html(result: UtilityResult, *, title: str = "synthscope utility report") -> str:
    """The whole report as one HTML page with everything inline."""
    metric = result.metric_label
    split = result.split
    params = result.parameters
    real = next((a for a in result.arms if a.name == "real"), None)
    arm_rows = [(a.name, a.mean, a.ci, a.runs, _COLOURS.get(a.kind, "#444")) for a in result.arms]
    diff_rows = [
        (
            f"{c.arm} − {c.baseline}",
            c.difference,
            c.ci,
            (),
            {1: "#2ca02c", -1: "#d62728", 0: "#7f7f7f"}[c.direction],
        )
        for c in result.comparisons
    ]
    split_text = (
        f"{split.get('n_train_real', '?')} real training images"
        + (f" from {len(split['train_groups'])} groups" if "train_groups" in split else "")
        + f"; {split.get('n_test', '?')} real test images from "
        f"{len(split.get('test_groups', []))} held-out groups ("
        + ", ".join(escape(str(g)) for g in split.get("test_groups", [])[:12])
        + (", …" if len(split.get("test_groups", [])) > 12 else "")
        + ")"
        + (
            f"; split stored in <code>{escape(str(split['path']))}</code>"
            if "path" in split
            else ""
        )
        + "."
    )
    arms_table = html_table(
        ["arm", "training images (real + generated)", metric, "95 % interval", "runs"],
        [
            [
                a.name,
                f"{a.n_train} ({a.n_real} + {a.n_generated})",
                _fmt(a.mean),
                f"[{_fmt(a.ci[0])}, {_fmt(a.ci[1])}]",
                " ".join(_fmt(v) for v in a.runs),
            ]
            for a in result.arms
        ],
    )
    comparisons_table = html_table(
        ["arm", "against", "difference", "95 % interval", "p-value"],
        [
            [
                c.arm,
                c.baseline,
                _fmt(c.difference, sign=True),
                f"[{_fmt(c.ci[0], True)}, {_fmt(c.ci[1], True)}]",
                "n/a" if not math.isfinite(c.p_value) else f"{c.p_value:.3g}",
            ]
            for c in result.comparisons
        ],
    )
    per_class = ""
    names = list(dict.fromkeys(k for a in result.arms for k in a.per_class))
    if names:
        per_class = "<h2>Per class</h2>" + html_table(
            ["arm", *names],
            [[a.name, *(_fmt(a.per_class.get(k)) for k in names)] for a in result.arms],
        )
    secondary = ""
    extra = list(dict.fromkeys(k for a in result.arms for k in a.secondary))
    for key in extra:
        secondary += f"<h2>{escape(key.upper())}</h2>" + html_table(
            ["arm", key.upper(), "95 % interval"],
            [
                [
                    a.name,
                    _fmt(a.secondary[key]["mean"]),
                    f"[{_fmt(a.secondary[key]['ci'][0])}, {_fmt(a.secondary[key]['ci'][1])}]",
                ]
                for a in result.arms
                if key in a.secondary
            ],
        )
    parts = [
        f"<p class='verdict'>{escape(result.verdict)}</p>",
        "<ul>",
        *(f"<li>{escape(line)}</li>" for line in result.evidence),
        *(f"<li class='small'>{escape(line)}</li>" for line in result.notes),
        "</ul>",
        f"<p class='small'>Task: {escape(result.task)}; metric: {escape(metric)} on held-out real "
        f"groups. {split_text} Every arm trained {params.get('steps')} steps of "
        f"{params.get('batch_size')} images ({params.get('repeats')} repeats, seed "
        f"{result.seeds.get('seed')}).</p>",
        "<h2>Arms</h2>",
        _figure(
            _interval_plot(arm_rows, reference=real.mean if real else None),
            f"{metric} of each arm: diamond = mean over repeats, bar = 95 % interval (bootstrap "
            "over test groups and repeats), grey dots = single repeats; dashed line = the real "
            "arm.",
        ),
        arms_table,
        "<h2>Paired differences</h2>",
        _figure(
            _interval_plot(diff_rows, reference=0.0),
            "Differences, paired over repeats and test groups; dashed line = no difference. "
            "Green: the interval lies above zero and every repeat rose; red: below, every repeat "
            "fell.",
        ),
        comparisons_table,
        per_class,
        secondary,
        "<h2>How this was measured</h2>",
        "<p class='small'>Each arm trains a fresh network from the same initial weights per "
        "repeat, for the same number of gradient steps with the same batch size, so a larger "
        "training set does not train longer. Intervals and p-values come from a crossed "
        "bootstrap: test groups and repeats are drawn with replacement, and every arm is "
        "recomputed on the same draws, which pairs the differences. The random arm draws a new "
        "random subset of generated images in every repeat: it is the control any curation "
        "must beat.</p>",
    ]
    return render_page(title, parts)
