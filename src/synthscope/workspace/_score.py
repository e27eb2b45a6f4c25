"""Run the realism report on a workspace's points, in one or several feature spaces.

:mod:`synthscope.realism` works on arrays only; this module reads the workspace (sources, groups,
vectors, thumbnails), prepares the arrays (groups scoped to the folder they came from, columns of
mixed units standardised), calls it, and writes what it returns back: per-image score columns
named per feature (``realism_c2st:texture``) and the JSON reports, whose places the workspace
owns (``WS/realism/<feature>.json``, ``WS/realism/summary.json``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synthscope._params import Options, check_value
from synthscope._progress import ProgressCallback
from synthscope.errors import InputError, WorkspaceError
from synthscope.features import standardize as standardize_columns
from synthscope.workspace._cues import check_cues
from synthscope.workspace._store import SOURCE_FOLDER, Workspace

if TYPE_CHECKING:  # the tests import scipy.stats (seconds): only when a score runs
    from synthscope.realism import RealismComparison, RealismReport

__all__ = [
    "GROUP_SCOPES",
    "SCORES",
    "score_column",
    "score_features",
    "score_workspace",
]

logger = logging.getLogger(__name__)

#: Per-image scores stored for every point (NaN for real images), one column per feature.
SCORES = ("realism_c2st", "realism_knn", "nearest_real_id", "nearest_real_ratio", "likely_copy")
#: ``scoped``: a group name means one group only within the folder it was ingested from (real
#: 'pb000' and generated 'pb000' are different pullbacks). ``shared``: equal names are one group
#: across folders (generated frames made from that patient's label maps).
GROUP_SCOPES = ("scoped", "shared")


def score_column(score: str, feature: str) -> str:
    """The column holding per-image ``score`` in ``feature``'s space: ``realism_c2st:texture``."""
    return f"{score}:{feature}"


def _sources(ws: Workspace) -> tuple[np.ndarray, np.ndarray]:
    from synthscope.realism import MIN_POINTS

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
    return real_ids, fake_ids


def _groups(
    ws: Workspace, real_ids: np.ndarray, fake_ids: np.ndarray, scope: str
) -> tuple[list[Any] | None, list[str]]:
    """Group keys of the pooled points (real first), and sentences saying how they were made."""
    if "group" not in ws.columns():
        return None, []
    ids = np.concatenate([real_ids, fake_ids])
    names = ws.column("group")[ids]
    if all(g is None for g in names):
        return None, []
    # Without a record of the folder (older or imported workspaces), the source scopes.
    folders = ws.column(SOURCE_FOLDER) if SOURCE_FOLDER in ws.columns() else ws.column("source")
    folders = folders[ids]
    real_names = {g for g in names[: real_ids.size] if g is not None}
    fake_names = {g for g in names[real_ids.size :] if g is not None}
    both = sorted(real_names & fake_names)
    if scope == "shared":
        note = (
            f"Groups shared across real and generated images by name: {len(both)} groups hold "
            "both. Within them labels were permuted frame by frame, which assumes a generated "
            "frame is exchangeable with the real frames of its group (as when it was made from "
            "that group's label maps); 1-NN neighbours and realism scores came from other groups."
        )
        return [None if g is None else str(g) for g in names], [note] if both else []
    keys = [None if g is None else (str(f), str(g)) for f, g in zip(folders, names, strict=True)]
    notes = []
    if both:
        shown = ", ".join(both[:3]) + (f" and {len(both) - 3} more" if len(both) > 3 else "")
        notes.append(
            f"Group names {shown} occur among both real and generated images; each folder's "
            "groups were kept apart (independent pullbacks share no frames). If the generated "
            "frames were made from those patients' label maps, score with shared groups."
        )
    return keys, notes


def _standardised(
    vectors: np.ndarray, feature: str, standardize: bool
) -> tuple[np.ndarray, list[str]]:
    if not standardize:
        return vectors, []
    # Pooled, label-free statistics: the permutation tests stay exact (a scaling taken from the
    # real set alone would depend on the labels the tests permute).
    out = standardize_columns(vectors).astype(np.float64)
    return out, [
        f"Each of the {vectors.shape[1]} columns of {feature} was standardised (pooled mean and "
        "standard deviation) before the tests: its statistics come in different units."
    ]


