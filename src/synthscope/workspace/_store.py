"""The workspace: a folder holding the points, their vectors, projections, thumbnails and edits.

::

    WS/
      synthscope.db          SQLite (WAL): points, column kinds, edit log
      vectors/<name>.npy     float32, row i = point i
      projections/<id>.npy   float32 coordinates, with <id>.json holding how they were made
      thumbs/thumbs64.npy    (n, 64, 64) uint8, and tile_XXXX.png atlases for the browser

The database is the truth about how many points there are: a vector file with extra rows (left by
an interrupted append) is read up to that count, and one with fewer rows is reported as stale.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._files import save_npy_atomic, write_text_atomic
from synthscope._params import Options, check_value, fail
from synthscope.errors import (
    ImageReadError,
    InvalidParameterError,
    UnknownFeatureError,
    WorkspaceError,
)
from synthscope.workspace import _edits
from synthscope.workspace._db import (
    FIXED_COLUMNS,
    connect,
    create_schema,
    quote,
    transaction,
    upgrade_schema,
)
from synthscope.workspace._frames import frame_key, split_frame
from synthscope.workspace._thumbs import THUMB_SIZE, tile_path
from synthscope.workspace._vectors import VectorStore

__all__ = [
    "DB_NAME",
    "LEGACY_REALISM_REPORT",
    "SOURCE_FOLDER",
    "FileRecord",
    "Workspace",
    "check_name",
    "frame_key",
    "split_frame",
]

DB_NAME = "synthscope.db"
#: Where ``synthscope score`` leaves its JSON reports (``GET /api/realism`` reads them there):
#: one per feature, and the side-by-side summary. ``realism.json`` is where older versions left one.
REALISM_FOLDER = "realism"
LEGACY_REALISM_REPORT = "realism.json"
#: The column recording which folder (given to ``ingest``) each point came from: group names are
#: scoped to it, so a real 'pb000' and a generated 'pb000' are not taken for one pullback.
SOURCE_FOLDER = "source_folder"
# Names become file names and SQL identifiers: no separators, no leading dot. Column names may
# also hold ':' (per-feature scores such as ``realism_c2st:texture``); file names may not.
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_COLUMN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$")
#: ``(path, role, sha1, size)`` of a file an ingest or import decoded; role 'image' or 'label_map'.
FileRecord = tuple[str, str, str | None, int | None]
MAX_PROJECTION_NAME = 120


def check_name(name: str, what: str) -> str:
    pattern = _COLUMN if what == "column" else _NAME
    if not isinstance(name, str) or not pattern.match(name):
        allowed = "letters, digits, _ . : -" if what == "column" else "letters, digits, _ . -"
        raise fail(
            what.replace(" ", "_"), f"{name!r} must hold only {allowed} and not start with . - or :"
        )
    return name


class Workspace:
    """A synthscope workspace folder. Open one with :meth:`open` or make one with :meth:`create`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # One SQLite connection per thread: the server calls in from a thread pool.
        self._local = threading.local()
        self._all_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._vectors = VectorStore(self.path / "vectors")
        self._upgraded = False

    @property
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = connect(self.path / DB_NAME)
            if not self._upgraded:
                provenance = self._vectors.provenance("pixels64") or {}
                made_from_images = str(provenance.get("spec", "")).startswith("pixels")
                upgrade_schema(connection, made_from_images=made_from_images)
                self._upgraded = True
            self._local.connection = connection
            with self._lock:
                self._all_connections.append(connection)
        return connection

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> Workspace:
        path = Path(path)
        if not (path / DB_NAME).is_file():
            what = "does not exist" if not path.exists() else "is not a synthscope workspace"
            raise WorkspaceError(f"{path}: {what} (make one with `synthscope ingest`)")
        return cls(path)

    @classmethod
    def create(cls, path: str | Path) -> Workspace:
        path = Path(path)
        if (path / DB_NAME).exists():
            raise WorkspaceError(f"{path}: a workspace already exists there")
        for folder in ("vectors", "projections", "thumbs"):
            (path / folder).mkdir(parents=True, exist_ok=True)
        workspace = cls(path)
        create_schema(workspace._connection)
        return workspace

    @staticmethod
    def exists(path: str | Path) -> bool:
        return (Path(path) / DB_NAME).is_file()

    def close(self) -> None:
        with self._lock:
            for connection in self._all_connections:
                connection.close()
            self._all_connections.clear()
        self._local = threading.local()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r}, n_points={self.n_points})"

    # -- points and columns ----------------------------------------------------------------
    @property
    def n_points(self) -> int:
        return int(self._connection.execute("SELECT COUNT(*) FROM points").fetchone()[0])

    def _kinds(self) -> dict[str, str]:
        rows = self._connection.execute("SELECT name, kind FROM columns ORDER BY position")
        return dict(rows.fetchall())

    def columns(self) -> list[str]:
        """Column names: the fixed ones, then extra metadata and score columns in order of arrival."""
        return [*FIXED_COLUMNS, *self._kinds()]

    def column_kind(self, name: str) -> str:
        """``'real'`` for numeric columns, ``'text'`` otherwise."""
        if name == "id":
            return "real"
        if name in FIXED_COLUMNS:
            return "text"
        kinds = self._kinds()
        if name not in kinds:
            raise UnknownFeatureError(f"no column {name!r} (columns: {', '.join(self.columns())})")
        return kinds[name]

    def computed_columns(self) -> list[str]:
        """Columns a command wrote (scores, nearest ids, copy flags): shown, never edited."""
        rows = self._connection.execute("SELECT name FROM columns WHERE computed ORDER BY position")
        return [row[0] for row in rows]

    def editable_columns(self) -> list[str]:
        computed = set(self.computed_columns())
        return [
            name
            for name in self.columns()
            if FIXED_COLUMNS.get(name, True) and name not in computed
        ]

    def column(self, name: str) -> np.ndarray:
        """One value per point: float64 (NaN for missing) for numeric columns, else object (str/None)."""
        kind = self.column_kind(name)
        values = [
            row[0]
            for row in self._connection.execute(f"SELECT {quote(name)} FROM points ORDER BY id")
        ]
        if kind == "real":
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        return np.array(values, dtype=object)

    def rows(self, columns: Sequence[str] | None = None) -> list[tuple]:
        """All points as tuples of the given columns (all columns by default), in id order."""
        names = list(columns) if columns is not None else self.columns()
        for name in names:
            self.column_kind(name)
        selection = ", ".join(quote(name) for name in names)
        return self._connection.execute(f"SELECT {selection} FROM points ORDER BY id").fetchall()

    def iter_rows(self, columns: Sequence[str], *, chunk: int = 4096) -> Iterator[tuple]:
        """Like :meth:`rows`, fetched ``chunk`` rows at a time (for workspaces of any size)."""
        for name in columns:
            self.column_kind(name)
        selection = ", ".join(quote(name) for name in columns)
        cursor = self._connection.execute(f"SELECT {selection} FROM points ORDER BY id")
        while rows := cursor.fetchmany(chunk):
            yield from rows

    def paths(self) -> set[str]:
        return {row[0] for row in self._connection.execute("SELECT path FROM points")}

    def _add_columns(self, kinds: dict[str, str], *, computed: bool = False) -> None:
        """Register new extra columns (inside the caller's transaction)."""
        known = self._kinds()
        position = len(known)
        for name, kind in kinds.items():
            if name in FIXED_COLUMNS or name in known:
                continue
            check_name(name, "column")
            sql_type = "REAL" if kind == "real" else "TEXT"
            self._connection.execute(f"ALTER TABLE points ADD COLUMN {quote(name)} {sql_type}")
            self._connection.execute(
                "INSERT INTO columns (name, kind, position, computed) VALUES (?, ?, ?, ?)",
                (name, kind, position, int(computed)),
            )
            position += 1

    def set_column(self, name: str, values: Sequence | np.ndarray, kind: str = "real") -> None:
        """Set a whole column (one value per point) in one transaction, adding it when new."""
        self.set_columns({name: values}, kind=kind)

    def set_columns(
        self,
        columns: dict[str, Sequence | np.ndarray],
        *,
        kind: str = "real",
        computed: bool = False,
        run: tuple[str, str] | None = None,
    ) -> None:
        """Set whole columns (one value per point each) in one transaction, adding new ones.

        ``computed`` marks new columns as written by a command (not editable); ``run`` records
        ``(what, run id)`` in the same transaction, so a checker can tell that every column of
        one command came from one run. Label maps named here (``label_map``, which the server's
        edits cannot touch) are recorded as the workspace's files, as ingest records its own.
        """
        check_value("kind", kind, Options("real", "text"))
        n = self.n_points
        cells: dict[str, list] = {}
        for name, values in columns.items():
            if name in ("id", "path", "source"):
                raise fail("column", f"{name!r} cannot be overwritten")
            values = list(values)
            if len(values) != n:
                raise fail("column", f"{name!r} needs {n} values, got {len(values)}")
            if kind == "real":
                cells[name] = [
                    None if v is None or np.isnan(float(v)) else float(v) for v in values
                ]
            else:
                cells[name] = [None if v is None else str(v) for v in values]
        with transaction(self._connection):
            if "label_map" in cells:
                self._connection.executemany(
                    "INSERT OR IGNORE INTO files (path, role) VALUES (?, 'label_map')",
                    [(str(Path(v)),) for v in dict.fromkeys(cells["label_map"]) if v],
                )
            self._add_columns(
                {name: kind for name in cells if name not in FIXED_COLUMNS}, computed=computed
            )
            for name, column in cells.items():
                self._connection.executemany(
                    f"UPDATE points SET {quote(name)} = ? WHERE id = ?",
                    [(cell, index) for index, cell in enumerate(column)],
                )
            if run is not None:
                self._connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (f"run:{run[0]}", run[1]),
                )

    def run_id(self, what: str) -> str | None:
        """The id of the last run of ``what`` recorded by :meth:`set_columns` (or None)."""
        row = self._connection.execute(
            "SELECT value FROM meta WHERE key = ?", (f"run:{what}",)
        ).fetchone()
        return None if row is None else str(row[0])

    def append_points(
        self,
        records: Iterable[dict],
        kinds: dict[str, str],
        computed: Sequence[str] = (),
        *,
        files: Iterable[FileRecord] = (),
        meta: dict[str, str] | None = None,
    ) -> None:
        """Insert points (dicts of column -> value; ids follow on) in one transaction.

        ``records`` and ``files`` are read one at a time (an ingest streams them from disk).

        New columns named in ``computed`` are recorded as not editable (see
        :meth:`computed_columns`). ``files`` records the files that were decoded for them
        (the only ones the server will show), ``meta`` settings such as ``max_pixels``.
        """
        with transaction(self._connection):
            self._connection.executemany(
                "INSERT OR REPLACE INTO files (path, role, sha1, size) VALUES (?, ?, ?, ?)",
                ((str(p), role, sha1, size) for p, role, sha1, size in files),
            )
            for key, value in (meta or {}).items():
                self._connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value))
                )
            self._add_columns({k: v for k, v in kinds.items() if k not in computed})
            self._add_columns({k: v for k, v in kinds.items() if k in computed}, computed=True)
            ids = itertools.count(self.n_points)
            # Consecutive records naming the same columns (an ingest's, nearly always) share
            # one prepared statement: a statement per record cost a third of a commit.
            for names, run in itertools.groupby(records, key=lambda record: tuple(record)):
                self._connection.executemany(
                    f"INSERT INTO points ({', '.join(quote(n) for n in ('id', *names))}) "
                    f"VALUES ({', '.join('?' * (len(names) + 1))})",
                    ((next(ids), *record.values()) for record in run),
                )

    # -- relabelling -----------------------------------------------------------------------
    def relabel(self, ids: Sequence[int], column: str, value: object) -> int:
        """Set ``column`` to ``value`` for ``ids``; returns the batch, committed before returning."""
        if column not in self.editable_columns():
            raise InvalidParameterError(
                f"column {column!r} is not editable (editable: {', '.join(self.editable_columns())})"
            )
        ids = [int(i) for i in ids]
        n = self.n_points
        bad = [i for i in ids if not 0 <= i < n]
        if bad:
            raise InvalidParameterError(f"point ids out of range 0..{n - 1}: {bad[:5]}")
        if self.column_kind(column) == "real" and value is not None:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise InvalidParameterError(
                    f"column {column!r} is numeric; {value!r} is not a number"
                ) from None
            if not np.isfinite(value):
                raise InvalidParameterError(
                    f"column {column!r} takes finite numbers (got {value!r})", parameter="value"
                )
        return _edits.apply_edit(self._connection, ids, column, value)

    def undo(self) -> int | None:
        return _edits.undo_last(self._connection)

    def redo(self) -> int | None:
        return _edits.redo_last(self._connection)

    def edits(self, limit: int = 100) -> list[dict]:
        return _edits.edit_history(self._connection, limit)

    # -- vectors ---------------------------------------------------------------------------
    def features(self) -> list[str]:
        """Names of the stored features (``pixels64``, ``texture``, ``spade-disc.RUN``, ...)."""
        return self._vectors.names()

    def vectors(self, name: str) -> np.ndarray:
        """(n_points, d) float32, memory-mapped read-only; refuses missing or stale vectors."""
        return self._vectors.read(name, self.n_points, where=self.path)

    def write_vectors(
        self,
        name: str,
        array: np.ndarray,
        provenance: dict | None = None,
        *,
        n_points: int | None = None,
    ) -> dict:
        """Store a feature (one row per point) with how it was made; returns the stored record.

        ``n_points`` is the number of rows expected when it is not the current point count (an
        ingest writes the vectors of points it commits afterwards).
        """
        expected = self.n_points if n_points is None else n_points
        shape = np.shape(array)
        if len(shape) != 2 or shape[0] != expected:
            raise InvalidParameterError(
                f"feature {name!r} needs shape ({expected}, d), got {shape}"
            )
        return self._vectors.write(name, array, {**(provenance or {}), "n_points": expected})

    def vector_writer(
        self, name: str, provenance: dict | None = None, *, n_points: int | None = None
    ) -> Any:
        """A context yielding a writer that takes feature ``name`` a block of rows at a time.

        Like :meth:`write_vectors`, for vectors that need not fit in memory: the file and its
        provenance appear when the block succeeds, with exactly ``n_points`` rows when given
        (None: as many as were written, for an ingest that commits its points afterwards).
        """
        counted = {} if n_points is None else {"n_points": n_points}
        return self._vectors.writer(name, {**(provenance or {}), **counted}, n_rows=n_points)

    def vector_blocks(self, name: str) -> Iterator[np.ndarray]:
        """The rows of feature ``name`` for the current points, in blocks read without a map."""
        return self._vectors.blocks(name, self.n_points)

    def vectors_file(self, name: str) -> Path:
        """The file feature ``name`` is stored in (for messages and exports)."""
        return self._vectors._file(name)

    def feature_info(self, name: str) -> dict | None:
        """How feature ``name`` was made (spec, extractor, parameters, time), or None if unknown."""
        return self._vectors.provenance(name)

    def vectors_digest(self, name: str) -> str:
        """SHA-1 of the feature's rows for the current points (cached in its provenance)."""
        return self._vectors.digest(name, self.n_points)

    # -- thumbnails and images -------------------------------------------------------------
    def thumbnails(self) -> np.ndarray:
        """(n_points, 64, 64) uint8, memory-mapped read-only."""
        path = self.path / "thumbs" / "thumbs64.npy"
        if not path.is_file():
            return np.zeros((0, THUMB_SIZE, THUMB_SIZE), dtype=np.uint8)
        return np.load(path, mmap_mode="r")[: self.n_points]

    def thumbnail_tile(self, tile: int) -> Path:
        """The atlas PNG holding thumbnails ``tile * 1024`` onwards (see ``THUMBS_PER_TILE``)."""
        path = tile_path(self.path / "thumbs", tile)
        if not path.is_file():
            raise UnknownFeatureError(f"no thumbnail tile {tile}")
        return path

    def image_file(self, point: int) -> tuple[Path, int | None]:
        """The file (and frame, for multi-frame files) point ``point`` was ingested from."""
        row = self._connection.execute("SELECT path FROM points WHERE id = ?", (point,)).fetchone()
        if row is None:
            raise InvalidParameterError(f"no point {point} (0..{self.n_points - 1})")
        return split_frame(row[0])

    # -- settings -----------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        """A workspace-wide setting (``resize``, ``max_pixels``, ...), or None when unset."""
        row = self._connection.execute(
            "SELECT value FROM meta WHERE key = ?", (f"setting:{key}",)
        ).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: object) -> None:
        """Record a workspace-wide setting (in its own transaction)."""
        with transaction(self._connection):
            self._connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (f"setting:{key}", str(value)),
            )

    @property
    def resize(self) -> int | None:
        """The side every image is brought to before any feature (``ingest --resize``), or None."""
        value = self.setting("resize")
        return None if value is None else int(value)

    @property
    def max_pixels(self) -> int:
        """The largest frame (in pixels) images of this workspace may have (``--max-pixels``)."""
        from synthscope.io import DEFAULT_MAX_PIXELS

        value = self.setting("max_pixels")
        return max(DEFAULT_MAX_PIXELS, int(value)) if value else DEFAULT_MAX_PIXELS

    # -- the files behind the points -----------------------------------------------------------
    def recorded_files(self, role: str | None = None) -> dict[str, str | None]:
        """Files an ingest or import decoded (path -> SHA-1, None when unknown)."""
        return dict(self.iter_recorded_files(role))

    def iter_recorded_files(self, role: str | None = None) -> Iterator[tuple[str, str | None]]:
        """:meth:`recorded_files` as ``(path, sha1)`` pairs in the order recorded, read lazily."""
        sql, args = "SELECT path, sha1 FROM files", ()
        if role is not None:
            sql, args = sql + " WHERE role = ?", (role,)
        yield from self._connection.execute(sql + " ORDER BY rowid", args)

    def is_recorded(self, file: str | Path, role: str = "image") -> bool:
        """Whether ``file`` was decoded as an ``image`` (or ``label_map``) by an ingest or import."""
        row = self._connection.execute(
            "SELECT 1 FROM files WHERE path = ? AND role = ?", (str(file), role)
        ).fetchone()
        return row is not None

    def _recorded(self, file: Path, role: str = "image") -> Path:
        if not self.is_recorded(file, role):
            # Only files an ingest or import decoded are read back: never any path a metadata
            # table names.
            raise ImageReadError(file, "is not a file this workspace recorded; not read")
        return file

    def read_frames(self, file: Path) -> list:
        """Every frame of ``file`` as an 8-bit ``L`` image, at the workspace's size if it has one."""
        from synthscope.workspace._decode import read_file_frames

        return read_file_frames(file, self.resize, self.max_pixels)

    def read_image(self, point: int) -> np.ndarray:
        """The 8-bit grayscale (H, W) of point ``point`` as features see it (full resolution,
        or the workspace's size when it was ingested with ``resize``).

        Only files recorded at ingest or import are read (:class:`ImageReadError` otherwise).
        """
        file, frame = self.image_file(point)
        frames = self.read_frames(self._recorded(file))
        for item in frames:
            if item.index == frame:
                return np.asarray(item.image)
        raise ImageReadError(file, f"has no frame {frame} ({len(frames)} frames)")

    def label_map(self, point: int) -> np.ndarray | None:
        """The point's label map (H, W) uint8, or None when it was ingested without one.

        Only label maps recorded at ingest or import are read (:class:`ImageReadError`
        otherwise, and for a file that is not an image).
        """
        from synthscope.workspace._decode import read_label_map

        row = self._connection.execute(
            "SELECT label_map FROM points WHERE id = ?", (point,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return read_label_map(
            self._recorded(Path(row[0]), "label_map"), self.resize, self.max_pixels
        )

    # -- projections -----------------------------------------------------------------------
    def projection_id(self, request: Any) -> str:
        """A stable id for a projection request: same request on the same points, same id.

        ``request`` is a :class:`~synthscope.projection.ProjectionRequest` or its canonical dict.
        """
        canonical = request.canonical() if hasattr(request, "canonical") else dict(request)
        key = json.dumps({**canonical, "n_points": self.n_points}, sort_keys=True, default=str)
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def save_projection(self, pid: str, embedding: np.ndarray, meta: dict) -> None:
        """Store coordinates and how they were made; a rerun of a named projection keeps its name."""
        check_name(pid, "projection id")
        folder = self.path / "projections"
        previous = self.load_projection(pid)
        if previous is not None and "name" in previous[1] and "name" not in meta:
            meta = {**meta, "name": previous[1]["name"]}
        save_npy_atomic(folder / f"{pid}.npy", np.asarray(embedding, dtype=np.float32))
        write_text_atomic(folder / f"{pid}.json", json.dumps({**meta, "id": pid}, indent=2))

    def rename_projection(self, pid: str, name: str | None) -> dict:
        """Give a stored projection a display name (empty or None removes it); its metadata back."""
        stored = self.load_projection(pid)
        if stored is None:
            raise UnknownFeatureError(f"no stored projection {pid!r}")
        meta = dict(stored[1])
        name = (name or "").strip()
        if len(name) > MAX_PROJECTION_NAME or any(ord(c) < 32 for c in name):
            raise fail(
                "name", f"must be at most {MAX_PROJECTION_NAME} printable characters (got {name!r})"
            )
        if name:
            meta["name"] = name
        else:
            meta.pop("name", None)
        write_text_atomic(self.path / "projections" / f"{pid}.json", json.dumps(meta, indent=2))
        return meta

    def delete_projection(self, pid: str) -> None:
        """Remove a stored projection (coordinates first, so a half-done delete lists nothing)."""
        check_name(pid, "projection id")
        folder = self.path / "projections"
        array, meta = folder / f"{pid}.npy", folder / f"{pid}.json"
        if not (array.is_file() and meta.is_file()):
            raise UnknownFeatureError(f"no stored projection {pid!r}")
        array.unlink()
        meta.unlink()

    def load_projection(self, pid: str) -> tuple[np.ndarray, dict] | None:
        check_name(pid, "projection id")
        folder = self.path / "projections"
        array, meta = folder / f"{pid}.npy", folder / f"{pid}.json"
        if not (array.is_file() and meta.is_file()):
            return None
        return np.load(array), json.loads(meta.read_text())

    def realism_report_path(self, feature: str) -> Path:
        """Where the last ``score`` of ``feature`` keeps its JSON report."""
        return self.path / REALISM_FOLDER / f"{self._vectors._file(feature).stem}.json"

    def realism_summary_path(self) -> Path:
        """Where the last ``score`` keeps its side-by-side comparison of the features scored."""
        return self.path / REALISM_FOLDER / "summary.json"

    def realism_reports(self) -> dict[str, Path]:
        """Feature -> stored report, in the order the last ``score`` listed them."""
        folder = self.path / REALISM_FOLDER
        found = {p.stem: p for p in sorted(folder.glob("*.json")) if p.stem != "summary"}
        summary = self.realism_summary_path()
        if summary.is_file():
            try:
                order = list(json.loads(summary.read_text(encoding="utf-8"))["features"])
            except (ValueError, KeyError, TypeError):
                order = []
            found = {**{f: found[f] for f in order if f in found}, **found}
        if not found and (self.path / LEGACY_REALISM_REPORT).is_file():
            return {"": self.path / LEGACY_REALISM_REPORT}
        return found

    def projections(self) -> list[dict]:
        folder = self.path / "projections"
        found = []
        for meta in sorted(folder.glob("*.json")):
            if (folder / f"{meta.stem}.npy").is_file():
                found.append(json.loads(meta.read_text()))
        return sorted(found, key=lambda item: str(item.get("created", "")))
