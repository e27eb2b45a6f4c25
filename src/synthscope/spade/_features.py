"""Discriminator features: pooled intermediate activations of a trained SPADE discriminator.

The discriminator learned what separates real from generated images given their layout, so its
activations are a denser, task-aware representation than raw pixels (the seed post's proposal).
Each image is seen with its own label map, as in training.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError
from synthscope.spade._data import check_label_values, resize_image, resize_label
from synthscope.spade._model import (
    TrainedSpade,
    autocast,
    load_trained,
    to_images,
    to_one_hot,
)

__all__ = ["discriminator_features"]


def discriminator_features(
    run_dir: str | Path | TrainedSpade,
    images: Sequence[np.ndarray],
    label_maps: Sequence[np.ndarray],
    *,
    batch_size: int = 16,
    checkpoint: str = "latest",
    device: str = "auto",
    names: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Pooled discriminator activations, one row per (image, label map) pair.

    Parameters
    ----------
    run_dir
        A run folder made by ``synthscope train`` (or a run already loaded with
        :func:`~synthscope.spade.load_trained`, so that batches do not reload it).
    images
        uint8 grayscale (H, W) (or (H, W, 3)) images of any size; resized (bicubic) to the
        run's size.
    label_maps
        (H, W) class indices, one per image; resized (nearest) to the run's size.
    names
        What to call each pair in error messages (file paths, say); ``label_maps[i]`` otherwise.

    Returns
    -------
    np.ndarray
        float32 (n, d) with ``d = num_d * (ndf + 2 ndf + 4 ndf + 8 ndf)`` (1920 by default): the
        spatial mean of every non-final layer of every scale (before the instance norm for
        normed layers, which would otherwise erase the means).
    """
    if len(images) != len(label_maps):
        raise InvalidParameterError(
            f"images and label_maps must have the same length (got {len(images)} and"
            f" {len(label_maps)})"
        )
    if batch_size < 1:
        raise InvalidParameterError(f"batch_size must be >= 1 (got {batch_size})")
    trained = (
        run_dir if isinstance(run_dir, TrainedSpade) else load_trained(run_dir, checkpoint, device)
    )
    config, model, torch_device = trained.config, trained.model, trained.device
    assert config.label_nc is not None and config.image_channels is not None
    rows = []
    for start in range(0, len(images), batch_size):
        stop = min(start + batch_size, len(images))
        batch_images, batch_labels = [], []
        for i in range(start, stop):
            image = np.asarray(images[i])
            if image.dtype != np.uint8:
                raise InvalidParameterError(f"images[{i}] must be uint8 (got {image.dtype})")
            label = np.asarray(label_maps[i])
            check_label_values(
                names[i] if names is not None else f"label_maps[{i}]", label, config.label_nc
            )
            image = resize_image(image, config.size)
            if config.image_channels == 3 and image.ndim == 2:
                image = np.repeat(image[..., None], 3, axis=-1)
            elif config.image_channels == 1 and image.ndim == 3:
                image = image.mean(axis=-1).round().astype(np.uint8)
            batch_images.append(image[None] if image.ndim == 2 else image.transpose(2, 0, 1))
            batch_labels.append(resize_label(label.astype(np.uint8), config.size))
        seg = to_one_hot(np.stack(batch_labels), config.label_nc, torch_device)
        real = to_images(np.stack(batch_images), torch_device)
        with torch.no_grad(), autocast(torch_device, config.precision):
            rows.append(model.discriminator.pooled(torch.cat([seg, real], 1)).float().cpu())
        if progress is not None:
            progress(stop, len(images))
    if not rows:
        width = config.num_d * sum(min(config.ndf * 2**i, 512) for i in range(config.n_layers_d))
        return np.zeros((0, width), dtype=np.float32)
    return torch.cat(rows).numpy().astype(np.float32)
