"""``synthscope check WS [--repair]``: is this workspace sound? (like ``git fsck``).

What it checks, each against what the workspace says of itself:

* **database**: SQLite's ``PRAGMA integrity_check``; point ids run 0..n-1 (row i of every
  vector file is point i); every registered column exists, and every column is registered.
* **vectors**: each ``vectors/<name>.npy`` is a 2-D float array with at least one row per point;
  its provenance describes the file on disk (size, mtime) and its SHA-1 matches the rows.
* **projections**: every ``.npy`` has its ``.json`` and back; coordinates are finite and of the
  shape the JSON states.
* **thumbnails**: ``thumbs64.npy`` covers every point; every atlas tile is there.
* **edits**: the log refers to existing points, columns and batches, and replaying it gives
  the current value of every edited cell.
* **scores**: the score columns of each feature and its report under ``realism/`` come from one
  ``score`` run (the run id is recorded with the columns, in one transaction, and in the report).
* **leftovers**: hidden ``.*.tmp`` / ``.*.staging`` files and folders that an interrupted command
  left (inside the workspace, or beside it from an interrupted first ingest). Those of a process
  still running are left alone.

A *problem* makes the workspace unsound (exit 1). A *note* is a state the workspace handles
(vectors or projections made before points were added are recomputed on request). ``repair``
removes leftovers and orphaned projection files and rewrites missing atlas tiles; it never
guesses data: for the rest the message says which command to run again.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthscope.errors import WorkspaceError
from synthscope.workspace._db import FIXED_COLUMNS
from synthscope.workspace._score import SCORES, score_column
from synthscope.workspace._store import DB_NAME, Workspace
from synthscope.workspace._thumbs import THUMB_SIZE, THUMBS_PER_TILE, tile_path, write_tiles
from synthscope.workspace._vectors import array_digest

__all__ = ["CheckReport", "Finding", "check_workspace"]

# What _files.atomic_file and staged_folder name their temporaries: .NAME.PID-HEX8.tmp,
# .NAME.PID-HEX8.staging and .NAME.PID-old.staging.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-(?:[0-9a-f]{8}|old)\.(?:tmp|staging)$")


@dataclass(frozen=True)
class Finding:
    """One thing found: what part, which file or table, what is wrong, and whether repair fixes it."""

    part: str
    where: str
    text: str
    repairable: bool = False

    def __str__(self) -> str:
        return f"{self.part}: {self.where}: {self.text}"


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check_workspace` found (and repaired)."""

    workspace: Path
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    repaired: list[Finding] = field(default_factory=list)
    n_points: int = 0

    @property
    def sound(self) -> bool:
        return not self.problems


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Finding] = []
        self.notes: list[Finding] = []

    def problem(self, part: str, where: str | Path, text: str, repairable: bool = False) -> None:
        self.problems.append(Finding(part, self._rel(where), text, repairable))

    def note(self, part: str, where: str | Path, text: str) -> None:
        self.notes.append(Finding(part, self._rel(where), text))

    def _rel(self, where: str | Path) -> str:
        if isinstance(where, Path):
            try:
                return where.relative_to(self.path).as_posix()
            except ValueError:
                return str(where)
        return where


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def _leftovers(path: Path) -> list[tuple[Path, int | None]]:
    """Hidden temporaries inside ``path`` and beside it (from a first ingest into it)."""
    found = []
    for directory, folders, files in os.walk(path):
        for name in [*folders, *files]:
            match = _LEFTOVER.match(name)
            if match:
                found.append((Path(directory, name), int(match["pid"])))
        folders[:] = [name for name in folders if not _LEFTOVER.match(name)]
    if path.parent.is_dir():
        for entry in path.parent.iterdir():
            match = _LEFTOVER.match(entry.name)
            if match and match["name"] == path.name:
                found.append((entry, int(match["pid"])))
    return sorted(found)


def _check_leftovers(checker: _Checker) -> None:
    for leftover, pid in _leftovers(checker.path):
        if _pid_alive(pid):
            checker.note("leftovers", leftover, f"in use by running process {pid}")
        else:
            checker.problem(
                "leftovers", leftover, "left by an interrupted command (repair removes it)", True
            )


def _check_database(checker: _Checker, ws: Workspace) -> bool:
    connection = ws._connection
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        checker.problem("database", DB_NAME, "; ".join(rows[:3]) or "integrity check failed")
        return False
    count, low, high = connection.execute(
        "SELECT COUNT(*), MIN(id), MAX(id) FROM points"
    ).fetchone()
    if count and (low != 0 or high != count - 1):
        checker.problem(
            "database", "points", f"ids run {low}..{high} for {count} points (must be 0..n-1)"
        )
    actual = {row[1] for row in connection.execute("PRAGMA table_info(points)")}
    registered = set(ws._kinds())
    for name in sorted(registered - actual):
        checker.problem("database", "columns", f"column {name!r} is registered but missing")
    for name in sorted(actual - registered - set(FIXED_COLUMNS)):
        checker.problem("database", "columns", f"column {name!r} exists but is not registered")
    return True


