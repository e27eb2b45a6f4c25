"""One self-contained HTML page for a realism report: inline SVG plots and base64 thumbnails."""

from __future__ import annotations

import base64
import io
from html import escape
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from synthscope.realism._report import RealismReport

_REAL = "#1f77b4"
_FAKE = "#d62728"
_NULL = "#999999"

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.4}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
.verdict{font-size:1.15em;padding:.8em 1em;background:#f5f5f0;border-left:5px solid #555}
table{border-collapse:collapse;margin:.5em 0} td,th{padding:.25em .8em;border-bottom:1px solid #eee;
text-align:right} th:first-child,td:first-child{text-align:left}
.plots{display:flex;flex-wrap:wrap;gap:1.2em} figure{margin:0} figcaption{font-size:.85em;color:#555}
.pair{display:inline-block;margin:.4em;text-align:center;font-size:.8em}
.pair img{width:96px;height:96px;image-rendering:pixelated;border:1px solid #ccc}
.small{font-size:.85em;color:#555}
.warning{padding:.6em 1em;background:#fff4e0;border-left:5px solid #d98c00}
"""


def render_page(title: str, body: list[str]) -> str:
    """A self-contained page around ``body`` (HTML fragments)."""
    return "\n".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            *(part for part in body if part),
            "</body></html>",
        ]
    )


def render_html(
    report: RealismReport,
    *,
    real_images: np.ndarray | None = None,
    fake_images: np.ndarray | None = None,
    title: str = "synthscope realism report",
) -> str:
    """Render ``report`` as one HTML page with everything inline."""
    return render_page(title, report_sections(report, real_images, fake_images))


def report_sections(
    report: RealismReport,
    real_images: np.ndarray | None = None,
    fake_images: np.ndarray | None = None,
) -> list[str]:
    """The HTML fragments of one report: summary, verdict, evidence, tests, metrics, scores."""
    nn, cl, mmd = report.one_nn, report.c2st, report.mmd
    fd, kd, pr, memo, sc = (
        report.frechet,
        report.kid,
        report.prdc,
        report.memorization,
        report.scores,
    )
    columns = (
        f" Stored as workspace columns <code>realism_c2st:{escape(report.feature)}</code> and "
        f"<code>realism_knn:{escape(report.feature)}</code>."
        if report.feature
        else ""
    )
    return [
        f"<p class='small'>{report.n_real} real and {report.n_fake} generated images, "
        f"{report.dimension} dimensions"
        + (f" ({escape(report.feature)})" if report.feature else "")
        + (f", {report.n_groups} groups" if report.n_groups else "")
        + f"; seed {report.parameters['seed']}.</p>",
        *(f"<p class='warning'>Warning: {escape(w)}</p>" for w in report.warnings),
        f"<p class='verdict'>{escape(report.verdict)}</p>",
        "<h2>Evidence</h2><ul>",
        *(f"<li>{escape(line)}</li>" for line in report.evidence),
        "</ul>",
        "<h2>Two-sample tests</h2>",
        f"<p class='small'>On {nn.n_components or report.dimension} principal components. "
        f"{escape(nn.permutation)}; {nn.n_permutations} permutations each.</p>",
        html_table(
            ["test", "value", "if indistinguishable", "p-value"],
            [
                ["1-NN accuracy", f"{nn.accuracy:.4f}", f"{nn.expected_null:.4f}", _p(nn.p_value)],
                ["1-NN accuracy, real", f"{nn.accuracy_real:.4f}", "", ""],
                ["1-NN accuracy, generated", f"{nn.accuracy_fake:.4f}", "", ""],
                ["classifier AUROC", f"{cl.auroc:.4f}", "0.5", _p(cl.p_value)],
                [
                    f"MMD² (Gaussian, σ = {mmd.bandwidth:.3g})",
                    f"{mmd.mmd2:.4g}",
                    "0",
                    _p(mmd.p_value),
                ],
            ],
        ),
        "<div class='plots'>",
        _figure(
            _bars(
                [
                    ("overall", nn.accuracy),
                    ("real", nn.accuracy_real),
                    ("generated", nn.accuracy_fake),
                ],
                reference=nn.expected_null,
            ),
            "1-NN accuracy per class; the dashed line is the value expected if indistinguishable.",
        ),
        _figure(
            _histogram([("null", nn.null_distribution, _NULL)], marker=nn.accuracy),
            "1-NN accuracy under permutations (grey) and observed (black line).",
        ),
        _figure(
            _histogram([("null", cl.null_distribution, _NULL)], marker=cl.auroc),
            "Classifier AUROC under permutations and observed.",
        ),
        _figure(
            _histogram([("null", mmd.null_distribution, _NULL)], marker=mmd.mmd2),
            "MMD² under permutations and observed.",
        ),
        "</div>",
        "<h2>Fidelity and diversity</h2>",
        f"<p class='small'>On all {report.dimension} dimensions.</p>",
        html_table(
            ["metric", "value", "if both sets came from one distribution"],
            [
                ["Fréchet distance", f"{fd.distance:.5g}", _opt(fd.expected_null, "{:.5g}")],
                [
                    f"KID (± sd over {kd.n_subsets} subsets of {kd.subset_size})",
                    f"{kd.kid:.4g} ± {kd.std:.2g}",
                    f"{kd.expected_null:.4g}",
                ],
                [
                    f"precision (k = {pr.k_precision_recall})",
                    f"{pr.precision:.4f}",
                    _opt(pr.precision_null, "{:.4f}"),
                ],
                [
                    f"recall (k = {pr.k_precision_recall})",
                    f"{pr.recall:.4f}",
                    _opt(pr.recall_null, "{:.4f}"),
                ],
                [
                    f"density (k = {pr.k_density_coverage})",
                    f"{pr.density:.4f}",
                    f"{pr.density_null:.4f}",
                ],
                [
                    f"coverage (k = {pr.k_density_coverage})",
                    f"{pr.coverage:.4f}",
                    f"{pr.coverage_null:.4f}",
                ],
            ],
        ),
        (f"<p class='small'>{escape(fd.warning)}</p>" if fd.warning else ""),
        "<h2>Realism score of each generated image</h2>",
        "<p class='small'>Classifier: out-of-fold probability of 'real'. Neighbours: share of real "
        f"images among the {sc.k} nearest ({sc.expected_null_knn:.2f} expected if "
        f"indistinguishable).{columns}</p><div class='plots'>",
        _figure(
            _histogram(
                [
                    ("real", cl.probability_real[: report.n_real], _REAL),
                    ("generated", sc.c2st_probability, _FAKE),
                ],
                marker=None,
                span=(0.0, 1.0),
            ),
            "Classifier probability of 'real': real images (blue), generated (red).",
        ),
        _figure(
            _histogram(
                [("generated", sc.knn_real_share, _FAKE)],
                marker=sc.expected_null_knn,
                span=(0.0, 1.0),
                bins=sc.k + 1,
            ),
            "Share of real neighbours of each generated image; line: value if indistinguishable.",
        ),
        "</div>",
        "<h2>Memorisation</h2>",
        f"<p>{memo.n_likely_copies} of {memo.n_fake} generated images are flagged as likely "
        f"copies (about {memo.expected_null_copies:.0f} expected by chance; "
        f"{memo.n_duplicates} exact duplicates). A generated image is flagged when its distance "
        "to its nearest real image, divided by that real image's own nearest-real distance, is "
        f"below {memo.threshold:.3g}, the {memo.quantile:.0%} quantile of the same ratio among "
        f"real images. Ratio below 1: {memo.share_ratio_below_one:.1%} of generated images, "
        f"{memo.share_ratio_below_one_real:.1%} of real images.</p>",
        _figure(
            _histogram(
                [
                    ("real", memo.real_reference_ratio, _REAL),
                    ("generated", memo.ratio, _FAKE),
                ],
                marker=memo.threshold,
            ),
            "Nearest-real distance ratio: real leave-one-out (blue), generated (red); line: copy "
            "threshold.",
        ),
        _pairs(report, real_images, fake_images),
    ]


def _p(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.3g}"


def _opt(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _svg_open(width: int, height: int) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' font-size='10' font-family='sans-serif'>"
    )


def _histogram(
    series: list[tuple[str, np.ndarray, str]],
    *,
    marker: float | None,
    span: tuple[float, float] | None = None,
    bins: int = 30,
    width: int = 330,
    height: int = 150,
) -> str:
    """Overlaid density histograms of each series, and a vertical marker line."""
    finite = [np.asarray(v, dtype=float)[np.isfinite(v)] for _, v, _ in series]
    pool = np.concatenate([v for v in finite if v.size] or [np.zeros(1)])
    if span is None:
        lo, hi = float(np.quantile(pool, 0.0)), float(np.quantile(pool, 0.99))
        if marker is not None and np.isfinite(marker):
            lo, hi = min(lo, marker), max(hi, marker)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        pad = 0.05 * (hi - lo)
        lo, hi = lo - pad, hi + pad
    else:
        lo, hi = span
    left, bottom, top = 30, height - 20, 8
    plot_w = width - left - 8

    def sx(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w

    edges = np.linspace(lo, hi, bins + 1)
    counts = [np.histogram(np.clip(v, lo, hi), bins=edges)[0] / max(v.size, 1) for v in finite]
    peak = max(float(c.max()) for c in counts) or 1.0
    out = [_svg_open(width, height)]
    for (_, _, colour), c in zip(series, counts, strict=True):
        for b, share in enumerate(c):
            if share <= 0:
                continue
            h = (bottom - top) * share / peak
            x0, x1 = sx(edges[b]), sx(edges[b + 1])
            out.append(
                f"<rect x='{x0:.1f}' y='{bottom - h:.1f}' width='{max(x1 - x0 - 0.5, 0.5):.1f}' "
                f"height='{h:.1f}' fill='{colour}' fill-opacity='0.55'/>"
            )
    out.append(f"<line x1='{left}' y1='{bottom}' x2='{width - 8}' y2='{bottom}' stroke='#333'/>")
    for v in (lo, (lo + hi) / 2, hi):
        out.append(f"<text x='{sx(v):.1f}' y='{height - 6}' text-anchor='middle'>{v:.3g}</text>")
    if marker is not None and np.isfinite(marker):
        xm = sx(marker)
        out.append(
            f"<line x1='{xm:.1f}' y1='{top}' x2='{xm:.1f}' y2='{bottom}' stroke='#000' "
            "stroke-width='2'/>"
        )
    out.append("</svg>")
    return "".join(out)


def _bars(
    items: list[tuple[str, float]], *, reference: float, width: int = 300, height: int = 150
) -> str:
    """Vertical bars on a 0..1 axis with a dashed reference line."""
    left, bottom, top = 30, height - 20, 8
    slot = (width - left - 8) / len(items)
    out = [_svg_open(width, height)]

    def sy(v: float) -> float:
        return bottom - (bottom - top) * min(max(v, 0.0), 1.0)

    for i, (label, value) in enumerate(items):
        x0 = left + i * slot + slot * 0.2
        out.append(
            f"<rect x='{x0:.1f}' y='{sy(value):.1f}' width='{slot * 0.6:.1f}' "
            f"height='{bottom - sy(value):.1f}' fill='{_FAKE if label == 'generated' else _REAL}'/>"
            f"<text x='{x0 + slot * 0.3:.1f}' y='{height - 6}' text-anchor='middle'>"
            f"{escape(label)}</text>"
            f"<text x='{x0 + slot * 0.3:.1f}' y='{sy(value) - 2:.1f}' text-anchor='middle'>"
            f"{value:.3f}</text>"
        )
    for v in (0.0, 0.5, 1.0):
        out.append(f"<text x='2' y='{sy(v) + 3:.1f}'>{v:.1f}</text>")
    out.append(
        f"<line x1='{left}' y1='{sy(reference):.1f}' x2='{width - 8}' y2='{sy(reference):.1f}' "
        "stroke='#000' stroke-dasharray='4 3'/></svg>"
    )
    return "".join(out)


def _png(image: np.ndarray) -> str:
    from PIL import Image

    array = np.asarray(image)
    if array.dtype != np.uint8:
        lo, hi = float(array.min()), float(array.max())
        array = ((array - lo) / ((hi - lo) or 1.0) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pairs(
    report: RealismReport, real_images: np.ndarray | None, fake_images: np.ndarray | None
) -> str:
    """The closest generated/real pairs, as thumbnails when images are given."""
    memo = report.memorization
    if not memo.closest:
        return ""
    rows = []
    for i in memo.closest:
        j = int(memo.nearest_real[i])
        caption = f"generated #{i} / real #{j}<br>ratio {memo.ratio[i]:.3g}" + (
            " <b>copy?</b>" if memo.likely_copy[i] else ""
        )
        if real_images is not None and fake_images is not None:
            rows.append(
                f"<div class='pair'><img src='{_png(fake_images[i])}' alt='generated {i}'>"
                f"<img src='{_png(real_images[j])}' alt='real {j}'><br>{caption}</div>"
            )
        else:
            rows.append(f"<div class='pair'>{caption}</div>")
    return "<h3>Closest pairs (generated left, nearest real right)</h3>" + "".join(rows)
