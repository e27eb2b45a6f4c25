"""The projector's data calls without HTTP: what the page's routes and the Jupyter widget answer.

Each function takes the workspace store (:class:`synthscope.workspace.Workspace`) and plain
values, and returns JSON-ready values or bytes. What a user can get wrong (an unknown column,
feature or projection, ids out of range, a bad ``k``) raises a
:class:`~synthscope.errors.SynthscopeError` subclass with a one-line message: the server's error
handler maps it to an HTTP status, the widget shows it in its status line. Writers do not lock:
callers serialise writes (the server's ``write_lock``, the widget's own lock).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synthscope._files import write_text_atomic
from synthscope._neighbors import query_neighbors
from synthscope._params import fail
from synthscope._pca import principal_components
from synthscope.errors import ImageReadError, UnknownFeatureError, WorkspaceError
from synthscope.io import encode_png
from synthscope.server._jobs import TERMINAL, JobRegistry, ProjectionJob
from synthscope.server._tables import table_tsv

if TYPE_CHECKING:
    from synthscope.projection import ProjectionRequest

__all__ = [
    "EXPORTS_FOLDER",
    "MAX_COMPONENTS",
    "MAX_NEIGHBORS",
    "MAX_PALETTE_VALUES",
    "PALETTE_FILE",
    "assign_palette",
    "check_ids",
    "check_point",
    "column_info",
    "dataset_summary",
    "delete_projection",
    "edit_value",
    "export_images",
    "has_utility_result",
    "image_png",
    "label_map_png",
    "neighbors",
    "pca_components",
    "point_values",
    "read_palettes",
    "realism_report",
    "relabel",
    "resolve_request",
    "scored_features",
    "selection_tsv",
    "start_projection",
    "stored_projection",
    "utility_result",
]

MAX_COMPONENTS = 10  # as the TF Projector: ten components to choose the axes from
MAX_NEIGHBORS = 1000
PALETTE_FILE = "palette.json"
MAX_PALETTE_VALUES = 10_000  # per request: a column with more values is not coloured by value
EXPORTS_FOLDER = "exports"
_EXPORT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,79}$")
# The selection file names a point by id and path, shows its labels and any numeric score.
_SELECTION_BASE = ("id", "path", "source", "label", "group")
logger = logging.getLogger(__name__)


# -- points and columns ------------------------------------------------------------------------
def check_point(ws: Any, point: object) -> int:
    """``point`` as an int if it is a point id of ``ws``; else InvalidParameterError."""
    n = ws.n_points
    if isinstance(point, bool) or not isinstance(point, int | np.integer) or not 0 <= point < n:
        raise fail("id", f"{point!r} is not a point: ids run from 0 to {n - 1}")
    return int(point)


def check_ids(ids: object, n_points: int) -> list[int]:
    """Sorted, distinct point ids from a list of ints, each in ``0 .. n_points - 1``."""
    if not isinstance(ids, Sequence | np.ndarray) or isinstance(ids, str | bytes):
        raise fail("ids", f"must be a list of point ids (got {type(ids).__name__})")
    wrong = [i for i in ids if isinstance(i, bool) or not isinstance(i, int | np.integer)]
    if wrong:
        raise fail("ids", f"must be whole numbers (got {wrong[:5]!r})")
    # Checked as Python ints first: a JSON number may be too large for any NumPy integer.
    bad = [int(i) for i in ids if not 0 <= i < n_points]
    if bad:
        raise fail("ids", f"out of range 0..{n_points - 1} (got {bad[:5]})")
    return np.unique(np.asarray(ids, dtype=np.int64)).tolist()


def column_info(ws: Any) -> list[dict[str, Any]]:
    """Name, kind, editability and whether a command wrote it, for every column of ``ws``."""
    editable = set(ws.editable_columns())
    computed = set(ws.computed_columns())
    return [
        {
            "name": name,
            "kind": ws.column_kind(name),
            "editable": name in editable,
            "computed": name in computed,
        }
        for name in ws.columns()
    ]


def dataset_summary(ws: Any, name: str, thumbs: Mapping[str, int]) -> dict[str, Any]:
    """What the projector needs to start: counts, columns, features, projections, atlas layout."""
    scored = scored_features(ws)
    return {
        "name": name,
        "count": int(ws.n_points),
        "columns": column_info(ws),
        "features": list(ws.features()),
        "projections": list(ws.projections()),
        "thumbs": dict(thumbs),
        "realism": bool(scored),
        "scored": scored,
        "utility": has_utility_result(ws),
    }


def point_values(ws: Any, point: int) -> dict[str, Any]:
    """Every column's value for one point (NaN as None)."""
    point = check_point(ws, point)
    values: dict[str, Any] = {}
    for name in ws.columns():
        value = ws.column(name)[point]
        if isinstance(value, float) and value != value:  # NaN: missing
            value = None
        values[name] = value.item() if hasattr(value, "item") else value
    return {"id": point, "values": values}