def _check_vectors(checker: _Checker, ws: Workspace, n: int) -> None:
    for name in ws.features():
        file = ws.vectors_file(name)
        try:
            array = np.load(file, mmap_mode="r")
        except (OSError, ValueError) as error:
            checker.problem("vectors", file, f"unreadable ({error}); recompute it with embed")
            continue
        if array.ndim != 2 or array.dtype.kind != "f":
            checker.problem("vectors", file, f"is {array.dtype} {array.shape}, not 2-D floats")
            continue
        rows = array.shape[0]
        raw = file.with_suffix(".json")
        record = ws.feature_info(name)
        if record is None:
            what = "has no provenance" if not raw.is_file() else "provenance does not describe it"
            checker.problem(
                "vectors", file, f"{what} (an interrupted write?); recompute it with embed"
            )
        elif list(record.get("shape", [])) != list(array.shape):
            checker.problem("vectors", file, f"provenance says shape {record.get('shape')}")
        elif record.get("vectors_sha1") != array_digest(array):
            checker.problem(
                "vectors", file, "rows differ from their recorded SHA-1; recompute it with embed"
            )
        if rows < n:
            text = f"covers {rows} of {n} points; recompute it with `synthscope embed`"
            if name == "pixels64":  # ingest writes it before it commits the points
                checker.problem("vectors", file, text)
            else:
                checker.note("vectors", file, text)
        elif rows > n:
            checker.note("vectors", file, f"{rows - n} rows past the {n} points are ignored")


def _check_projections(checker: _Checker, ws: Workspace, n: int) -> None:
    folder = ws.path / "projections"
    if not folder.is_dir():
        return
    arrays = {p.stem for p in folder.glob("*.npy")}
    metas = {p.stem for p in folder.glob("*.json")}
    for stem in sorted(arrays ^ metas):
        kind = "npy" if stem in arrays else "json"
        other = "json" if kind == "npy" else "npy"
        checker.problem(
            "projections",
            folder / f"{stem}.{kind}",
            f"has no .{other} (an interrupted projection; repair removes it)",
            True,
        )
    for stem in sorted(arrays & metas):
        file = folder / f"{stem}.npy"
        try:
            meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
            coords = np.load(file)
        except (OSError, ValueError) as error:
            checker.problem("projections", file, f"unreadable ({error}); run the projection again")
            continue
        dims = meta.get("dims")
        if coords.ndim != 2 or (dims is not None and coords.shape[1] != dims):
            checker.problem("projections", file, f"shape {coords.shape} but {dims} dims")
            continue
        if meta.get("n_points") is not None and coords.shape[0] != meta["n_points"]:
            checker.problem(
                "projections", file, f"{coords.shape[0]} rows but made for {meta['n_points']}"
            )
        if not np.isfinite(coords).all():
            checker.problem("projections", file, "holds NaN or infinite coordinates")
        if coords.shape[0] != n:
            checker.note("projections", file, f"made for {coords.shape[0]} of {n} points")


def _check_thumbnails(checker: _Checker, ws: Workspace, n: int) -> None:
    folder = ws.path / "thumbs"
    file = folder / "thumbs64.npy"
    if n == 0:
        return
    if not file.is_file():
        checker.problem("thumbnails", file, "missing; ingest the images again")
        return
    try:
        thumbs = np.load(file, mmap_mode="r")
    except (OSError, ValueError) as error:
        checker.problem("thumbnails", file, f"unreadable ({error})")
        return
    if thumbs.ndim != 3 or thumbs.shape[1:] != (THUMB_SIZE, THUMB_SIZE) or thumbs.shape[0] < n:
        checker.problem("thumbnails", file, f"shape {thumbs.shape} for {n} points")
        return
    for tile in range(math.ceil(n / THUMBS_PER_TILE)):
        if not tile_path(folder, tile).is_file():
            checker.problem(
                "thumbnails",
                tile_path(folder, tile),
                "atlas tile missing (repair redraws it)",
                True,
            )


def _same(kind: str, logged: str | None, current: object) -> bool:
    if logged is None or current is None:
        return logged is None and current is None
    if kind == "real":
        try:
            return float(logged) == float(current)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return logged == str(current)


