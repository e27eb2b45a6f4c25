"""An ingest's bookkeeping, one row per file, on disk: what it must remember until it commits.

Which files were named and under which folder, which are new to the workspace, which were read
(with their point keys and properties), the files to record and the first file seen with each
SHA-1 (for the duplicate check) would otherwise grow with the number of files in the driver's
memory. Here they live in SQLite's private temporary database: a small page cache in memory, the
rest in a file that is deleted when the ledger closes (or the process dies), so an ingest of any
size runs in bounded memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from synthscope.io import ImageEntry
from synthscope.workspace._frames import split_frame

__all__ = ["Ledger", "ReadFile"]

_SCHEMA = """
CREATE TABLE present (file TEXT PRIMARY KEY, source TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
    place INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    folder TEXT NOT NULL,
    "group" TEXT,
    label_map TEXT,
    extras TEXT NOT NULL,
    new INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE read (
    place INTEGER PRIMARY KEY,
    keys TEXT NOT NULL,
    properties TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE first_bytes (sha1 TEXT PRIMARY KEY, file TEXT NOT NULL) WITHOUT ROWID;
"""
_ENTRY = 'file, source, "group", label_map, extras'


def _entry(file: str, source: str, group: str | None, label_map: str | None, extras: str):
    return ImageEntry(
        Path(file), source, group, Path(label_map) if label_map else None, json.loads(extras)
    )


@dataclass(frozen=True)
class ReadFile:
    """What the ledger keeps of a new file once read: its place, entry, point keys,
    properties, and its bytes' SHA-1 and size."""

    place: int
    entry: ImageEntry
    keys: list[str]
    properties: dict
    sha1: str
    size: int


class Ledger:
    """The files of one ingest, in the order they were named (see the module's notes)."""

    def __init__(self) -> None:
        # "": a private temporary database, on disk beyond its page cache; never committed.
        self._db = sqlite3.connect("")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the workspace holds already ------------------------------------------------------
    def note_points(self, rows: Iterable[tuple[str, str]]) -> None:
        """The workspace's points ``(path, source)``: their files are present."""
        self._db.executemany(
            "INSERT OR REPLACE INTO present VALUES (?, ?)",
            ((str(split_frame(path)[0]), source) for path, source in rows),
        )

    def note_recorded(self, rows: Iterable[tuple[str, str | None]]) -> None:
        """The workspace's recorded images ``(path, sha1)`` in order: the first with each SHA-1
        is what a new file with the same bytes repeats."""
        self._db.executemany(
            "INSERT OR IGNORE INTO first_bytes VALUES (?, ?)",
            ((sha1, path) for path, sha1 in rows if sha1),
        )

    # -- the files named ---------------------------------------------------------------------
    def add(self, entries: Sequence[ImageEntry], folder: str) -> tuple[str, str, str] | None:
        """Name ``entries`` (found under ``folder``), a batch at a time: a file named before keeps
        its first mention. Returns ``(file, source, folder)`` of the first of them (in order)
        that was first named with the other source, or None."""
        rows = [
            (
                str(entry.file),
                entry.source,
                entry.group,
                str(entry.label_map) if entry.label_map else None,
                json.dumps(entry.extras),
                folder,
            )
            for entry in entries
        ]
        if not rows:
            return None
        self._db.executemany(
            f"INSERT OR IGNORE INTO entries ({_ENTRY}, folder) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        named = dict.fromkeys(row[0] for row in rows)
        first = {
            file: (source, first_folder)
            for file, source, first_folder in self._db.execute(
                f"SELECT file, source, folder FROM entries WHERE file IN ({', '.join('?' * len(named))})",
                list(named),
            )
        }
        for file, source, *_ in rows:
            if first[file][0] != source:
                return file, *first[file]
        return None

    def first_conflict(self) -> tuple[str, str, str] | None:
        """The first file named whose source differs from its point's: ``(file, was, named)``."""
        return self._db.execute(
            "SELECT e.file, p.source, e.source FROM entries e JOIN present p USING (file) "
            "WHERE p.source != e.source ORDER BY e.place LIMIT 1"
        ).fetchone()

    def set_new(self) -> tuple[int, int]:
        """Mark the files whose points the workspace lacks; ``(new, already present)``."""
        self._db.execute("UPDATE entries SET new = 0 WHERE file IN (SELECT file FROM present)")
        counts = dict(self._db.execute("SELECT new, COUNT(*) FROM entries GROUP BY new"))
        return counts.get(1, 0), counts.get(0, 0)

    def new(self) -> Iterator[tuple[int, ImageEntry]]:
        """``(place, entry)`` of each new file, in order, read as they are wanted."""
        for place, *entry in self._db.execute(
            f"SELECT place, {_ENTRY} FROM entries WHERE new ORDER BY place"
        ):
            yield place, _entry(*entry)

    # -- the files read ----------------------------------------------------------------------
    def read(self, files: Sequence[ReadFile]) -> list[str | None]:
        """Record that new files were read, in order; for each, the earlier file with its bytes
        (in this ingest or the workspace), if any. A batch at a time: three statements, not
        four per file, which an ingest's single writer would otherwise spend its time on."""
        self._db.executemany(
            "INSERT INTO read VALUES (?, ?, ?, ?, ?)",
            (
                (f.place, json.dumps(f.keys), json.dumps(f.properties), f.sha1, f.size)
                for f in files
            ),
        )
        digests = sorted({f.sha1 for f in files})
        known = dict(
            self._db.execute(
                f"SELECT sha1, file FROM first_bytes WHERE sha1 IN ({', '.join('?' * len(digests))})",
                digests,
            )
        )
        first = dict(known)  # and the first file of this batch with each SHA-1 not known before
        earlier: list[str | None] = []
        for f in files:
            file = str(f.entry.file)
            before = first.setdefault(f.sha1, file)
            earlier.append(None if before == file else before)
        self._db.executemany(
            "INSERT INTO first_bytes VALUES (?, ?)",
            ((sha1, file) for sha1, file in first.items() if sha1 not in known),
        )
        return earlier

    def points(self) -> Iterator[tuple[str, str | None, str | None, dict, list[str], dict]]:
        """``(source, group, label map, extras, point keys, properties)`` of each file read, in
        order: what the points' records hold (plain values: no paths are made for them)."""
        for source, group, label_map, extras, keys, properties in self._db.execute(
            'SELECT source, "group", label_map, extras, keys, properties '
            "FROM entries JOIN read USING (place) ORDER BY place"
        ):
            yield (
                source,
                group,
                label_map,
                json.loads(extras),
                json.loads(keys),
                json.loads(properties),
            )

    def files(self) -> Iterator[tuple[str, str, str | None, int | None]]:
        """The files to record, ``(path, role, sha1, size)``, in the order they were read: each
        image, then its label map."""
        return self._db.execute(
            "SELECT path, role, sha1, size FROM ("
            " SELECT place, 0 AS kind, file AS path, 'image' AS role, sha1, size"
            " FROM entries JOIN read USING (place)"
            " UNION ALL"
            " SELECT place, 1, label_map, 'label_map', NULL, NULL"
            " FROM entries JOIN read USING (place) WHERE label_map IS NOT NULL"
            ") ORDER BY place, kind"
        )
