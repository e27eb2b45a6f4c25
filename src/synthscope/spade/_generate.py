"""Generate images from label maps alone (no real images needed), into the phantom's layout.

``OUT/images/<stem>.png`` (generated), ``OUT/labels/<stem>.png`` (the label map used, at the
generated size) and ``OUT/frames.tsv`` (``stem``, the columns of a ``frames.tsv`` found in or
beside the label folder, and where the images came from), ready for ``synthscope ingest --fake``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from synthscope._progress import ProgressCallback
from synthscope.errors import InputError, InvalidParameterError
from synthscope.io import read_sidecar_table, write_metadata_tsv
from synthscope.spade._data import check_label_values, list_images, read_label_map, resize_label
from synthscope.spade._grid import write_png
from synthscope.spade._model import autocast, load_trained, to_one_hot, to_uint8

__all__ = ["GenerateResult", "generate_images", "style_codes"]

log = logging.getLogger(__name__)

PROVENANCE = ("spade_run", "spade_checkpoint", "spade_step", "spade_seed")


@dataclass(frozen=True)
class GenerateResult:
    """What :func:`generate_images` wrote."""

    out_dir: Path
    stems: list[str]
    checkpoint: Path
    step: int


def style_codes(seed: int, indices: list[int], z_dim: int) -> torch.Tensor:
    """VAE style codes, one per image from (seed, index) alone: batching cannot change them."""
    codes = []
    for index in indices:
        state = np.random.SeedSequence([seed, index]).generate_state(1, np.uint64)[0]
        generator = torch.Generator().manual_seed(int(state >> np.uint64(1)))
        codes.append(torch.randn(z_dim, generator=generator))
    return torch.stack(codes)


def _sidecar(labels_dir: Path) -> tuple[list[str], dict[str, list[str | None]]]:
    """Columns and rows (by stem) of a frames.tsv in or beside the label folder, if any."""
    for path in (labels_dir / "frames.tsv", labels_dir.parent / "frames.tsv"):
        if path.is_file():
            columns, rows = read_sidecar_table(path)
            if not columns or columns[0] != "stem":
                log.warning("%s: first column is not 'stem'; not copied", path)
                return [], {}
            return columns[1:], {row[0]: row[1:] for row in rows if row[0] is not None}
    return [], {}


def generate_images(
    run_dir: str | Path,
    labels_dir: str | Path,
    out_dir: str | Path,
    *,
    checkpoint: str = "latest",
    seed: int = 0,
    batch_size: int = 8,
    device: str = "auto",
    progress: ProgressCallback | None = None,
) -> GenerateResult:
    """Generate one image per label map in ``labels_dir`` with a trained run.

    Label maps are resized (nearest) to the run's size and checked against its class count
    before anything is written. Without a VAE the output depends on the label map only; with one,
    each image's style code comes from (``seed``, its position), so the same call gives the same
    bytes whatever the batch size.
    """
    if batch_size < 1:
        raise InvalidParameterError(f"batch_size must be >= 1 (got {batch_size})")
    run_dir, labels_dir, out_dir = Path(run_dir), Path(labels_dir), Path(out_dir)
    trained = load_trained(run_dir, checkpoint, device)
    config, model, torch_device = trained.config, trained.model, trained.device
    assert config.label_nc is not None
    files = list_images(labels_dir)
    if not files:
        raise InputError(labels_dir, "holds no label maps (.png, .tif, .bmp)")
    labels = []
    for path in files:
        label = read_label_map(path)
        check_label_values(path, label, config.label_nc)
        labels.append(resize_label(label, config.size))
    columns, sidecar = _sidecar(labels_dir)
    stems = [p.stem for p in files]

    rows = []
    for start in range(0, len(files), batch_size):
        stop = min(start + batch_size, len(files))
        seg = to_one_hot(np.stack(labels[start:stop]), config.label_nc, torch_device)
        z = None
        if config.use_vae:
            z = style_codes(seed, list(range(start, stop)), config.z_dim).to(torch_device)
        with torch.no_grad(), autocast(torch_device, config.precision):
            images = to_uint8(model.generator(seg, z))
        for offset, stem in enumerate(stems[start:stop]):
            write_png(out_dir / "images" / f"{stem}.png", images[offset])
            write_png(out_dir / "labels" / f"{stem}.png", labels[start + offset])
            copied = sidecar.get(stem, [None] * len(columns))
            rows.append([stem, *copied, run_dir.name, trained.checkpoint.name, trained.step, seed])
        if progress is not None:
            progress(stop, len(files))
    write_metadata_tsv(out_dir / "frames.tsv", ["stem", *columns, *PROVENANCE], rows)
    return GenerateResult(out_dir, stems, trained.checkpoint, trained.step)