def score_workspace(
    ws: Workspace | str | Path,
    feature: str = "pixels64",
    *,
    groups: str = "scoped",
    standardize: bool | None = None,
    n_components: int | None = 50,
    n_permutations: int = 200,
    seed: int = 0,
    store: bool = True,
    json_path: str | Path | None = None,
    html_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> RealismReport:
    """Compare the workspace's real and generated points in ``feature``'s space.

    Parameters
    ----------
    ws
        An open :class:`~synthscope.workspace.Workspace` or its folder.
    feature
        Name of the stored feature (``ws.features()``).
    groups
        ``"scoped"`` (a group belongs to the folder it was ingested from) or ``"shared"``
        (equal group names across folders are one group); see :data:`GROUP_SCOPES`.
    standardize
        Standardise every column first; ``None`` asks the feature's extractor (``texture``
        mixes units, raw pixels do not).
    n_components, n_permutations, seed
        As in :func:`~synthscope.realism.realism_report`.
    store
        Write the per-image columns (``realism_c2st:<feature>``, ...) and the JSON report into
        the workspace.
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
                groups=groups,
                standardize=standardize,
                n_components=n_components,
                n_permutations=n_permutations,
                seed=seed,
                store=store,
                json_path=json_path,
                html_path=html_path,
                progress=progress,
                **options,
            )

    check_value("groups", groups, Options(*GROUP_SCOPES))
    real_ids, fake_ids = _sources(ws)
    vectors = np.asarray(ws.vectors(feature), dtype=np.float64)
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        raise InputError(
            ws.vectors_file(feature),
            f"point {int(np.flatnonzero(bad)[0])} has NaN or infinite values "
            f"({int(bad.sum())} points in all); recompute the feature",
            row=int(np.flatnonzero(bad)[0]),
        )
    if standardize is None:
        standardize = bool((ws.feature_info(feature) or {}).get("standardize", False))
    vectors, scale_notes = _standardised(vectors, feature, standardize)
    group_keys, group_notes = _groups(ws, real_ids, fake_ids, groups)
    from synthscope.realism import realism_report

    report = realism_report(
        vectors[real_ids],
        vectors[fake_ids],
        group_keys,
        n_components=n_components,
        n_permutations=n_permutations,
        feature=feature,
        notes=[*scale_notes, *group_notes],
        seed=seed,
        progress=progress,
        **options,
    )
    cues, cue_notes = check_cues(ws, real_ids, fake_ids)
    report = dataclasses.replace(
        report,
        real_ids=real_ids,
        fake_ids=fake_ids,
        cues=tuple(c.to_dict() for c in cues if c.differs),
        evidence=(*report.evidence, *cue_notes),
        parameters={
            **report.parameters,
            "groups": groups,
            "standardize": standardize,
            "resize": ws.resize,
        },
    )
    if store:
        run = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        _store_columns(ws, feature, report, real_ids, fake_ids, run)
        report_path = ws.realism_report_path(feature)
        report_path.parent.mkdir(exist_ok=True)
        report.to_json(report_path, extra={"run": run})
    if json_path is not None:
        report.to_json(json_path)
    if html_path is not None:
        real_images, fake_images = _thumbnails(ws, real_ids, fake_ids)
        report.to_html(
            html_path,
            real_images=real_images,
            fake_images=fake_images,
            title=f"synthscope realism report: {ws.path.name} ({feature})",
        )
    return report


def score_features(
    ws: Workspace | str | Path,
    features: Sequence[str],
    *,
    json_path: str | Path | None = None,
    html_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> RealismComparison:
    """Score every feature in ``features`` and put them side by side (see :func:`score_workspace`).

    The workspace keeps each feature's report and the comparison (``WS/realism/summary.json``);
    ``json_path`` and ``html_path`` receive the comparison: its table first, then each feature.
    """
    if not isinstance(ws, Workspace):
        with Workspace.open(ws) as opened:
            return score_features(
                opened,
                features,
                json_path=json_path,
                html_path=html_path,
                progress=progress,
                **options,
            )
    if not features:
        raise WorkspaceError(f"{ws.path}: name at least one feature to score")
    for feature in features:  # refuse an unknown feature before minutes of work on the others
        ws.vectors(feature)
    reports = {}
    for step, feature in enumerate(features):

        def each(done: int, total: int, step: int = step) -> None:
            if progress is not None:
                progress(step * total + done, total * len(features))

        reports[feature] = score_workspace(ws, feature, progress=each, **options)

    from synthscope.realism import compare_reports

    comparison = compare_reports(reports)
    if options.get("store", True):
        comparison.to_json(ws.realism_summary_path(), full=False)
    if json_path is not None:
        comparison.to_json(json_path)
    if html_path is not None:
        first = next(iter(reports.values()))
        real_images, fake_images = _thumbnails(ws, first.real_ids, first.fake_ids)
        comparison.to_html(
            html_path,
            real_images=real_images,
            fake_images=fake_images,
            title=f"synthscope realism report: {ws.path.name}",
        )
    return comparison


def _thumbnails(
    ws: Workspace, real_ids: np.ndarray | None, fake_ids: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    thumbs = ws.thumbnails()
    if thumbs.shape[0] != ws.n_points or real_ids is None or fake_ids is None:
        return None, None
    return np.asarray(thumbs[real_ids]), np.asarray(thumbs[fake_ids])


def _store_columns(
    ws: Workspace,
    feature: str,
    report: RealismReport,
    real_ids: np.ndarray,
    fake_ids: np.ndarray,
    run: str,
) -> None:
    """Every score column of one run in one transaction, with the run's id."""
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
    columns = {}
    for name in SCORES:
        column = np.full(ws.n_points, np.nan)
        column[fake_ids] = values[name]
        columns[score_column(name, feature)] = column
    ws.set_columns(columns, kind="real", computed=True, run=(f"score:{feature}", run))
    logger.info(
        "stored %d score columns of %s for %d generated points", len(SCORES), feature, fake_ids.size
    )
