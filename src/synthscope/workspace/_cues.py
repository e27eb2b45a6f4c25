"""Trivial cues: do real and generated images differ in size, depth or format before any feature?

A classifier two-sample test picks up such differences as readily as a generator's flaws (clean-fid
showed it for JPEG versus PNG and for resizing; see ``reference/metrics.md``). The check compares
the native properties ingest recorded for each point (``image_width``, ``image_bit_depth``,
``image_format``, ...) between the real and the generated points, and says so before any verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthscope.io import RESIZE_METHOD
from synthscope.workspace._store import Workspace

__all__ = ["CUE_PROPERTIES", "Cue", "check_cues"]

#: What is compared, and the columns it comes from.
CUE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "size": ("image_width", "image_height"),
    "bit depth": ("image_bit_depth",),
    "channels": ("image_channels",),
    "format": ("image_format",),
    "compression": ("image_compression",),
    "photometric interpretation": ("image_photometric",),
    "pixel spacing": ("image_pixel_spacing",),
}
# Two value distributions "differ" when their total variation distance exceeds this: one image in
# twenty of another kind is enough to be learnt by a classifier.
_TV_LIMIT = 0.05
_WHY = {
    "size": "a test may detect the resize rather than the generator",
    "bit depth": "a test may detect the quantisation rather than the generator",
    "channels": "a test may detect the colour conversion rather than the generator",
    "format": "a test may detect the file format (JPEG artefacts, say) rather than the generator",
    "compression": "a test may detect the compression rather than the generator",
    "photometric interpretation": "a test may detect the colour conversion rather than the generator",
    "pixel spacing": "the images show the anatomy at different scales",
}


@dataclass(frozen=True)
class Cue:
    """One property: its values among real and generated images, and what it means."""

    property: str
    real: dict[str, int]
    generated: dict[str, int]
    differs: bool
    resolved: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "property": self.property,
            "real": self.real,
            "generated": self.generated,
            "differs": self.differs,
            "resolved": self.resolved,
            "message": self.message,
        }


def _values(ws: Workspace, columns: tuple[str, ...], ids: np.ndarray) -> list[str | None]:
    data = [ws.column(c)[ids] for c in columns]
    out = []
    for row in zip(*data, strict=True):
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in row):
            out.append(None)
        else:
            out.append("×".join(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
    return out


def _describe(counts: Counter) -> str:
    total = sum(counts.values())
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{value} ({count / total:.0%})" for value, count in counts.most_common(3)) + (
        f" and {len(counts) - 3} more" if len(counts) > 3 else ""
    )


def check_cues(
    ws: Workspace, real_ids: np.ndarray, fake_ids: np.ndarray
) -> tuple[list[Cue], list[str]]:
    """Every property's values among real and generated points, and notes when none is known.

    Returns the cues (one per property that has values) and, for a workspace ingested before
    properties were recorded, a one-line note saying the check could not run and how to refresh.
    """
    columns = set(ws.columns())
    if not all(c in columns for cs in CUE_PROPERTIES.values() for c in cs):
        return [], [
            "The check for trivial cues (size, bit depth, format) could not run: this workspace "
            "was ingested before synthscope recorded them; re-ingest the folders into a new "
            "workspace, or run `synthscope check WS --repair`, to record them."
        ]
    cues = []
    resize = ws.resize
    for name, props in CUE_PROPERTIES.items():
        real = Counter(v for v in _values(ws, props, real_ids) if v is not None)
        fake = Counter(v for v in _values(ws, props, fake_ids) if v is not None)
        if not real and not fake:
            continue
        n_real, n_fake = max(sum(real.values()), 1), max(sum(fake.values()), 1)
        values = set(real) | set(fake)
        distance = 0.5 * sum(abs(real[v] / n_real - fake[v] / n_fake) for v in values)
        differs = distance > _TV_LIMIT
        resolved = differs and name == "size" and resize is not None
        if not differs:
            message = f"real and generated images share their {name} ({_describe(real or fake)})"
        elif resolved:
            message = (
                f"real images are {_describe(real)}, generated {_describe(fake)}; every image "
                f"was brought to {resize}×{resize} at ingest before any feature ({RESIZE_METHOD})"
            )
        else:
            remedy = " compare at one size (ingest with --resize N)." if name == "size" else ""
            message = (
                f"real images are {_describe(real)}, generated {_describe(fake)}: {_WHY[name]};"
                + (remedy or " bring both sets to one kind before comparing them.")
            )
        cues.append(
            Cue(
                property=name,
                real=dict(real.most_common()),
                generated=dict(fake.most_common()),
                differs=differs,
                resolved=resolved,
                message=message,
            )
        )
    return cues, []
