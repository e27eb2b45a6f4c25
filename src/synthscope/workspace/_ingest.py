"""Ingest folders of real and generated images into a workspace, all or nothing, in any size.

Files are decoded in batches, here or on a Dask cluster (see :mod:`._cluster`), and the driver
writes each batch's rows as they come into temporary files (vectors, thumbnails, atlas tiles),
while what it must remember of every file (which were named, read, recorded, their SHA-1 ...)
goes to the ingest's :class:`~._ledger.Ledger` on disk, as the folders are scanned into one
(:func:`~synthscope.io.iter_folder`): memory stays bounded by a batch, not by the number of
images. Only when every file is done are the files renamed into place and the points committed
to the database, which has the last word: a bad file (with ``on_error='fail'``) leaves the
workspace exactly as it was, and a new workspace is built in a temporary folder and renamed into
place only when complete.

Each file is one point, or one point per frame (multi-frame DICOM, multi-page TIFF, animated GIF,
PNG or WebP). The files decoded are recorded with their SHA-1 (the server shows only those), and
files with the same bytes as another are reported. A file named under both ``real`` and ``fake``
is refused, and the workspace's own folder is never ingested, even when it sits inside an
ingested folder.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from synthscope._files import staged_folder
from synthscope._params import Integral, Interval, Options, check_value, fail
from synthscope._progress import ProgressCallback
from synthscope.errors import InputError, InvalidParameterError, WorkspaceError
from synthscope.features import PixelsExtractor, pixel_feature_name, pixel_vector, pixels_to_float
from synthscope.io import (
    DEFAULT_MAX_PIXELS,
    PROPERTY_COLUMNS,
    Frame,
    ImageEntry,
    iter_folder,
    read_image_file,
    resize_image,
)
from synthscope.io._resize import RESIZE
from synthscope.workspace._cluster import Executor, executor_for
from synthscope.workspace._decode import ON_ERROR, Skipped, decode_in_order
from synthscope.workspace._embed import extractor_provenance
from synthscope.workspace._ledger import Ledger, ReadFile
from synthscope.workspace._npy import iter_row_blocks, npy_rows
from synthscope.workspace._store import SOURCE_FOLDER, Workspace, frame_key
from synthscope.workspace._thumbs import THUMB_SIZE, TileWriter, make_thumbnail

__all__ = ["IngestReport", "ingest"]

log = logging.getLogger(__name__)
PIXELS = pixel_feature_name(64)
_WRITE_CHUNK = 16  # decoded files the driver writes at once (a thread batch)
_SCAN_CHUNK = 256  # files named in the ledger at once
# Pillow hands each image's memory back as it is freed and asks for it anew for the next one (it
# keeps no freed blocks unless told): at 500 px that cost 0.6 ms a file, a fifth of a decode.
# Kept for reuse, a few blocks (each at most Pillow's 16 MB block size) remove that cost.
IMAGE_BLOCKS_KEPT = 8
# The native properties' column kinds: sizes and depths are numbers, the rest text.
PROPERTY_KINDS = {
    name: "real"
    if name in ("image_width", "image_height", "image_bit_depth", "image_channels")
    else "text"
    for name in PROPERTY_COLUMNS
}


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did: points added, files already present, files skipped and why.

    ``duplicates`` pairs each new file with an earlier file (in this ingest or the workspace)
    holding the same bytes; both are ingested, but a study usually wants to know.
    """

    workspace: Path
    added: int
    already_present: int
    n_points: int
    created: bool
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Decoded:
    keys: list[str]  # one per frame: the file's path, with '#k' for frame k (see frame_key)
    pixels: np.ndarray  # (frames, 4096) uint8
    thumbs: np.ndarray  # (frames, 64, 64) uint8
    properties: dict[str, object]  # the file's native size, depth, format (PROPERTY_COLUMNS)
    sha1: str
    size: int