def selection_tsv(ws: Any, ids: Sequence[int]) -> str:
    """The rows of ``ids``: id, path, source, label, group and every numeric column."""
    present = list(ws.columns())
    names = [n for n in _SELECTION_BASE if n in present]
    names += [n for n in present if n not in names and ws.column_kind(n) == "real"]
    columns = [np.arange(ws.n_points) if n == "id" else ws.column(n) for n in names]
    return table_tsv(names, columns, ids)


# -- pictures ----------------------------------------------------------------------------------
def _not_shown(point: int, what: str, error: Exception) -> UnknownFeatureError:
    # One answer whether the file is missing, unreadable or not one the workspace recorded
    # (the store reads only recorded files): a page must not learn which files exist. The
    # reason goes to the log.
    logger.info("point %d: %s not shown: %s", point, what, error)
    return UnknownFeatureError(f"point {point} has no {what} to show")


def image_png(ws: Any, point: int) -> bytes:
    """The full-resolution 8-bit image of ``point``, decoded and re-encoded as a grayscale PNG.

    Only files recorded at ingest or import are read; anything else is UnknownFeatureError (a
    404 on the server) with the same line as a missing file.
    """
    point = check_point(ws, point)
    try:
        image = ws.read_image(point)
    except ImageReadError as error:
        raise _not_shown(point, "image", error) from None
    return encode_png(np.asarray(image, dtype=np.uint8))


def label_map_png(ws: Any, point: int) -> bytes | None:
    """The label map ``point`` was generated from (or ingested with) as PNG; None when it has none.

    Recorded label maps only, as :func:`image_png`.
    """
    point = check_point(ws, point)
    try:
        labels = ws.label_map(point)
    except ImageReadError as error:
        raise _not_shown(point, "label map", error) from None
    return None if labels is None else encode_png(np.asarray(labels, dtype=np.uint8))


# -- projections -------------------------------------------------------------------------------
def stored_projection(ws: Any, pid: str) -> tuple[np.ndarray, dict]:
    """Coordinates and metadata of the stored projection ``pid``."""
    if not isinstance(pid, str) or not pid:
        raise fail("id", f"must name a stored projection (got {pid!r})")
    stored = ws.load_projection(pid)
    if stored is None:
        raise UnknownFeatureError(f"no stored projection {pid!r}")
    return stored


_COMPONENTS: dict[tuple, tuple[np.ndarray, list[float]]] = {}
_COMPONENTS_LOCK = threading.Lock()


def pca_components(ws: Any, pid: str, k: int = MAX_COMPONENTS) -> tuple[np.ndarray, list[float]]:
    """A PCA projection's first ``k`` principal components (float32) and each one's variance share.

    A few are cached per workspace, projection, vectors and ``k``.
    """
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_COMPONENTS:
        raise fail("k", f"must be a whole number from 2 to {MAX_COMPONENTS} (got {k!r})")
    meta = stored_projection(ws, pid)[1]
    if meta.get("method") != "pca":
        raise fail("pid", f"{pid} is a {meta.get('method')} projection; components exist for PCA")
    feature = str(meta.get("feature") or "")
    key = (str(ws.path), pid, ws.vectors_digest(feature), k)
    with _COMPONENTS_LOCK:
        cached = _COMPONENTS.get(key)
    if cached is None:
        scores, ratio = principal_components(
            np.asarray(ws.vectors(feature)), k, seed=int(meta.get("seed", 0))
        )
        cached = (np.ascontiguousarray(scores, dtype="<f4"), [float(r) for r in ratio])
        with _COMPONENTS_LOCK:
            _COMPONENTS[key] = cached
            while len(_COMPONENTS) > 4:
                _COMPONENTS.pop(next(iter(_COMPONENTS)))
    return cached


