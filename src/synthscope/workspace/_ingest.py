"""Ingest folders of real and generated images into a workspace, all or nothing.

Every file is decoded before anything is written, so a bad file (with ``on_error='fail'``) leaves
the workspace exactly as it was; a new workspace is built in a temporary folder and renamed into
place only when complete.

Each file is one point, or one point per frame (multi-frame DICOM, multi-page TIFF, animated GIF,
PNG or WebP). The files decoded are recorded with their SHA-1 (the server shows only those), and
files with the same bytes as another are reported. A file named under both ``real`` and ``fake``
is refused, and the workspace's own folder is never ingested, even when it sits inside an
ingested folder.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from synthscope._files import save_npy_atomic, staged_folder
from synthscope._params import Integral, Interval, Options, check_value, fail
from synthscope._progress import ProgressCallback
from synthscope.errors import InputError, InvalidParameterError, WorkspaceError
from synthscope.features import PixelsExtractor, pixel_feature_name, pixel_vector, pixels_to_float
from synthscope.io import (
    DEFAULT_MAX_PIXELS,
    PROPERTY_COLUMNS,
    Frame,
    ImageEntry,
    native_properties,
    read_frames,
    resize_image,
    scan_folder,
)
from synthscope.io._resize import RESIZE
from synthscope.workspace._decode import ON_ERROR, Skipped, decode_in_parallel
from synthscope.workspace._embed import extractor_provenance
from synthscope.workspace._store import (
    SOURCE_FOLDER,
    FileRecord,
    Workspace,
    frame_key,
    split_frame,
)
from synthscope.workspace._thumbs import make_thumbnail, write_tiles

__all__ = ["IngestReport", "ingest"]

log = logging.getLogger(__name__)
PIXELS = pixel_feature_name(64)
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


def _digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha1")
        return digest.hexdigest(), handle.tell()


def _decode(
    entry: ImageEntry, resize: int | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> _Decoded:
    # first: its errors say best what is wrong with a file (and it refuses bombs)
    frames = read_frames(entry.file, max_pixels=max_pixels)
    properties = native_properties(entry.file)
    if resize is not None:
        frames = [Frame(resize_image(f.image, resize), f.index) for f in frames]
    keys = [frame_key(entry.file, f.index) for f in frames]
    pixels = np.stack([pixel_vector(f.image, 64) for f in frames])
    thumbs = np.stack([make_thumbnail(f.image) for f in frames])
    sha1, size = _digest(entry.file)
    return _Decoded(keys, pixels, thumbs, properties, sha1, size)


def _scan(real: Sequence[Path], fake: Sequence[Path], workspace: Path) -> list[ImageEntry]:
    entries: list[ImageEntry] = []
    seen: dict[Path, tuple[str, Path]] = {}
    for source, folders in (("real", real), ("fake", fake)):
        for folder in folders:
            root = Path(folder).resolve()
            for entry in scan_folder(folder, source, exclude=[workspace]):
                if entry.file in seen:  # overlapping folders: first mention wins
                    first_source, first_folder = seen[entry.file]
                    if first_source != source:  # real folders come first: this one is fake
                        raise InputError(
                            entry.file,
                            f"is given as real (--real {first_folder}) and as generated "
                            f"(--fake {root}); a file can be only one",
                        )
                    continue
                seen[entry.file] = (source, root)
                # The folder scopes the entry's group: see SOURCE_FOLDER.
                extras = {**entry.extras, SOURCE_FOLDER: str(root)}
                entries.append(replace(entry, extras=extras))
    return entries


def _duplicates(
    decoded: list[tuple[ImageEntry, _Decoded]], known: dict[str, str | None]
) -> list[tuple[str, str]]:
    """(file, earlier file with the same bytes) for each new file that repeats another."""
    first: dict[str, str] = {}
    for path, sha1 in known.items():
        if sha1:
            first.setdefault(sha1, path)
    pairs = []
    for entry, result in decoded:
        earlier = first.setdefault(result.sha1, str(entry.file))
        if earlier != str(entry.file):
            pairs.append((str(entry.file), earlier))
    return pairs


def _files(decoded: list[tuple[ImageEntry, _Decoded]]) -> list[FileRecord]:
    records: list[FileRecord] = []
    for entry, result in decoded:
        records.append((str(entry.file), "image", result.sha1, result.size))
        if entry.label_map is not None:
            records.append((str(entry.label_map), "label_map", None, None))
    return records


def _is_number(value: str | None) -> bool:
    if value is None:
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def _column_kinds(entries: Sequence[ImageEntry], known: dict[str, str]) -> dict[str, str]:
    names: dict[str, None] = {}
    for entry in entries:
        names.update(dict.fromkeys(entry.extras))
    kinds = {}
    for name in names:
        numeric = all(_is_number(entry.extras.get(name)) for entry in entries)
        kinds[name] = known.get(name, "real" if numeric else "text")
    return kinds


def _records(
    decoded: list[tuple[ImageEntry, _Decoded]], kinds: dict[str, str]
) -> list[dict[str, object]]:
    records = []
    for entry, result in decoded:
        extras: dict[str, object] = {}
        for name, value in entry.extras.items():
            if kinds[name] == "real":
                extras[name] = float(value) if _is_number(value) and value is not None else None
            else:
                extras[name] = value
        for key in result.keys:
            records.append(
                {
                    "path": key,
                    "source": entry.source,
                    "label": entry.source,
                    "group": entry.group,
                    "label_map": str(entry.label_map) if entry.label_map else None,
                    **extras,
                    **result.properties,
                }
            )
    return records


def _append(
    workspace: Workspace, decoded: list[tuple[ImageEntry, _Decoded]], max_pixels: int
) -> int:
    """Write vectors and thumbnails first, then commit the points: the database has the last word."""
    n_old = workspace.n_points
    if n_old and PIXELS not in workspace.features():
        raise WorkspaceError(
            f"{workspace.path}: holds imported vectors without images; ingest into a new workspace"
        )
    new_pixels = pixels_to_float(np.concatenate([result.pixels for _, result in decoded]))
    new_thumbs = np.concatenate([result.thumbs for _, result in decoded])
    old_pixels = workspace.vectors(PIXELS) if n_old else new_pixels[:0]
    old_thumbs = workspace.thumbnails()[:n_old]
    thumbs = np.concatenate([old_thumbs, new_thumbs])
    pixels = np.concatenate([old_pixels, new_pixels])
    workspace.write_vectors(
        PIXELS,
        pixels,
        extractor_provenance(PixelsExtractor(64)),
        n_points=pixels.shape[0],
    )
    save_npy_atomic(workspace.path / "thumbs" / "thumbs64.npy", thumbs)
    write_tiles(workspace.path / "thumbs", thumbs, n_old)

    known = {name: workspace.column_kind(name) for name in workspace.columns()}
    kinds = _column_kinds([entry for entry, _ in decoded], known)
    records = _records(decoded, kinds)
    kinds.update({name: kind for name, kind in PROPERTY_KINDS.items() if name not in known})
    raised = max_pixels > workspace.max_pixels  # remembered, so its images can be shown later
    workspace.append_points(
        records,
        {k: v for k, v in kinds.items() if k not in known},
        computed=(SOURCE_FOLDER, *PROPERTY_KINDS),
        files=_files(decoded),
        meta={"setting:max_pixels": str(max_pixels)} if raised else None,
    )
    return len(records)


def ingest(
    workspace: str | Path,
    real: Sequence[str | Path] = (),
    fake: Sequence[str | Path] = (),
    *,
    on_error: str = "fail",
    resize: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    workers: int | None = None,
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
        Decoding threads (all cores by default).
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
    entries = _scan([Path(p) for p in real], [Path(p) for p in fake], path)
    present: dict[str, str] = {}
    known: dict[str, str | None] = {}
    if exists:
        with Workspace.open(path) as existing:
            for stored_path, source in existing.rows(["path", "source"]):
                present[str(split_frame(stored_path)[0])] = source
            known = existing.recorded_files("image")
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
    for entry in entries:
        before = present.get(str(entry.file))
        if before is not None and before != entry.source:
            raise InputError(
                entry.file,
                f"is already in {path} as {'real' if before == 'real' else 'generated'}; "
                f"it cannot be added as {'real' if entry.source == 'real' else 'generated'} too",
            )
    todo = [entry for entry in entries if str(entry.file) not in present]

    decoded, skipped = decode_in_parallel(
        todo,
        functools.partial(_decode, resize=resize, max_pixels=max_pixels),
        on_error=on_error,
        workers=workers,
        progress=progress,
        name_of=lambda entry: entry.file,
    )
    duplicates = _duplicates(decoded, known)
    if not decoded:
        if not exists and todo:
            raise InputError(todo[0].file.parent, "no image could be read (all were skipped)")
        n = Workspace.open(path).n_points if exists else 0
        return IngestReport(path, 0, len(entries) - len(todo), n, False, skipped)

    if exists:
        with Workspace.open(path) as target:
            added = _append(target, decoded, max_pixels)
            n_points = target.n_points
    else:
        # A new workspace appears whole or not at all (an empty folder made for it is fine).
        with staged_folder(path) as staging, Workspace.create(staging) as target:
            if resize is not None:
                target.set_setting("resize", resize)
            added = _append(target, decoded, max_pixels)
            n_points = target.n_points
    for item in skipped:
        log.warning("skipped %s: %s", item.path, item.reason)
    return IngestReport(
        path, added, len(entries) - len(todo), n_points, not exists, skipped, duplicates
    )
