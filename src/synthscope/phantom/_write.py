"""Write a phantom set to disk: ``images/``, ``labels/``, ``frames.tsv`` and ``phantom.json``.

The set is written into a hidden sibling folder and renamed into place at the end, so ``OUT``
either holds a complete set or none: an interrupted run never leaves a half-written table.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from synthscope._files import staged_folder
from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError
from synthscope.phantom._params import PhantomParams
from synthscope.phantom._png import encode_gray_png
from synthscope.phantom._simulate import FrameRecord, _Job, _tasks, check_counts, run_ordered

__all__ = ["write_phantom"]

log = logging.getLogger(__name__)

# zlib level 1 for frames: speckle barely compresses (level 6 saves ~2 %) at half the speed.
# Label maps are flat regions, which level 6 shrinks by a third more at little cost.
_IMAGE_LEVEL, _LABEL_LEVEL = 1, 6


class _PngWriter:
    """Writes one frame's image and label map as 8-bit grayscale PNGs (picklable)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, stem: str, image: np.ndarray, labels: np.ndarray) -> None:
        (self.root / "images" / f"{stem}.png").write_bytes(encode_gray_png(image, _IMAGE_LEVEL))
        (self.root / "labels" / f"{stem}.png").write_bytes(encode_gray_png(labels, _LABEL_LEVEL))


def _tsv_value(value: object) -> str:
    return "" if value is None else str(value)


def frames_tsv(records: Iterable[FrameRecord]) -> str:
    """The text of ``frames.tsv``: a header row, then one row per frame."""
    names = [field.name for field in dataclasses.fields(FrameRecord)]
    lines = ["\t".join(names)]
    for record in records:
        lines.append("\t".join(_tsv_value(getattr(record, name)) for name in names))
    return "\n".join(lines) + "\n"


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def write_phantom(
    out: str | os.PathLike[str],
    *,
    n: int = 400,
    size: int = 500,
    seed: int = 0,
    pullbacks: int | None = None,
    params: PhantomParams | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    overwrite: bool = False,
) -> list[FrameRecord]:
    """Simulate ``n`` frames over ``pullbacks`` pullbacks and write them under ``out``.

    Layout: ``out/images/<stem>.png`` (8-bit grayscale B-mode), ``out/labels/<stem>.png``
    (uint8: 0 outside the field, 1 lumen incl. catheter, 2 plaque, 3 perivascular, 4 calcium),
    ``out/frames.tsv`` (header row; ``stem``, ``pullback``, ``frame``, plaque burden, calcium, ...)
    and ``out/phantom.json`` (the arguments and parameters). Stems such as ``pb000_f0000`` sort in
    pullback, then frame order. The same arguments give the same bytes.

    Parameters
    ----------
    out : path
        Folder to create; it may exist only if empty, unless ``overwrite`` is set.
    n, size, seed, pullbacks : int
        Frame count, frame width and height in pixels, seed, and pullbacks the frames are split
        over (the first ``n % pullbacks`` pullbacks get one frame more; default ``min(8, n)``).
    params : PhantomParams, optional
        Physics and anatomy; the defaults when omitted.
    progress : callable, optional
        Called with ``(done, total)`` frames.
    workers : int, optional
        Processes rendering frames (default: the usable cores, at most 8). The output does not
        depend on it.
    overwrite : bool
        Replace an existing, non-empty ``out``.

    Returns
    -------
    list of FrameRecord
        The rows of ``frames.tsv``.
    """
    params = PhantomParams() if params is None else params
    if pullbacks is None:
        pullbacks = min(8, n) if isinstance(n, int) and n >= 1 else 1
    check_counts(n, size, seed, pullbacks)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"{out}: exists and is not a folder")
    if out.is_dir() and not _is_empty_dir(out) and not overwrite:
        raise InvalidParameterError(
            f"{out}: folder exists and is not empty; choose a new folder or pass overwrite"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with staged_folder(out, replace=True) as partial:
        (partial / "images").mkdir(parents=True)
        (partial / "labels").mkdir()
        job = _Job(params, size, seed, range(pullbacks), write=_PngWriter(partial))
        results = run_ordered(job, _tasks(n, pullbacks), workers, progress)
        records = [record for _, _, record in results]
        (partial / "frames.tsv").write_text(frames_tsv(records), encoding="utf-8")
        meta = {
            "generator": "synthscope.phantom",
            "n": n,
            "size": size,
            "seed": seed,
            "pullbacks": pullbacks,
            "params": dataclasses.asdict(params),
        }
        (partial / "phantom.json").write_text(
            json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    log.info("wrote %d phantom frames to %s", n, out)
    return records
