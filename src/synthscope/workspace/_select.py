"""Choose points by their columns (``label=real``, ``realism_c2st>=0.5``) and copy their images out.

This is how curated images feed augmentation: relabel the generated images that pass, then
``synthscope export WS OUT --format images --where label=real --where source=fake``.
"""

from __future__ import annotations

import operator
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import staged_folder
from synthscope.errors import InvalidParameterError, WorkspaceError
from synthscope.io import write_metadata_tsv
from synthscope.workspace._store import Workspace

__all__ = ["copy_images", "select_points"]

_CONDITION = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*(!=|>=|<=|=|>|<)\s*(.*)$")
_OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def select_points(workspace: Workspace, where: Sequence[str]) -> np.ndarray:
    """Ids of the points meeting every condition ``column OP value`` (OP: = != >= <= > <)."""
    chosen = np.ones(workspace.n_points, dtype=bool)
    for condition in where:
        match = _CONDITION.match(condition.strip())
        if match is None:
            raise InvalidParameterError(
                f"--where {condition!r}: expected COLUMN=VALUE (or !=, >=, <=, >, <)"
            )
        name, op, text = match.groups()
        values = workspace.column(name)
        compare = _OPERATORS[op]
        if workspace.column_kind(name) == "real":
            try:
                target = float(text)
            except ValueError:
                raise InvalidParameterError(
                    f"--where {condition!r}: column {name!r} is numeric; {text!r} is not a number"
                ) from None
            with np.errstate(invalid="ignore"):
                chosen &= compare(values, target) & ~np.isnan(values)
        else:
            if op not in ("=", "!="):
                raise InvalidParameterError(
                    f"--where {condition!r}: {op} needs a numeric column; {name!r} holds text"
                )
            chosen &= np.array([compare(v if v is not None else "", text) for v in values])
    return np.flatnonzero(chosen)


def copy_images(
    workspace: Workspace,
    out: str | Path,
    where: Sequence[str] = (),
    *,
    ids: Sequence[int] | None = None,
) -> list[Path]:
    """Copy the images of the chosen points into the new folder ``out``, with a metadata.tsv.

    The points are those meeting ``where``, or exactly ``ids`` when given (the projector's
    selection).
    """
    from synthscope.workspace._export import metadata_columns

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise WorkspaceError(f"{out}: exists and is not empty; export images into a new folder")
    ids = select_points(workspace, where) if ids is None else np.unique(np.asarray(ids, int))
    if ids.size == 0:
        raise InvalidParameterError(f"no point meets {' and '.join(where) or 'the conditions'}")
    columns = metadata_columns(workspace)
    rows = workspace.rows(columns)
    with staged_folder(out) as staging:
        names, files = [], []
        for point in ids:
            file, frame = workspace.image_file(int(point))
            name = f"{point:06d}_{file.stem}" + (
                f"_f{frame}.png" if frame is not None else file.suffix
            )
            if frame is None:
                shutil.copy2(file, staging / name)
            else:  # a frame of a multi-frame DICOM: written as the 8-bit image synthscope saw
                Image.fromarray(workspace.read_image(int(point))).save(staging / name)
            names.append(name)
            files.append(out / name)
        write_metadata_tsv(
            staging / "metadata.tsv",
            ["file", "id", *columns],
            [[name, int(point), *rows[point]] for name, point in zip(names, ids, strict=True)],
        )
    return [*files, out / "metadata.tsv"]
