"""The three SPADE networks built from a config, and the tensor conversions they share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from synthscope._training import autocast, resolve_device
from synthscope.errors import InvalidParameterError
from synthscope.spade._blocks import init_weights
from synthscope.spade._checkpoint import checkpoint_path, load_checkpoint
from synthscope.spade._config import SpadeConfig, load_config
from synthscope.spade._discriminator import MultiscaleDiscriminator
from synthscope.spade._encoder import ConvEncoder
from synthscope.spade._generator import SPADEGenerator

__all__ = [
    "SpadeModel",
    "TrainedSpade",
    "autocast",
    "load_trained",
    "resolve_device",
    "to_images",
    "to_one_hot",
    "to_uint8",
]


class SpadeModel(nn.Module):
    """Generator, multiscale discriminator and (with ``use_vae``) the style encoder.

    The config must have ``label_nc`` and ``image_channels`` resolved. Weights are initialised
    from ``seed`` without touching the global random state.
    """

    def __init__(self, config: SpadeConfig, *, seed: int | None = None) -> None:
        super().__init__()
        if config.label_nc is None or config.image_channels is None:
            raise InvalidParameterError("label_nc and image_channels must be set to build SPADE")
        self.config = config
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed if seed is None else seed)
            self.generator = SPADEGenerator(
                config.label_nc,
                config.image_channels,
                config.size,
                ngf=config.ngf,
                num_upsampling=config.num_upsampling,
                use_vae=config.use_vae,
                z_dim=config.z_dim,
                norm=config.norm,
                spectral=config.spectral,
                spade_hidden=config.spade_hidden,
            )
            self.discriminator = MultiscaleDiscriminator(
                config.label_nc + config.image_channels,
                num_d=config.num_d,
                ndf=config.ndf,
                n_layers=config.n_layers_d,
                spectral=config.spectral,
            )
            self.encoder = (
                ConvEncoder(
                    config.image_channels,
                    config.size,
                    z_dim=config.z_dim,
                    spectral=config.spectral,
                )
                if config.use_vae
                else None
            )
            for net in (self.generator, self.discriminator, self.encoder):
                if net is not None:
                    init_weights(net)


def to_one_hot(
    labels: np.ndarray | torch.Tensor, label_nc: int, device: torch.device
) -> torch.Tensor:
    """(B, H, W) class indices -> (B, label_nc, H, W) float one-hot on ``device``."""
    tensor = torch.as_tensor(np.asarray(labels), device=device).long()
    return F.one_hot(tensor, label_nc).permute(0, 3, 1, 2).float().contiguous()


def to_images(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """(B, C, H, W) uint8 -> float in [-1, 1] on ``device``."""
    return torch.as_tensor(np.asarray(images), device=device).float().div(127.5).sub(1.0)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """Images in [-1, 1] (B, C, H, W) -> uint8 (B, H, W) for one channel or (B, H, W, 3)."""
    array = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu()
    array = array.numpy()
    return array[:, 0] if array.shape[1] == 1 else array.transpose(0, 2, 3, 1)


@dataclass(frozen=True)
class TrainedSpade:
    """A run's networks loaded from one checkpoint, in eval mode on ``device``."""

    config: SpadeConfig
    model: SpadeModel
    device: torch.device
    checkpoint: Path
    step: int
    epoch: int


def load_trained(
    run_dir: str | Path, checkpoint: str = "latest", device: str = "auto"
) -> TrainedSpade:
    """Load a trained run (``latest``, an epoch number or a checkpoint path) for inference."""
    config = load_config(run_dir)
    path = checkpoint_path(run_dir, checkpoint)
    torch_device = resolve_device(device)
    state = load_checkpoint(path)
    model = SpadeModel(config)
    model.generator.load_state_dict(state["generator"])
    model.discriminator.load_state_dict(state["discriminator"])
    if model.encoder is not None and state.get("encoder") is not None:
        model.encoder.load_state_dict(state["encoder"])
    model.to(torch_device).eval().requires_grad_(False)
    return TrainedSpade(config, model, torch_device, path, int(state["step"]), int(state["epoch"]))