def resolve_request(given: Mapping[str, Any], ws: Any) -> ProjectionRequest:
    """The request ``given`` asks for (None = default); no feature: ``pixels64``, else the first."""
    from synthscope.projection import ProjectionRequest

    given = {k: v for k, v in given.items() if v is not None}
    if "feature" not in given:
        features = list(ws.features())
        if not features:
            raise UnknownFeatureError(
                "the workspace has no feature vectors: run `synthscope embed`"
            )
        given["feature"] = "pixels64" if "pixels64" in features else features[0]
    request = ProjectionRequest.from_mapping(given)
    ws.vectors(request.feature)  # refuses an unknown or stale feature now, not in the job
    return request


def start_projection(
    ws: Any,
    jobs: JobRegistry,
    request: ProjectionRequest,
    compute: Callable[..., Any] | None = None,
    on_done: Callable[[ProjectionJob], None] | None = None,
) -> dict[str, Any]:
    """Start ``request`` in a worker thread, or answer with the stored result of the same request.

    Returns ``{"id", "state"}`` (and ``"meta"`` when it was stored already); the job keeps the
    newest iterate for a stream to read (:mod:`synthscope.server._jobs`). ``on_done(job)`` is
    called in the worker once the result is stored.
    """
    from synthscope.workspace import project, reusable_projection

    stored = reusable_projection(ws, request)
    if stored is not None:
        return {"id": stored.id, "state": "done", "meta": stored.meta}
    pid = ws.projection_id(request)
    total = request.iterations if request.method == "tsne" else 0

    def work(job: ProjectionJob) -> None:
        done = project(
            ws,
            request,
            force=True,
            callback=job.callback,
            callback_every=2,  # the job keeps only the newest iterate: a copy, no more
            compute=compute,
        )
        job.iteration = done.meta["iterations"]
        job.finish("stopped" if done.meta["stopped"] else "done", done.embedding)
        if on_done is not None:
            on_done(job)

    job = jobs.start(pid, request.canonical(), total, work)
    return {"id": pid, "state": job.status()["state"]}


def delete_projection(ws: Any, jobs: JobRegistry, pid: str) -> dict[str, Any]:
    """Remove a stored projection; refused while its job runs."""
    job = jobs.get(pid)
    if job is not None and job.state not in TERMINAL:
        raise WorkspaceError(f"projection {pid} is {job.state}: stop it before deleting it")
    ws.delete_projection(pid)
    return {"id": pid, "deleted": True}


# -- neighbours and realism --------------------------------------------------------------------
def neighbors(
    ws: Any, point: int, k: int = 10, metric: str = "cosine", feature: str | None = None
) -> dict[str, Any]:
    """Ids and distances of the ``k`` points nearest to ``point`` in ``feature`` (default: the first)."""
    point = check_point(ws, point)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_NEIGHBORS:
        raise fail("k", f"must be a whole number from 1 to {MAX_NEIGHBORS} (got {k!r})")
    if metric not in ("cosine", "euclidean"):
        raise fail("metric", f"must be cosine or euclidean (got {metric!r})")
    features = list(ws.features())
    feature = feature or (features[0] if features else None)
    if feature is None:
        raise UnknownFeatureError("the workspace has no feature vectors: run `synthscope embed`")
    ids, dist = query_neighbors(ws.vectors(feature), point, k, metric)
    return {
        "id": point,
        "feature": feature,
        "metric": metric,
        "ids": ids.tolist(),
        "distances": [float(d) for d in dist],
    }


def scored_features(ws: Any) -> list[str]:
    """Features with a stored realism report, in the order ``score`` listed them."""
    return list(ws.realism_reports())


def realism_report(ws: Any, feature: str | None = None) -> dict[str, Any]:
    """One feature's realism report (the first scored by default), the features scored, and the
    side-by-side summary of the last run that compared several."""
    reports = ws.realism_reports()
    if not reports:
        raise UnknownFeatureError("no realism report yet: run `synthscope score WS`")
    name = feature if feature is not None else next(iter(reports))
    if name not in reports:
        raise UnknownFeatureError(
            f"no realism report for feature {name!r} (scored: {', '.join(reports) or 'none'})"
        )
    data = json.loads(reports[name].read_text(encoding="utf-8"))
    summary_path = ws.realism_summary_path()
    summary = (
        json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else None
    )
    return {**data, "scored": [f for f in reports if f], "summary": summary}


