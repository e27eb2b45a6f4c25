"""Compute a feature for every point of a workspace: ``pixels:N`` now, learned features by name.

Features are named by their spec (``pixels:32`` -> ``pixels32``); one is recomputed only when
asked to or when points were added since it was made.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError, UnknownFeatureError, WorkspaceError
from synthscope.features import parse_pixel_size, pixel_feature_name, pixel_vector, pixels_to_float
from synthscope.io import read_frames
from synthscope.workspace._decode import decode_in_parallel
from synthscope.workspace._store import Workspace, split_frame

__all__ = ["FEATURE_SPECS", "embed", "feature_name"]

FEATURE_SPECS = "pixels[:N] | spade-disc:RUN"


def feature_name(spec: str) -> str:
    """The workspace name under which the feature ``spec`` is stored."""
    size = parse_pixel_size(spec)
    if size is not None:
        return pixel_feature_name(size)
    if spec.startswith("spade-disc:"):
        run = Path(spec.split(":", 1)[1]).resolve().name
        return "spade-disc." + re.sub(r"[^A-Za-z0-9_.\-]", "_", run)
    raise InvalidParameterError(f"--features {spec!r}: expected {FEATURE_SPECS}")


def _is_current(workspace: Workspace, name: str) -> bool:
    try:
        workspace.vectors(name)
    except (UnknownFeatureError, WorkspaceError):
        return False
    return True


def embed(
    workspace: Workspace,
    spec: str,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> str:
    """Compute feature ``spec`` for every point and store it; returns the feature's name."""
    name = feature_name(spec)
    if not force and _is_current(workspace, name):
        return name
    size = parse_pixel_size(spec)
    if size is not None:
        vectors = _pixel_vectors(workspace, size, progress)
    else:
        vectors = _spade_vectors(workspace, spec.split(":", 1)[1], progress)
    workspace.write_vectors(name, vectors)
    return name


def _pixel_vectors(
    workspace: Workspace, size: int, progress: ProgressCallback | None
) -> np.ndarray:
    # Multi-frame files are decoded once for all their points.
    points_of: dict[Path, list[tuple[int, int | None]]] = defaultdict(list)
    for point, (path,) in enumerate(workspace.rows(["path"])):
        file, frame = split_frame(path)
        points_of[file].append((point, frame))

    def work(file: Path) -> list[tuple[int, np.ndarray]]:
        frames = {f.index: f.image for f in read_frames(file)}
        return [(point, pixel_vector(frames[frame], size)) for point, frame in points_of[file]]

    done, _ = decode_in_parallel(list(points_of), work, on_error="fail", progress=progress)
    vectors = np.empty((workspace.n_points, size * size), dtype=np.uint8)
    for _, results in done:
        for point, vector in results:
            vectors[point] = vector
    return pixels_to_float(vectors)


def _spade_vectors(workspace: Workspace, run: str, progress: ProgressCallback | None) -> np.ndarray:
    try:
        from synthscope.spade import discriminator_features
    except ImportError as error:  # the SPADE part is optional at import time
        raise InvalidParameterError(
            f"--features spade-disc needs synthscope.spade ({error})"
        ) from None
    n = workspace.n_points
    missing = [i for i in range(n) if workspace.label_map(i) is None]
    if missing:
        raise WorkspaceError(
            f"spade-disc features need a label map for every point; point {missing[0]} "
            f"({workspace.image_file(missing[0])[0]}) has none (ingest images/ + labels/ folders)"
        )
    images = [workspace.read_image(i) for i in range(n)]
    labels = [workspace.label_map(i) for i in range(n)]
    names = [str(workspace.image_file(i)[0]) for i in range(n)]
    features = discriminator_features(Path(run), images, labels, names=names, progress=progress)
    return np.asarray(features, dtype=np.float32)
