"""Make a workspace from a seed-style pair of Projector files (tensors.tsv [+ metadata.tsv]).

This brings users of the old workflow along: their tensors, their metadata, and their edits from
the Projector's own ``metadata-edited.tsv``. Rows whose ``path`` names a readable image get their
thumbnail back; the others get a blank one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from synthscope._files import save_npy_atomic, staged_folder
from synthscope.errors import WorkspaceError
from synthscope.io import read_frames, read_metadata_tsv, read_tensors_tsv
from synthscope.workspace._decode import decode_in_parallel
from synthscope.workspace._store import Workspace, check_name, split_frame
from synthscope.workspace._thumbs import THUMB_SIZE, make_thumbnail, write_tiles

__all__ = ["import_tf_projector"]

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


def _thumbnail(path: str) -> np.ndarray:
    file, frame = split_frame(path)
    frames = read_frames(file)
    chosen = next((f for f in frames if f.index == frame), frames[0])
    return make_thumbnail(chosen.image)


def import_tf_projector(
    tensors: str | Path,
    metadata: str | Path | None,
    workspace: str | Path,
    feature: str = "imported",
) -> Workspace:
    """Create ``workspace`` from Projector files; returns it open."""
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

    paths, seen = [], set()
    for index, path in enumerate(table.get("path") or [None] * n):
        if path is None or path in seen:
            path = f"{Path(tensors).name}#row{index}"
        seen.add(path)
        paths.append(path)

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
            "label_map": (table.get("label_map") or [None] * n)[i],
        }
        for name, values in extras.items():
            value = values[i]
            record[name] = float(value) if kinds[name] == "real" and value is not None else value
        records.append(record)

    thumbs = np.zeros((n, THUMB_SIZE, THUMB_SIZE), dtype=np.uint8)
    readable = [i for i, path in enumerate(paths) if split_frame(path)[0].is_file()]
    made, _ = decode_in_parallel(readable, lambda i: _thumbnail(paths[i]), on_error="skip")
    for index, thumb in made:
        thumbs[index] = thumb

    with staged_folder(target) as staging, Workspace.create(staging) as created:
        created.append_points(records, kinds)
        created.write_vectors(feature, vectors, {"spec": "imported", "source": str(tensors)})
        save_npy_atomic(staging / "thumbs" / "thumbs64.npy", thumbs)
        write_tiles(staging / "thumbs", thumbs, 0)
    return Workspace.open(target)
