"""A trained encoder loaded for inference, and images in, float32 vectors out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from synthscope._params import Integral, Interval, check_value
from synthscope._progress import ProgressCallback
from synthscope._training import autocast, resolve_device
from synthscope.encoder._config import EncoderConfig
from synthscope.encoder._data import image_size_text, prepare_images
from synthscope.encoder._network import Encoder, normalize
from synthscope.encoder._run import OPTIONS_FILE, checkpoint_path, load_checkpoint, read_options
from synthscope.encoder._train import build_encoder
from synthscope.errors import InputError, InvalidParameterError

__all__ = ["TrainedEncoder", "encode", "load_encoder"]

_SIZE = Interval(Integral, 16, 1024)


@dataclass(frozen=True)
class TrainedEncoder:
    """A run's network from one checkpoint, in eval mode on ``device``."""

    run_dir: Path | None
    config: EncoderConfig
    network: Encoder
    device: torch.device
    checkpoint: Path | None
    epoch: int
    step: int
    trained_sizes: tuple[str, ...]  # "HxW" of the images it was trained on, before resizing

    @property
    def feature_dim(self) -> int:
        return self.network.feature_dim

    @classmethod
    def untrained(
        cls, config: EncoderConfig, device: str = "cpu", trained_sizes: Sequence[str] = ()
    ) -> TrainedEncoder:
        """The same network with its initial random weights (a baseline, as in Lee et al. 2023)."""
        torch_device = resolve_device(device)
        network = build_encoder(config).to(torch_device, memory_format=torch.channels_last).eval()
        return cls(None, config, network, torch_device, None, 0, 0, tuple(trained_sizes))


def load_encoder(
    run: str | Path, checkpoint: str | int = "latest", device: str = "auto"
) -> TrainedEncoder:
    """Load a run made by :func:`training_loop` (``latest``, an epoch number or a file path).

    A run folder from another version, a damaged checkpoint or one that does not fit the run's
    options raises :class:`~synthscope.errors.InputError` naming the file.
    """
    run = Path(run)
    config, data = read_options(run)
    path = checkpoint_path(run, checkpoint)
    torch_device = resolve_device(device)
    state = load_checkpoint(path)
    network = build_encoder(config)
    try:
        network.load_state_dict(state["network"])
    except (KeyError, RuntimeError) as error:
        reason = (str(error).strip().splitlines() or [""])[0][:160]
        raise InputError(path, f"does not match the run's {OPTIONS_FILE} ({reason})") from None
    network.to(torch_device, memory_format=torch.channels_last).eval()
    sizes = tuple(data.get("sizes") or ())
    return TrainedEncoder(
        run, config, network, torch_device, path, int(state["epoch"]), int(state["step"]), sizes
    )


def _check_sizes(encoder: TrainedEncoder, images: Sequence[np.ndarray]) -> None:
    trained = set(encoder.trained_sizes)
    other = Counter(
        image_size_text(np.shape(image))
        for image in images
        if image_size_text(np.shape(image)) not in trained
    )
    if not other:
        return
    size = encoder.config.size
    shown = ", ".join(f"{k} ({v})" for k, v in other.most_common(3))
    raise InvalidParameterError(
        f"size: the encoder {encoder.run_dir} was trained on images of"
        f" {', '.join(encoder.trained_sizes) or 'unknown sizes'}, not {shown}: resized to"
        f" {size}x{size} they would be at another scale than its training images."
        f" Give the size explicitly (size={size}) to resize them anyway",
        parameter="size",
    )


@torch.no_grad()
def encode(
    encoder: TrainedEncoder,
    images: Sequence[np.ndarray],
    *,
    size: int | None = None,
    batch_size: int = 64,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Encode uint8 grayscale ``(H, W)`` images as ``(n, 15 * width)`` float32 vectors.

    Images are resized to the run's size by :data:`~synthscope.encoder.RESIZE_METHOD`. Images
    of a size the encoder was not trained on are refused unless ``size`` is given: then every
    image is resized to ``size`` (the network pools over space, so any size runs).
    """
    if size is None:
        _check_sizes(encoder, images)
        size = encoder.config.size
    else:
        size = int(check_value("size", size, _SIZE))
    n = len(images)
    out = np.empty((n, encoder.feature_dim), dtype=np.float32)
    device = encoder.device
    for start in range(0, n, batch_size):
        chunk = [images[i] for i in range(start, min(start + batch_size, n))]
        pixels = prepare_images(chunk, size, first_index=start).pixels
        x = torch.from_numpy(pixels).to(device).unsqueeze(1).float().div_(255.0)
        with autocast(device, encoder.config.precision):
            features = encoder.network.features(
                normalize(x).contiguous(memory_format=torch.channels_last)
            )
        out[start : start + len(chunk)] = features.float().cpu().numpy()
        if progress is not None:
            progress(start + len(chunk), n)
    return out