def has_utility_result(ws: Any) -> bool:
    """Whether ``synthscope utility`` has stored a study in the workspace."""
    try:
        utility_result(ws)
    except UnknownFeatureError:
        return False
    except WorkspaceError:  # stored but unreadable: the panel says so
        return True
    return True


def utility_result(ws: Any) -> dict[str, Any]:
    """The last ``synthscope utility`` study: every arm's mean and interval, the comparisons and
    the verdict (UnknownFeatureError, a 404, until one ran)."""
    from synthscope.workspace import load_utility_result

    try:
        result = load_utility_result(ws.path)
    except (OSError, ValueError) as error:
        raise WorkspaceError(
            f"the stored utility study is unreadable ({error}): run `synthscope utility WS` again"
        ) from None
    if result is None:
        raise UnknownFeatureError("no utility study yet: run `synthscope utility WS`")
    return result


# -- edits, palette, exports -------------------------------------------------------------------
def edit_value(ws: Any, column: str, value: object) -> object:
    """The cell an edit writes: None to clear; text for text columns (a typed ``3`` stays ``"3"``)."""
    if value is None or value == "":
        return None
    if column in ws.columns() and ws.column_kind(column) == "text":
        return str(value)
    return value  # the workspace checks that numeric columns get numbers


def relabel(ws: Any, ids: Sequence[int], column: str, value: object) -> dict[str, Any]:
    """Set ``column`` = ``value`` for ``ids`` through the edit log; answers once committed."""
    if not isinstance(column, str):
        raise fail("column", f"must be a column name (got {column!r})")
    ids = sorted(set(ids))
    cell = edit_value(ws, column, value)
    batch = int(ws.relabel(ids, column, cell))
    return {"batch": batch, "count": len(ids), "column": column, "value": cell}


def _natural(value: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)]


def read_palettes(ws: Any) -> dict[str, dict[str, int]]:
    """Every stored colour assignment, ``{key: {value: slot}}``; empty when none (or unreadable)."""
    try:
        data = json.loads((ws.path / PALETTE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def assign_palette(ws: Any, key: str, values: Sequence[str]) -> dict[str, Any]:
    """Slots for ``values`` under ``key``: kept ones unchanged, new ones the next free slots.

    New values are taken in natural order (``2`` before ``10``) and the assignment is kept in
    ``WS/palette.json``, so a value keeps its colour for the life of the workspace.
    """
    if not isinstance(key, str) or not 1 <= len(key) <= 200:
        raise fail("key", f"must be 1 to 200 characters (got {key!r})")
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise fail("values", "must be a list of strings")
    if len(values) > MAX_PALETTE_VALUES:
        raise fail("values", f"must be at most {MAX_PALETTE_VALUES} (got {len(values)})")
    values = [str(v) for v in values]
    palettes = read_palettes(ws)
    slots = dict(palettes.get(key, {}))
    fresh = sorted({v for v in values if v not in slots}, key=_natural)
    for value in fresh:
        slots[value] = len(slots)
    if fresh:
        palettes[key] = slots
        write_text_atomic(ws.path / PALETTE_FILE, json.dumps(palettes, indent=1))
    return {"key": key, "slots": {v: slots[v] for v in values}}


def export_images(ws: Any, ids: Sequence[int], name: str | None = None) -> dict[str, Any]:
    """Copy the images of ``ids`` into the new folder ``WS/exports/<name>/`` with their metadata.

    The same copy as ``synthscope export WS OUT --format images``; ``name`` defaults to
    ``selection-YYYYMMDD-HHMMSS``.
    """
    from synthscope.workspace._select import copy_images

    name = name.strip() if name else time.strftime("selection-%Y%m%d-%H%M%S")
    if not _EXPORT_NAME.match(name):
        raise fail(
            "name", f"must be 1-80 letters, digits, _ . - not starting with . or - (got {name!r})"
        )
    folder: Path = ws.path / EXPORTS_FOLDER / name
    if folder.exists():
        raise WorkspaceError(f"{EXPORTS_FOLDER}/{name} exists already: choose another name")
    files = copy_images(ws, folder, ids=ids)
    return {
        "name": name,
        "folder": str(folder),
        "relative": f"{EXPORTS_FOLDER}/{name}",
        "count": len(files) - 1,
    }
