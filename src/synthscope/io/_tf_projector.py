"""TensorFlow Embedding Projector bundles: sprite images and ``projector_config.pbtxt``.

A bundle folder holds ``tensors.tsv``, ``metadata.tsv``, ``sprite.png`` and the config pointing at
them by relative paths, so ``tensorboard --logdir FOLDER`` opens it. The sprite is a square grid at
most 8192x8192 px (the Projector's limit); thumbnails shrink until the grid fits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import write_bytes_atomic, write_text_atomic
from synthscope.errors import InputError
from synthscope.io._atlas import encode_png, pack_grid

__all__ = [
    "CONFIG_NAME",
    "MAX_SPRITE_PX",
    "EmbeddingConfig",
    "read_projector_config",
    "sprite_tile_size",
    "write_projector_config",
    "write_sprite",
]

CONFIG_NAME = "projector_config.pbtxt"
MAX_SPRITE_PX = 8192


@dataclass(frozen=True)
class EmbeddingConfig:
    """One ``embeddings { ... }`` entry of a projector config."""

    tensor_name: str
    tensor_path: str
    metadata_path: str | None = None
    tensor_shape: tuple[int, int] | None = None
    sprite_path: str | None = None
    sprite_size: int | None = None


def sprite_tile_size(n_images: int, preferred: int = 64) -> int:
    """The largest thumbnail side <= ``preferred`` whose square grid of ``n_images`` fits 8192 px."""
    columns = max(1, math.ceil(math.sqrt(n_images)))
    return max(1, min(preferred, MAX_SPRITE_PX // columns))


def write_sprite(path: str | Path, thumbnails: np.ndarray) -> int:
    """Write (n, s, s) uint8 thumbnails as one square sprite; returns the tile size used."""
    n = len(thumbnails)
    size = sprite_tile_size(n, thumbnails.shape[1])
    columns = max(1, math.ceil(math.sqrt(n)))
    cells = np.asarray(thumbnails, dtype=np.uint8)
    if size != cells.shape[1]:
        cells = np.stack(
            [np.asarray(Image.fromarray(c).resize((size, size), Image.BILINEAR)) for c in cells]
        )
    # The Projector wants a square sheet: as many rows as columns.
    write_bytes_atomic(path, encode_png(pack_grid(cells, columns, columns), compress_level=6))
    return size


def write_projector_config(path: str | Path, embeddings: list[EmbeddingConfig]) -> None:
    """Write ``projector_config.pbtxt`` (protobuf text format) for the given embeddings."""
    lines = []
    for item in embeddings:
        lines.append("embeddings {")
        lines.append(f'  tensor_name: "{item.tensor_name}"')
        lines.append(f'  tensor_path: "{item.tensor_path}"')
        if item.metadata_path:
            lines.append(f'  metadata_path: "{item.metadata_path}"')
        for dim in item.tensor_shape or ():
            lines.append(f"  tensor_shape: {dim}")
        if item.sprite_path:
            lines.append("  sprite {")
            lines.append(f'    image_path: "{item.sprite_path}"')
            lines.append(f"    single_image_dim: {item.sprite_size}")
            lines.append(f"    single_image_dim: {item.sprite_size}")
            lines.append("  }")
        lines.append("}")
    write_text_atomic(path, "\n".join(lines) + "\n")


_FIELD = re.compile(r'^\s*(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*$')


def read_projector_config(path: str | Path) -> list[EmbeddingConfig]:
    """Read the ``embeddings`` entries of a ``projector_config.pbtxt`` (the fields synthscope uses)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(path, f"cannot read ({error.strerror})") from error
    found, current, depth = [], None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("embeddings") and stripped.endswith("{"):
            current, depth = {"tensor_shape": [], "single_image_dim": []}, 1
        elif stripped.endswith("{"):
            depth += 1
        elif stripped == "}":
            depth -= 1
            if depth == 0 and current is not None:
                found.append(_entry(path, current))
                current = None
        elif current is not None and stripped:
            match = _FIELD.match(stripped)
            if match is None:
                raise InputError(path, f"cannot parse {stripped!r}", row=number)
            key, quoted, bare = match.groups()
            value = quoted if quoted is not None else bare
            if key in ("tensor_shape", "single_image_dim"):
                current[key].append(int(value))
            else:
                current["sprite_path" if key == "image_path" else key] = value
    return found


def _entry(path: Path, fields: dict) -> EmbeddingConfig:
    if "tensor_path" not in fields:
        raise InputError(
            path, "an embedding has no tensor_path (checkpoint tensors are not supported)"
        )
    shape = tuple(fields["tensor_shape"]) if len(fields["tensor_shape"]) == 2 else None
    dims = fields["single_image_dim"]
    return EmbeddingConfig(
        tensor_name=fields.get("tensor_name", Path(fields["tensor_path"]).stem),
        tensor_path=fields["tensor_path"],
        metadata_path=fields.get("metadata_path"),
        tensor_shape=shape,
        sprite_path=fields.get("sprite_path"),
        sprite_size=dims[0] if dims else None,
    )
