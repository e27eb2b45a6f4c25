"""Export a workspace: TF Projector bundles, metadata alone, or vectors with metadata (CSV, Parquet)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from synthscope._files import write_bytes_atomic
from synthscope._params import Options, check_value, fail
from synthscope.io import (
    CONFIG_NAME,
    EmbeddingConfig,
    write_metadata_tsv,
    write_projector_config,
    write_sprite,
    write_tensors_tsv,
)
from synthscope.workspace._store import Workspace

__all__ = ["EXPORT_FORMATS", "export", "metadata_columns"]

EXPORT_FORMATS = ("tf-projector", "metadata", "csv", "parquet", "images")
# The Projector labels points by the first text column, so `label` leads.
_LEADING = ("label", "source", "group", "path")


def metadata_columns(workspace: Workspace) -> list[str]:
    """Columns in export order: label, source, group, path, then the rest (ids are row order)."""
    rest = [c for c in workspace.columns() if c not in _LEADING and c != "id"]
    return [*_LEADING, *rest]


def _cells(workspace: Workspace, columns: list[str]) -> list[list]:
    return [list(row) for row in workspace.rows(columns)]


def _target(out: Path, default_name: str, suffixes: tuple[str, ...]) -> Path:
    """OUT is the file when it has one of ``suffixes``, else a folder that receives ``default_name``."""
    if out.suffix.lower() in suffixes:
        out.parent.mkdir(parents=True, exist_ok=True)
        return out
    out.mkdir(parents=True, exist_ok=True)
    return out / default_name


def export(
    workspace: Workspace,
    out: str | Path,
    fmt: str,
    feature: str = "pixels64",
    where: Sequence[str] = (),
) -> list[Path]:
    """Write the workspace in format ``fmt`` under ``out``; returns the files written.

    ``where`` conditions (``label=real``, ``realism_c2st>=0.5``) choose the points for the
    ``images`` format, which copies their image files into the new folder ``out``.
    """
    out = Path(out)
    check_value("format", fmt, Options(*EXPORT_FORMATS))
    if fmt == "images":
        from synthscope.workspace._select import copy_images

        return copy_images(workspace, out, where)
    if where:
        raise fail("where", "chooses images: use it with format 'images'")
    columns = metadata_columns(workspace)
    if fmt == "metadata":
        target = _target(out, "metadata.tsv", (".tsv", ".txt"))
        write_metadata_tsv(target, columns, _cells(workspace, columns))
        return [target]
    vectors = np.asarray(workspace.vectors(feature))
    if fmt == "tf-projector":
        return _export_projector(workspace, out, feature, vectors, columns)
    if fmt == "csv":
        target = _target(out, f"{feature}.csv", (".csv",))
        _write_csv(target, columns, _cells(workspace, columns), feature, vectors)
        return [target]
    target = _target(out, f"{feature}.parquet", (".parquet", ".pq"))
    _write_parquet(target, workspace, columns, feature, vectors)
    return [target]


def _export_projector(
    workspace: Workspace, out: Path, feature: str, vectors: np.ndarray, columns: list[str]
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "tensors.tsv", out / "metadata.tsv", out / "sprite.png", out / CONFIG_NAME]
    write_tensors_tsv(files[0], vectors)
    write_metadata_tsv(files[1], columns, _cells(workspace, columns))
    size = write_sprite(files[2], np.asarray(workspace.thumbnails()))
    config = EmbeddingConfig(
        tensor_name=feature,
        tensor_path=files[0].name,
        metadata_path=files[1].name,
        tensor_shape=(int(vectors.shape[0]), int(vectors.shape[1])),
        sprite_path=files[2].name,
        sprite_size=size,
    )
    write_projector_config(files[3], [config])
    return files


def _write_csv(path: Path, columns: list[str], rows: list[list], feature: str, vectors) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", *columns, *(f"{feature}_{j}" for j in range(vectors.shape[1]))])
    for index, (row, vector) in enumerate(zip(rows, vectors, strict=True)):
        cells = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in row]
        writer.writerow([index, *cells, *(format(float(x), ".9g") for x in vector)])
    write_bytes_atomic(path, buffer.getvalue().encode("utf-8"))


def _write_parquet(
    path: Path, workspace: Workspace, columns: list[str], feature: str, vectors
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {"id": pa.array(np.arange(workspace.n_points, dtype=np.int64))}
    for name in columns:
        values = workspace.column(name)
        if workspace.column_kind(name) == "real":
            arrays[name] = pa.array(values, mask=np.isnan(values))
        else:
            arrays[name] = pa.array(list(values), type=pa.string())
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    arrays[feature] = pa.FixedSizeListArray.from_arrays(flat, int(vectors.shape[1]))
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.table(arrays), buffer)
    write_bytes_atomic(path, buffer.getvalue().to_pybytes())
