"""The workspace's SQLite file: schema, connections, and the registry of columns.

``points`` holds one row per image (``id`` = row of every vector file). ``columns`` records the
kind (``text`` or ``real``) of every column after the fixed ones. ``batches`` and ``edits`` are the
append-only log that makes each relabel undoable and auditable. ``files`` records every image and
label-map file an ingest or import decoded (with its SHA-1 and size): the server shows only those.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synthscope.workspace._frames import split_frame

__all__ = [
    "FIXED_COLUMNS",
    "SCHEMA_VERSION",
    "connect",
    "create_schema",
    "quote",
    "transaction",
    "upgrade_schema",
]

SCHEMA_VERSION = 1
# Fixed columns and whether a user may edit them. ``source`` is what was ingested and never changes.
FIXED_COLUMNS = {
    "id": False,
    "path": False,
    "source": False,
    "label": True,
    "group": True,
    "label_map": False,
}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    label TEXT,
    "group" TEXT,
    label_map TEXT
);
CREATE TABLE columns (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'real')),
    position INTEGER NOT NULL,
    computed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('edit', 'undo', 'redo')),
    "column" TEXT NOT NULL,
    target INTEGER,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE edits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    point INTEGER NOT NULL,
    "column" TEXT NOT NULL,
    old TEXT,
    new TEXT
);
CREATE INDEX edits_batch ON edits(batch);
CREATE TABLE files (
    path TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('image', 'label_map')),
    sha1 TEXT,
    size INTEGER,
    PRIMARY KEY (path, role)
);
"""

_FILES = _SCHEMA[_SCHEMA.index("CREATE TABLE files") :]


def quote(name: str) -> str:
    """An SQL identifier for a column name (names are checked before they reach SQL)."""
    return '"' + name.replace('"', '""') + '"'


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged edit survives a crash or power loss, not only a killed process.
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: writers serialise, and nothing is seen half-done."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def upgrade_schema(connection: sqlite3.Connection, *, made_from_images: bool = False) -> None:
    """Bring a workspace made by an older synthscope up to date (idempotent).

    ``made_from_images``: the workspace was made by ``ingest`` (its ``pixels64`` came from its
    images), so a missing ``files`` record is filled with every point's file and label map;
    an older import's paths are not trusted (re-import it to show its images).
    """
    names = {row[1] for row in connection.execute("PRAGMA table_info(columns)")}
    if names and "computed" not in names:
        with transaction(connection):
            # A computed column (a score, a nearest id) is written by a command, not edited.
            connection.execute("ALTER TABLE columns ADD COLUMN computed INTEGER NOT NULL DEFAULT 0")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "points" in tables and "files" not in tables:
        with transaction(connection):
            if "files" in {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}:
                return  # another process upgraded it meanwhile
            connection.execute(_FILES)
            if made_from_images:
                rows = connection.execute("SELECT path, label_map FROM points").fetchall()
                records = {(str(split_frame(path)[0]), "image") for path, _ in rows}
                records |= {(label, "label_map") for _, label in rows if label}
                connection.executemany(
                    "INSERT OR IGNORE INTO files (path, role) VALUES (?, ?)", sorted(records)
                )


def create_schema(connection: sqlite3.Connection) -> None:
    with transaction(connection):
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('app', 'synthscope')",
            (str(SCHEMA_VERSION),),
        )
