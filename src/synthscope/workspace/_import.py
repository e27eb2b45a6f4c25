"""Make a workspace from a seed-style pair of Projector files (tensors.tsv [+ metadata.tsv]).

This brings users of the old workflow along: their tensors, their metadata, and their edits from
the Projector's own ``metadata-edited.tsv``. A relative ``path`` (or ``label_map``) is taken from
the bundle's folder (where the metadata file lies), not from wherever the command runs. Rows whose
``path`` names a readable image get their thumbnail back, and the file is recorded (the server
shows recorded files only); the others get a blank thumbnail and are listed in the report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthscope._files import save_npy_atomic, staged_folder
from synthscope.errors import ImageReadError, WorkspaceError
from synthscope.io import read_image_file, read_label_map, read_metadata_tsv, read_tensors_tsv
from synthscope.workspace._decode import Skipped, decode_in_parallel
from synthscope.workspace._store import FileRecord, Workspace, check_name, frame_key, split_frame
from synthscope.workspace._thumbs import THUMB_SIZE, make_thumbnail, write_tiles

__all__ = ["ImportReport", "import_projector_files", "import_tf_projector"]


@dataclass(frozen=True)
class ImportReport:
    """What an import made: the workspace, and the named images it could not find or read."""

    workspace: Path
    n_points: int
    images: int
    missing: list[str] = field(default_factory=list)
    unreadable: list[Skipped] = field(default_factory=list)


_SOURCES = {"real", "fake"}


def _kind(values: list[str | None]) -> str:
    for value in values:
        if value is None:
            continue
        try:
            float(value)
        except ValueError:
            return "text"
    return "real"


def _thumbnail(path: str) -> tuple[np.ndarray, FileRecord]:
    file, frame = split_frame(path)
    read = read_image_file(file)
    frames = read.frames
    if frame is None and len(frames) > 1:
        raise ImageReadError(file, f"has {len(frames)} frames; name one as {file}#0")
    chosen = next((f for f in frames if f.index == frame), None)
    if chosen is None:
        raise ImageReadError(file, f"has no frame {frame} ({len(frames)} frames)")
    return make_thumbnail(chosen.image), (str(file), "image", read.sha1, read.size)


def _in_bundle(value: str | None, bundle: Path) -> str | None:
    """A path from the metadata, relative ones taken from the bundle's folder."""
    if value is None:
        return None
    file, frame = split_frame(value)
    if not file.is_absolute():
        file = Path(os.path.normpath(bundle / file))
    return frame_key(file, frame)


def import_tf_projector(
    tensors: str | Path,
    metadata: str | Path | None,
    workspace: str | Path,
    feature: str = "imported",
) -> Workspace:
    """Create ``workspace`` from Projector files; returns it open (see :func:`import_projector_files`)."""
    report = import_projector_files(tensors, metadata, workspace, feature)
    return Workspace.open(report.workspace)


def import_projector_files(
    tensors: str | Path,
    metadata: str | Path | None,
    workspace: str | Path,
    feature: str = "imported",
) -> ImportReport:
    """Create ``workspace`` from Projector files; returns what was made and what was not found."""
    check_name(feature, "feature")
    target = Path(workspace)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WorkspaceError(f"{target}: already exists; import into a new folder")
    vectors, tensor_labels = read_tensors_tsv(tensors)
    n = len(vectors)
    if metadata is not None:
        columns, rows = read_metadata_tsv(metadata, n_rows=n)
    elif tensor_labels is not None:
        columns, rows = ["label"], [[label] for label in tensor_labels]
    else:
        columns, rows = [], [[] for _ in range(n)]
    table = {name: [row[i] for row in rows] for i, name in enumerate(columns)}

    labels = table.get("label")
    sources = table.get("source")
    if sources is None and labels is not None and set(labels) <= _SOURCES:
        sources = labels  # the seed's metadata: one column of real/fake
    sources = [s if s is not None else "unknown" for s in (sources or ["unknown"] * n)]
    labels = labels if labels is not None else list(sources)

    bundle = Path(metadata if metadata is not None else tensors).resolve().parent
    named = [_in_bundle(value, bundle) for value in table.get("path") or [None] * n]
    paths, seen = [], set()
    for index, path in enumerate(named):
        if path is None or path in seen:
            path = f"{Path(tensors).name}#row{index}"
        seen.add(path)
        paths.append(path)
    label_maps = [_in_bundle(value, bundle) for value in table.get("label_map") or [None] * n]

    fixed = {"path", "source", "label", "group", "label_map", "id"}
    extras = {name: values for name, values in table.items() if name not in fixed}
    kinds = {name: _kind(values) for name, values in extras.items()}
    records = []
    for i in range(n):
        record = {
            "path": paths[i],
            "source": sources[i],
            "label": labels[i],
            "group": (table.get("group") or [None] * n)[i],
            "label_map": label_maps[i],
        }
        for name, values in extras.items():
            value = values[i]
            record[name] = float(value) if kinds[name] == "real" and value is not None else value
        records.append(record)

    thumbs = np.zeros((n, THUMB_SIZE, THUMB_SIZE), dtype=np.uint8)
    wanted = [i for i, path in enumerate(named) if path is not None]
    missing = [paths[i] for i in wanted if not split_frame(paths[i])[0].is_file()]
    readable = [i for i in wanted if split_frame(paths[i])[0].is_file()]
    made, unreadable = decode_in_parallel(
        readable, lambda i: _thumbnail(paths[i]), on_error="skip", name_of=lambda i: paths[i]
    )
    files: dict[str, FileRecord] = {}
    for index, (thumb, record) in made:
        thumbs[index] = thumb
        files[record[0]] = record
    for label_map in dict.fromkeys(p for p in label_maps if p is not None):
        try:
            read_label_map(Path(label_map))
        except ImageReadError:
            continue
        files.setdefault(label_map, (label_map, "label_map", None, None))

    with staged_folder(target) as staging, Workspace.create(staging) as created:
        created.append_points(records, kinds, files=list(files.values()))
        created.write_vectors(feature, vectors, {"spec": "imported", "source": str(tensors)})
        save_npy_atomic(staging / "thumbs" / "thumbs64.npy", thumbs)
        write_tiles(staging / "thumbs", thumbs, 0)
    return ImportReport(target, n, len(made), missing, unreadable)
