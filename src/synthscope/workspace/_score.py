"""Run the realism report on a workspace's points and store per-image scores as columns.

:mod:`synthscope.realism` works on arrays only; this module reads the workspace (sources, groups,
vectors, thumbnails), calls it, and writes what it returns back (score columns and the JSON
report, whose place the workspace owns).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._progress import ProgressCallback
from synthscope.errors import InputError, WorkspaceError
from synthscope.realism import MIN_POINTS, RealismReport, realism_report
from synthscope.workspace._store import Workspace

__all__ = ["SCORE_COLUMNS", "score_workspace"]

logger = logging.getLogger(__name__)

#: Columns written for every point (NaN for real images).
SCORE_COLUMNS = (
    "realism_c2st",
    "realism_knn",
    "nearest_real_id",
    "nearest_real_ratio",
    "likely_copy",
)


def score_workspace(
    ws: Workspace | str | Path,
    feature: str = "pixels64",
    *,
    n_components: int | None = 50,
    n_permutations: int = 200,
    seed: int = 0,
    store: bool = True,
    json_path: str | Path | None = None,
    html_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> RealismReport:
    """Compare the workspace's real and generated points on ``feature``.

    Parameters
    ----------
    ws
        An open :class:`~synthscope.workspace.Workspace` or its folder.
    feature
        Name of the stored feature (``ws.features()``).
    n_components, n_permutations, seed
        As in :func:`~synthscope.realism.realism_report`.
    store
        Write the per-image columns (:data:`SCORE_COLUMNS`) and ``realism.json`` into the
        workspace.
    json_path, html_path
        Also write the JSON report and the HTML page there.
    progress
        ``(done, total)`` callback over the report's steps.
    **options
        Passed on to :func:`~synthscope.realism.realism_report`.
    """
    if not isinstance(ws, Workspace):
        with Workspace.open(ws) as opened:
            return score_workspace(
                opened,
                feature,
                n_components=n_components,
                n_permutations=n_permutations,
                seed=seed,
                store=store,
                json_path=json_path,
                html_path=html_path,
                progress=progress,
                **options,
            )
    source = ws.column("source")
    real_ids = np.flatnonzero(source == "real")
    fake_ids = np.flatnonzero(source == "fake")
    for name, ids, flag in (("real", real_ids, "--real"), ("fake", fake_ids, "--fake")):
        if ids.size == 0:
            raise WorkspaceError(
                f"{ws.path}: no '{name}' points (source column); add some with "
                f"`synthscope ingest {ws.path} {flag} DIR`"
            )
        if ids.size < MIN_POINTS:
            raise WorkspaceError(
                f"{ws.path}: only {ids.size} '{name}' points; the realism tests need at least "
                f"{MIN_POINTS} of each"
            )
    vectors = np.asarray(ws.vectors(feature), dtype=np.float64)
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        raise InputError(
            ws.vectors_file(feature),
            f"point {int(np.flatnonzero(bad)[0])} has NaN or infinite values "
            f"({int(bad.sum())} points in all); recompute the feature",
            row=int(np.flatnonzero(bad)[0]),
        )
    groups = None
    if "group" in ws.columns():
        column = ws.column("group")
        groups = [column[i] for i in np.concatenate([real_ids, fake_ids])]
        if all(g is None for g in groups):
            groups = None
    report = realism_report(
        vectors[real_ids],
        vectors[fake_ids],
        groups,
        n_components=n_components,
        n_permutations=n_permutations,
        feature=feature,
        seed=seed,
        progress=progress,
        **options,
    )
    report = dataclasses.replace(report, real_ids=real_ids, fake_ids=fake_ids)
    if store:
        _store_columns(ws, report, real_ids, fake_ids)
        report.to_json(ws.realism_report_path())
    if json_path is not None:
        report.to_json(json_path)
    if html_path is not None:
        thumbs = ws.thumbnails()
        have = thumbs.shape[0] == ws.n_points
        report.to_html(
            html_path,
            real_images=np.asarray(thumbs[real_ids]) if have else None,
            fake_images=np.asarray(thumbs[fake_ids]) if have else None,
            title=f"synthscope realism report: {ws.path.name} ({feature})",
        )
    return report


def _store_columns(
    ws: Workspace, report: RealismReport, real_ids: np.ndarray, fake_ids: np.ndarray
) -> None:
    memo, scores = report.memorization, report.scores
    values = {
        "realism_c2st": scores.c2st_probability,
        "realism_knn": scores.knn_real_share,
        "nearest_real_id": np.where(
            memo.nearest_real >= 0, real_ids[np.maximum(memo.nearest_real, 0)], np.nan
        ),
        "nearest_real_ratio": np.where(np.isfinite(memo.ratio), memo.ratio, np.nan),
        "likely_copy": memo.likely_copy.astype(np.float64),
    }
    for name in SCORE_COLUMNS:
        column = np.full(ws.n_points, np.nan)
        column[fake_ids] = values[name]
        ws.set_column(name, column, kind="real")
    logger.info("stored columns %s for %d generated points", SCORE_COLUMNS, fake_ids.size)
