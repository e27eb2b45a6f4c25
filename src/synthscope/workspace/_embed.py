"""Compute a feature for every point of a workspace with an extractor from the registry.

Images are decoded at full resolution (each multi-frame file once for all its points), a batch at
a time, and handed with their label maps to :meth:`~synthscope.features.Extractor.transform`.
Batches run on an executor (see :mod:`._cluster`): one at a time in a helper thread of this
process, decoding on all cores, or spread over a Dask cluster's workers, where the extractor is
prepared once per worker. Either way the same batches give the same rows, and the driver writes
them, in order, into a temporary file that replaces the feature only when every point is done:
memory is bounded by a batch, and a failed embed leaves the workspace as it was.

A stored feature is reused only while its extractor's identity (kind, version, parameters, model
file digest) and the points it covers are unchanged; otherwise it is recomputed.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._progress import ProgressCallback, no_progress
from synthscope.errors import ImageReadError, InvalidParameterError, WorkspaceError
from synthscope.features import Extractor, parse_spec
from synthscope.workspace._cluster import Executor, Shared, executor_for
from synthscope.workspace._decode import Failure, read_file_frames, read_label_map
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
    cluster: Any = None,
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
    cluster
        Where the batches run: None (``$SYNTHSCOPE_CLUSTER``, else this process),
        ``"local[:N]"``, ``"tcp://HOST:PORT"``, a ``distributed.Client`` or an open
        :class:`Executor` (see :func:`~synthscope.workspace.ingest`). The vectors are the same.
    progress
        ``(done, total)`` over points.
    """
    extractor = spec if isinstance(spec, Extractor) else parse_spec(spec)
    name = extractor.name
    if not force and feature_is_current(workspace, extractor):
        return name
    if workspace.n_points == 0:
        raise WorkspaceError(f"{workspace.path}: holds no points; ingest images first")
    with executor_for(cluster, threads=1) as executor:
        _extract(workspace, extractor, executor, progress or no_progress)
    return name


@dataclass(frozen=True)
class _Batch:
    """Points ``first`` .. ``first + len(frames) - 1``: their files, frames and label maps."""

    first: int
    files: list[tuple[str, list[int | None]]]  # each file once, with its points' frames
    label_maps: list[str | None]  # one per point


def _batches(workspace: Workspace, batch_size: int) -> Iterator[_Batch]:
    """Points in order, in batches of about ``batch_size``; a file's points stay together.

    Read from the database as they are needed, so the batches ahead never fill memory.
    """
    first, files, labels = 0, [], []
    for point, (path, label_map) in enumerate(workspace.iter_rows(["path", "label_map"])):
        file, frame = split_frame(path)
        new_file = not files or files[-1][0] != str(file)
        if new_file and len(labels) >= batch_size:
            yield _Batch(first, files, labels)
            first, files, labels = point, [], []
        if new_file:
            files.append((str(file), []))
        files[-1][1].append(frame)
        labels.append(label_map)
    if labels:
        yield _Batch(first, files, labels)


def _embed_batch(
    batch: _Batch,
    *,
    extractor: Shared,
    resize: int | None,
    max_pixels: int,
    has_labels: bool,
    threads: int | None,
) -> np.ndarray | Failure:
    """The batch's rows (decoded here, or on a worker); an unreadable file as its Failure."""
    from synthscope.features._threads import map_threads

    def read(item: tuple[str, list[int | None]]) -> list[np.ndarray]:
        file, wanted = item
        frames = {
            f.index: np.asarray(f.image) for f in read_file_frames(Path(file), resize, max_pixels)
        }
        missing = [frame for frame in wanted if frame not in frames]
        if missing:
            raise ImageReadError(file, f"has no frame {missing[0]} ({len(frames)} frames)")
        return [frames[frame] for frame in wanted]

    try:
        images = [
            image for images in map_threads(read, batch.files, threads=threads) for image in images
        ]
        labels = (
            [None if p is None else read_label_map(p, resize, max_pixels) for p in batch.label_maps]
            if has_labels
            else None
        )
    except ImageReadError as error:
        return Failure(error.path, error.problem)
    return np.asarray(extractor.get().transform(images, labels), dtype=np.float32)


def _extract(
    workspace: Workspace, extractor: Extractor, executor: Executor, progress: ProgressCallback
) -> None:
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
    del label_paths
    started = time.perf_counter()
    work = partial(
        _embed_batch,
        extractor=executor.share(extractor),  # prepared here, or once on each worker
        resize=workspace.resize,
        max_pixels=workspace.max_pixels,
        has_labels=has_labels,
        threads=1 if executor.remote else None,
    )
    sizes: deque[int] = deque()  # points per batch, in the order they were handed out

    def batches() -> Iterator[_Batch]:
        for batch in _batches(workspace, extractor.batch_size):
            sizes.append(len(batch.label_maps))
            yield batch

    done = 0
    progress(0, n)
    with (
        workspace.vector_writer(extractor.name, extractor_provenance(extractor), n_points=n) as out,
        closing(executor.imap(work, batches())) as results,
    ):
        for vectors in results:
            if isinstance(vectors, Failure):
                raise vectors.error()
            count = sizes.popleft()
            _check_rows(workspace, extractor, vectors, done, count)
            out.append(vectors)
            done += count
            progress(done, n)
        out.provenance["seconds"] = round(time.perf_counter() - started, 3)


def _check_rows(
    workspace: Workspace, extractor: Extractor, vectors: np.ndarray, first: int, count: int
) -> None:
    """Refuse a batch's output unless it is ``count`` finite rows."""
    if vectors.ndim != 2 or vectors.shape[0] != count:
        raise InvalidParameterError(
            f"features {extractor.spec!r}: the extractor returned shape {vectors.shape} "
            f"for {count} images"
        )
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        point = first + int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"features {extractor.spec!r}: NaN or infinite values for point {point} "
            f"({workspace.image_file(point)[0]})"
        )
