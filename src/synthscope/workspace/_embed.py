"""Compute a feature for every point of a workspace with an extractor from the registry.

Images are decoded at full resolution (each multi-frame file once for all its points), a batch at
a time, and handed with their label maps to :meth:`~synthscope.features.Extractor.transform`.
A stored feature is reused only while its extractor's identity (kind, version, parameters, model
file digest) and the points it covers are unchanged; otherwise it is recomputed. Nothing is
written until every point is done, so a failed embed leaves the workspace as it was.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._progress import ProgressCallback, no_progress
from synthscope.errors import InvalidParameterError, WorkspaceError
from synthscope.features import Extractor, parse_spec
from synthscope.workspace._decode import decode_in_parallel
from synthscope.workspace._store import Workspace, split_frame

__all__ = ["embed", "extractor_provenance", "feature_is_current", "feature_name"]


def feature_name(spec: str) -> str:
    """The workspace name under which the feature ``spec`` is stored."""
    return parse_spec(spec).name


def extractor_provenance(extractor: Extractor, **extra: Any) -> dict[str, Any]:
    """What is stored beside an extractor's vectors (identity, spec, input size, and ``extra``)."""
    return {
        "spec": extractor.spec,
        "identity": extractor.identity(),
        "input_size": extractor.input_size(),
        "standardize": extractor.standardize,
        **extra,
    }


def feature_is_current(workspace: Workspace, extractor: Extractor) -> bool:
    """Whether the stored vectors of ``extractor`` cover every point and match its identity."""
    name = extractor.name
    if name not in workspace.features():
        return False
    record = workspace.feature_info(name)
    if record is None or record.get("n_points") != workspace.n_points:
        return False
    return record.get("identity") == extractor.identity()


def embed(
    workspace: Workspace,
    spec: str | Extractor,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> str:
    """Compute feature ``spec`` for every point and store it; returns the feature's name.

    Parameters
    ----------
    workspace
        An open workspace.
    spec
        A feature spec (``pixels:32``, ``texture``, ``spade-disc:RUN``, ...; see
        :func:`synthscope.features.spec_syntax`) or an extractor.
    force
        Recompute even when the stored vectors are current.
    progress
        ``(done, total)`` over points.
    """
    extractor = spec if isinstance(spec, Extractor) else parse_spec(spec)
    name = extractor.name
    if not force and feature_is_current(workspace, extractor):
        return name
    if workspace.n_points == 0:
        raise WorkspaceError(f"{workspace.path}: holds no points; ingest images first")
    started = time.perf_counter()
    vectors = _extract(workspace, extractor, progress or no_progress)
    seconds = round(time.perf_counter() - started, 3)
    workspace.write_vectors(name, vectors, extractor_provenance(extractor, seconds=seconds))
    return name


def _file_batches(workspace: Workspace, batch_size: int) -> Iterator[list[tuple[Path, list]]]:
    """Files in point order, grouped so that each batch holds about ``batch_size`` points."""
    points_of: dict[Path, list[tuple[int, int | None]]] = defaultdict(list)
    for point, (path,) in enumerate(workspace.rows(["path"])):
        file, frame = split_frame(path)
        points_of[file].append((point, frame))
    batch: list[tuple[Path, list]] = []
    count = 0
    for file, points in points_of.items():
        batch.append((file, points))
        count += len(points)
        if count >= batch_size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _extract(workspace: Workspace, extractor: Extractor, progress: ProgressCallback) -> np.ndarray:
    n = workspace.n_points
    label_paths = workspace.column("label_map")
    has_labels = any(p is not None for p in label_paths)
    if extractor.needs_label_maps:
        missing = [i for i, p in enumerate(label_paths) if p is None]
        if missing:
            raise WorkspaceError(
                f"{extractor.kind} features need a label map for every point; point "
                f"{missing[0]} ({workspace.image_file(missing[0])[0]}) has none "
                "(ingest images/ + labels/ folders)"
            )
    extractor.prepare()

    def decode(item: tuple[Path, list]) -> list[tuple[int, np.ndarray, np.ndarray | None]]:
        file, points = item
        frames = {f.index: np.asarray(f.image) for f in workspace.read_frames(file)}
        return [
            (point, frames[frame], workspace.label_map(point) if has_labels else None)
            for point, frame in points
        ]

    out: np.ndarray | None = None
    done = 0
    progress(0, n)
    for batch in _file_batches(workspace, extractor.batch_size):
        decoded, _ = decode_in_parallel(batch, decode, on_error="fail", name_of=lambda b: b[0])
        rows = [row for _, rows in decoded for row in rows]
        ids = np.array([point for point, _, _ in rows])
        images = [image for _, image, _ in rows]
        labels = [label for _, _, label in rows] if has_labels else None
        vectors = np.asarray(extractor.transform(images, labels), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(images):
            raise InvalidParameterError(
                f"features {extractor.spec!r}: the extractor returned shape {vectors.shape} "
                f"for {len(images)} images"
            )
        bad = ~np.isfinite(vectors).all(axis=1)
        if bad.any():
            point = int(ids[np.flatnonzero(bad)[0]])
            raise InvalidParameterError(
                f"features {extractor.spec!r}: NaN or infinite values for point {point} "
                f"({workspace.image_file(point)[0]})"
            )
        if out is None:
            out = np.empty((n, vectors.shape[1]), dtype=np.float32)
        out[ids] = vectors
        done += len(ids)
        progress(done, n)
    assert out is not None
    return out