def _check_edits(checker: _Checker, ws: Workspace, n: int) -> None:
    connection = ws._connection
    columns = set(ws.columns())
    batches = {row[0] for row in connection.execute("SELECT batch FROM batches")}
    orphans = connection.execute(
        "SELECT COUNT(*) FROM edits WHERE batch NOT IN (SELECT batch FROM batches)"
    ).fetchone()[0]
    if orphans:
        checker.problem("edits", "edits", f"{orphans} edits belong to no batch")
    targets = connection.execute(
        "SELECT batch, target FROM batches WHERE kind != 'edit' AND target IS NOT NULL"
    ).fetchall()
    for batch, target in targets:
        if target not in batches:
            checker.problem("edits", "batches", f"batch {batch} undoes or redoes unknown {target}")
    # The latest logged value of each edited cell (by seq) must be its current value.
    latest = connection.execute(
        'SELECT e.point, e."column", e.new FROM edits e JOIN '
        '(SELECT point, "column", MAX(seq) AS seq FROM edits GROUP BY point, "column") last '
        "ON e.seq = last.seq ORDER BY e.seq"
    ).fetchall()
    by_column: dict[str, list[tuple[int, str | None]]] = {}
    for point, column, new in latest:
        by_column.setdefault(column, []).append((point, new))
    for column, cells in by_column.items():
        if column not in columns:
            checker.problem("edits", "edits", f"edits of column {column!r}, which does not exist")
            continue
        kind = ws.column_kind(column)
        values = ws.column(column)
        wrong = [p for p, new in cells if not 0 <= p < n or not _same(kind, new, values[p])]
        if wrong:
            checker.problem(
                "edits",
                "edits",
                f"replaying the log does not give the current {column!r} of {len(wrong)} "
                f"points (first: point {wrong[0]})",
            )


def _check_scores(checker: _Checker, ws: Workspace) -> None:
    runs = dict(
        ws._connection.execute(
            "SELECT substr(key, 11), value FROM meta WHERE key LIKE 'run:score:%'"
        ).fetchall()
    )
    reports = {feature: path for feature, path in ws.realism_reports().items() if feature}
    columns = set(ws.columns())
    for feature in sorted(set(runs) | set(reports)):
        again = f"score it again: `synthscope score {ws.path} --features {feature}`"
        report_path = reports.get(feature, ws.path / "realism" / f"{feature}.json")
        run = runs.get(feature)
        report_run = None
        if report_path.is_file():
            try:
                report_run = json.loads(report_path.read_text(encoding="utf-8")).get("run")
            except (OSError, ValueError):
                checker.problem("scores", report_path, f"unreadable report; {again}")
                continue
        if run is None:
            if report_run is not None:
                checker.problem(
                    "scores", report_path, f"report of run {report_run} has no columns; {again}"
                )
            continue
        missing = [c for c in (score_column(s, feature) for s in SCORES) if c not in columns]
        if missing:
            checker.problem("scores", "columns", f"{', '.join(missing)} missing; {again}")
        if not report_path.is_file():
            checker.problem("scores", report_path, f"missing for the columns of run {run}; {again}")
        elif report_run != run:
            checker.problem(
                "scores",
                report_path,
                f"from run {report_run} but the {feature} columns from run {run} "
                f"(an interrupted score); {again}",
            )


def _repair(checker: _Checker, ws: Workspace | None) -> list[Finding]:
    done = []
    for finding in checker.problems:
        if not finding.repairable:
            continue
        target = Path(finding.where)
        target = target if target.is_absolute() else checker.path / target
        if finding.part in ("leftovers", "projections"):
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            done.append(finding)
        elif finding.part == "thumbnails" and ws is not None:
            thumbs = np.load(ws.path / "thumbs" / "thumbs64.npy", mmap_mode="r")[: ws.n_points]
            tile = int(target.stem.split("_")[-1])
            write_tiles(
                ws.path / "thumbs",
                np.asarray(thumbs[: (tile + 1) * THUMBS_PER_TILE]),
                tile * THUMBS_PER_TILE,
            )
            done.append(finding)
    return done


def _run(path: Path) -> tuple[_Checker, int, Workspace | None]:
    checker = _Checker(path)
    _check_leftovers(checker)
    n = 0
    try:
        ws = Workspace.open(path)
    except WorkspaceError as error:
        checker.problem("database", DB_NAME, str(error))
        return checker, n, None
    try:
        if not _check_database(checker, ws):
            return checker, n, ws
        n = ws.n_points
        _check_vectors(checker, ws, n)
        _check_projections(checker, ws, n)
        _check_thumbnails(checker, ws, n)
        _check_edits(checker, ws, n)
        _check_scores(checker, ws)
    except sqlite3.DatabaseError as error:
        checker.problem("database", DB_NAME, f"unreadable ({error})")
    return checker, n, ws


def check_workspace(path: str | Path, *, repair: bool = False) -> CheckReport:
    """Check the workspace at ``path`` (see the module docstring); with ``repair``, fix what can be.

    After a repair the workspace is checked again: the report's problems are what remains.
    """
    path = Path(path)
    checker, n, ws = _run(path)
    repaired: list[Finding] = []
    if repair and any(f.repairable for f in checker.problems):
        repaired = _repair(checker, ws)
        if ws is not None:
            ws.close()
        checker, n, ws = _run(path)
    if ws is not None:
        ws.close()
    return CheckReport(path, checker.problems, checker.notes, repaired, n)