def _decode(
    entry: ImageEntry, resize: int | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> _Decoded:
    # Read once: the SHA-1 recorded is that of the very bytes decoded.
    read = read_image_file(entry.file, max_pixels=max_pixels)
    frames = read.frames
    if resize is not None:
        frames = [Frame(resize_image(f.image, resize), f.index) for f in frames]
    keys = [frame_key(entry.file, f.index) for f in frames]
    pixels = np.stack([pixel_vector(f.image, 64) for f in frames])
    thumbs = np.stack([make_thumbnail(f.image) for f in frames])
    return _Decoded(keys, pixels, thumbs, read.properties, read.sha1, read.size)


def _decode_numbered(
    numbered: tuple[int, ImageEntry], *, resize: int | None, max_pixels: int
) -> _Decoded:
    """:func:`_decode` of an entry given with its place in the ingest (runs on a worker too)."""
    _keep_image_blocks()  # a Dask worker's process keeps them: it decodes for a living
    return _decode(numbered[1], resize, max_pixels)


def _keep_image_blocks() -> None:
    if Image.core.get_blocks_max() < IMAGE_BLOCKS_KEPT:
        Image.core.set_blocks_max(IMAGE_BLOCKS_KEPT)


def _scan(ledger: Ledger, real: Sequence[Path], fake: Sequence[Path], workspace: Path) -> None:
    """Name every image under the folders in ``ledger``, real folders first."""
    for source, folders in (("real", real), ("fake", fake)):
        for folder in folders:
            root = str(Path(folder).resolve())
            entries = iter_folder(folder, source, exclude=[workspace])
            # A batch at a time: one statement per file would be most of the scan's time.
            while batch := list(itertools.islice(entries, _SCAN_CHUNK)):
                # The folder scopes the entry's group: see SOURCE_FOLDER.
                scoped = [
                    ImageEntry(
                        e.file, e.source, e.group, e.label_map, {**e.extras, SOURCE_FOLDER: root}
                    )
                    for e in batch
                ]
                # Overlapping folders: the first mention wins, unless it named the other source
                # (real folders come first: this one is fake).
                conflict = ledger.add(scoped, root)
                if conflict is not None:
                    file, _, first_folder = conflict
                    raise InputError(
                        Path(file),
                        f"is given as real (--real {first_folder}) and as generated "
                        f"(--fake {root}); a file can be only one",
                    )


def _is_number(value: str | None) -> bool:
    if value is None:
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


class _ColumnKinds:
    """Whether each metadata column of the files read holds only numbers (then it is 'real')."""

    def __init__(self) -> None:
        self._numeric: dict[str, bool] = {}  # in order of first appearance

    def add(self, extras: dict[str, str | None]) -> None:
        for name, value in extras.items():
            self._numeric[name] = self._numeric.get(name, True) and _is_number(value)

    def kinds(self, known: dict[str, str]) -> dict[str, str]:
        return {
            name: known.get(name, "real" if numeric else "text")
            for name, numeric in self._numeric.items()
        }


def _records(ledger: Ledger, kinds: dict[str, str]) -> Iterator[dict[str, object]]:
    """The points' database records, one file read at a time (see :func:`_write_files`)."""
    for source, group, label_map, extras, keys, properties in ledger.points():
        values: dict[str, object] = {}
        for name, value in extras.items():
            if kinds[name] == "real":
                values[name] = float(value) if _is_number(value) and value is not None else None
            else:
                values[name] = value
        for key in keys:
            yield {
                "path": key,
                "source": source,
                "label": source,
                "group": group,
                "label_map": label_map,
                **values,
                **properties,
            }


class _NothingRead(Exception):
    """Every file was skipped: abandon the files begun."""


def _write_files(
    workspace: Workspace,
    numbered: Iterator[tuple[tuple[int, ImageEntry], _Decoded]],
    ledger: Ledger,
    columns: _ColumnKinds,
    duplicates: list[tuple[str, str]],
) -> int:
    """Stream decoded files into pixels64, thumbnails and tiles after the workspace's points.

    Each file read goes to ``ledger`` (its point keys, properties, SHA-1) and its metadata to
    ``columns``; one repeating an earlier file's bytes to ``duplicates``. Every file appears only
    when all are written. Returns the rows added.
    """
    n_old = workspace.n_points
    thumbs_file = workspace.path / "thumbs" / "thumbs64.npy"
    with ExitStack() as stack:
        pixels = stack.enter_context(
            workspace.vector_writer(PIXELS, extractor_provenance(PixelsExtractor(64)))
        )
        thumbs = stack.enter_context(npy_rows(thumbs_file, (THUMB_SIZE, THUMB_SIZE), np.uint8))
        tiles = TileWriter(workspace.path / "thumbs", workspace.thumbnails(), stack)
        if n_old:  # the new files hold the old rows first, copied a block at a time
            for block in workspace.vector_blocks(PIXELS):
                pixels.append(block)
            for block in iter_row_blocks(thumbs_file, n_old):
                thumbs.append(block)
        # Sixteen files at a time: the driver is the only writer, and a statement or a
        # write per file would make it the ingest's bottleneck.
        while chunk := list(itertools.islice(numbered, _WRITE_CHUNK)):
            read = [
                ReadFile(place, entry, r.keys, r.properties, r.sha1, r.size)
                for (place, entry), r in chunk
            ]
            for item, earlier in zip(read, ledger.read(read), strict=True):
                if earlier is not None:
                    duplicates.append((str(item.entry.file), earlier))
                columns.add(item.entry.extras)
            block = np.concatenate([r.thumbs for _, r in chunk])
            pixels.append(pixels_to_float(np.concatenate([r.pixels for _, r in chunk])))
            thumbs.append(block)
            tiles.add(block)
        if pixels.n_rows == n_old:
            raise _NothingRead
        tiles.finish()
    return pixels.n_rows - n_old


def _append(
    workspace: Workspace,
    ledger: Ledger,
    n_new: int,
    executor: Executor,
    *,
    resize: int | None,
    max_pixels: int,
    on_error: str,
    skipped: list[Skipped],
    duplicates: list[tuple[str, str]],
    progress: ProgressCallback | None,
) -> int:
    """Decode the ``n_new`` new files of ``ledger`` and append their points: files first, then
    the database has the last word."""
    if workspace.n_points and PIXELS not in workspace.features():
        raise WorkspaceError(
            f"{workspace.path}: holds imported vectors without images; ingest into a new workspace"
        )
    numbered = decode_in_order(
        executor,
        ledger.new(),
        functools.partial(_decode_numbered, resize=resize, max_pixels=max_pixels),
        total=n_new,
        on_error=on_error,
        skipped=skipped,
        progress=progress,
        name_of=lambda item: item[1].file,
    )
    columns = _ColumnKinds()
    added = _write_files(workspace, numbered, ledger, columns, duplicates)
    known = {name: workspace.column_kind(name) for name in workspace.columns()}
    kinds = columns.kinds(known)
    kinds.update({name: kind for name, kind in PROPERTY_KINDS.items() if name not in known})
    raised = max_pixels > workspace.max_pixels  # remembered, so its images can be shown later
    workspace.append_points(
        _records(ledger, kinds),
        {k: v for k, v in kinds.items() if k not in known},
        computed=(SOURCE_FOLDER, *PROPERTY_KINDS),
        files=ledger.files(),
        meta={"setting:max_pixels": str(max_pixels)} if raised else None,
    )
    return added


def ingest(
    workspace: str | Path,
    real: Sequence[str | Path] = (),
    fake: Sequence[str | Path] = (),
    *,
    on_error: str = "fail",
    resize: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    workers: int | None = None,
    cluster: Any = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Create or extend ``workspace`` with the images under the ``real`` and ``fake`` folders.

    Parameters
    ----------
    workspace
        The workspace folder (made when new).
    real, fake
        Folders of real and of generated images.
    on_error
        ``"fail"``: stop at the first unreadable file, leaving the workspace as it was;
        ``"skip"``: leave such files out and list them.
    resize
        Bring every image to ``resize`` x ``resize`` before any feature (see
        :data:`synthscope.io.RESIZE_METHOD`), so that sets stored at different sizes are compared
        like with like; recorded in the workspace and kept for every later ingest.
    max_pixels
        The most pixels one frame may hold; larger ones are refused as decompression bombs
        (:data:`~synthscope.io.DEFAULT_MAX_PIXELS` = 8192 x 8192). A raised limit is remembered
        by the workspace, so its images can be shown later.
    workers
        Decoding threads in this process (all cores by default; not used with ``cluster``).
    cluster
        Where the files are decoded: None (``$SYNTHSCOPE_CLUSTER``, else threads in this
        process), ``"local[:N]"`` (a Dask LocalCluster of N processes), ``"tcp://HOST:PORT"``
        (a running Dask scheduler; its workers must see the image files under the same paths),
        a ``distributed.Client``, or an open :class:`~synthscope.workspace.Executor`. The
        result is the same, byte for byte.
    progress
        ``(done, total)`` over files.
    """
    if not real and not fake:
        raise InvalidParameterError(
            "no folders given: name at least one of real or generated images"
        )
    check_value("on_error", on_error, Options(*ON_ERROR))
    max_pixels = check_value("max_pixels", max_pixels, Interval(Integral, 1, None))
    path = Path(workspace)
    exists = Workspace.exists(path)
    if not exists and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise WorkspaceError(
            f"{path}: exists and is not a synthscope workspace; choose a new folder"
        )
    if resize is not None:
        check_value("resize", resize, RESIZE)
    blocks = Image.core.get_blocks_max()
    try:
        # First, so that a cluster that cannot be used fails before anything is read or written.
        with executor_for(cluster, threads=workers) as executor:
            return _ingest(
                path, exists, real, fake, executor, on_error, resize, max_pixels, progress
            )
    finally:
        Image.core.set_blocks_max(blocks)  # this process's Pillow as it was; kept blocks freed


def _ingest(
    path: Path,
    exists: bool,
    real: Sequence[str | Path],
    fake: Sequence[str | Path],
    executor: Executor,
    on_error: str,
    resize: int | None,
    max_pixels: int,
    progress: ProgressCallback | None,
) -> IngestReport:
    with Ledger() as ledger:
        _scan(ledger, [Path(p) for p in real], [Path(p) for p in fake], path)
        if exists:
            with Workspace.open(path) as existing:
                ledger.note_points(existing.iter_rows(["path", "source"]))
                ledger.note_recorded(existing.iter_recorded_files("image"))
                stored = existing.resize
                if stored is None and resize is not None and existing.n_points == 0:
                    existing.set_setting("resize", resize)  # an empty workspace takes any size
                    stored = resize
            if resize is not None and resize != stored:
                raise fail(
                    "resize",
                    f"must match the workspace's: {path} stores images "
                    + (f"at {stored} x {stored}" if stored else "at their own size")
                    + f" (got {resize})",
                )
            resize = stored
        conflict = ledger.first_conflict()
        if conflict is not None:
            file, before, source = conflict
            raise InputError(
                Path(file),
                f"is already in {path} as {'real' if before == 'real' else 'generated'}; "
                f"it cannot be added as {'real' if source == 'real' else 'generated'} too",
            )
        n_new, already = ledger.set_new()

        def unchanged() -> IngestReport:
            n = Workspace.open(path).n_points if exists else 0
            return IngestReport(path, 0, already, n, False, skipped)

        skipped: list[Skipped] = []
        duplicates: list[tuple[str, str]] = []  # the report's: only files that repeat another
        if not n_new:
            return unchanged()
        options = {
            "resize": resize,
            "max_pixels": max_pixels,
            "on_error": on_error,
            "skipped": skipped,
            "duplicates": duplicates,
            "progress": progress,
        }
        try:
            if exists:
                with Workspace.open(path) as target:
                    added = _append(target, ledger, n_new, executor, **options)
                    n_points = target.n_points
            else:
                # A new workspace appears whole or not at all (an empty folder made for it is fine).
                with staged_folder(path) as staging, Workspace.create(staging) as target:
                    if resize is not None:
                        target.set_setting("resize", resize)
                    added = _append(target, ledger, n_new, executor, **options)
                    n_points = target.n_points
        except _NothingRead:
            if not exists:
                _, first = next(ledger.new())
                raise InputError(
                    first.file.parent, "no image could be read (all were skipped)"
                ) from None
            return unchanged()
    for item in skipped:
        log.warning("skipped %s: %s", item.path, item.reason)
    return IngestReport(path, added, already, n_points, not exists, skipped, duplicates)
