"""Choose points by their columns (``label=real``, ``realism_c2st>=0.5``, ``group~^pb0``) and copy
their images out.

This is how curated images feed augmentation: relabel the generated images that pass, then
``synthscope export WS OUT --format images --where label=real --where source=fake``.
"""

from __future__ import annotations

import operator
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import staged_folder
from synthscope.errors import InvalidParameterError, WorkspaceError
from synthscope.io import write_metadata_tsv
from synthscope.workspace._store import Workspace

__all__ = ["Condition", "copy_images", "parse_where", "select_points"]

# The column is everything before the first operator character, so names may hold ':' (per-feature
# scores such as ``realism_c2st:texture``), '.' and '-'; the value is the rest, taken as written.
_CONDITION = re.compile(r"^\s*([^=!<>~\s]+)\s*(~|!=|>=|<=|=|>|<)\s*(.*?)\s*$", re.DOTALL)
_OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
SYNTAX = "COLUMN=VALUE, COLUMN~REGEX, or COLUMN!=, >=, <=, >, < VALUE"


@dataclass(frozen=True)
class Condition:
    """One parsed WHERE condition: ``column``, ``op`` (``= != >= <= > < ~``) and ``value``."""

    column: str
    op: str
    value: str
    text: str

    def __str__(self) -> str:
        return self.text


def parse_where(condition: str) -> Condition:
    """Split ``condition`` at its first operator; raise :class:`InvalidParameterError` if none."""
    match = _CONDITION.match(condition)
    if match is None:
        raise InvalidParameterError(f"--where {condition!r}: expected {SYNTAX}")
    column, op, value = match.groups()
    if op == "~":
        try:
            re.compile(value)
        except (re.error, OverflowError, RecursionError, ValueError) as error:
            raise InvalidParameterError(
                f"--where {condition!r}: bad regular expression {value!r} ({error})"
            ) from None
    return Condition(column, op, value, condition.strip())


def _matches(workspace: Workspace, condition: Condition) -> np.ndarray:
    name, op, text = condition.column, condition.op, condition.value
    kind = workspace.column_kind(name)  # UnknownFeatureError for a missing column
    values = workspace.column(name)
    if op == "~":
        if kind == "real":
            raise InvalidParameterError(
                f"--where {condition.text!r}: ~ matches text; column {name!r} is numeric "
                "(compare it with >=, <=, >, <, =, !=)"
            )
        pattern = re.compile(text)
        return np.array([v is not None and pattern.search(v) is not None for v in values], bool)
    compare = _OPERATORS[op]
    if kind == "real":
        try:
            target = float(text)
        except ValueError:
            raise InvalidParameterError(
                f"--where {condition.text!r}: column {name!r} is numeric; {text!r} is not a number"
            ) from None
        with np.errstate(invalid="ignore"):
            return compare(values, target) & ~np.isnan(values)
    if op not in ("=", "!="):
        raise InvalidParameterError(
            f"--where {condition.text!r}: {op} needs a numeric column; {name!r} holds text"
        )
    return np.array([compare(v if v is not None else "", text) for v in values], dtype=bool)


def select_points(workspace: Workspace, where: Sequence[str]) -> np.ndarray:
    """Ids of the points meeting every condition (they are ANDed).

    A condition is ``COLUMN OP VALUE``: ``=`` and ``!=`` compare text or numbers; ``>=``, ``<=``,
    ``>``, ``<`` compare numbers (points with no value never match); ``~`` searches text with a
    Python regular expression (``group~^heldout-``). Column names may hold ``:``, as per-feature
    scores do (``realism_c2st:texture>=0.4``). Every condition is parsed before any is applied,
    so a bad one fails before work is done.
    """
    conditions = [parse_where(text) for text in where]
    chosen = np.ones(workspace.n_points, dtype=bool)
    for condition in conditions:
        chosen &= _matches(workspace, condition)
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
