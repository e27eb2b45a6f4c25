"""SPADE's losses: hinge GAN, discriminator feature matching, KL for the VAE, optional VGG19.

The VGG19 layers are defined here; weights come only from a local state dict (for example one
saved from ``torchvision.models.vgg19``), so nothing is downloaded and the loss runs on any device.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from synthscope.errors import InputError

__all__ = [
    "VGGLoss",
    "feature_matching_loss",
    "hinge_d_loss",
    "hinge_g_loss",
    "kld_loss",
    "load_vgg19",
]

Features = list[list[torch.Tensor]]  # per discriminator scale, per layer


def hinge_d_loss(real: Features, fake: Features) -> tuple[torch.Tensor, torch.Tensor]:
    """``mean(relu(1 - D(real)))`` and ``mean(relu(1 + D(fake)))``, each averaged over scales."""
    loss_real = sum(F.relu(1 - scale[-1]).mean() for scale in real) / len(real)
    loss_fake = sum(F.relu(1 + scale[-1]).mean() for scale in fake) / len(fake)
    return loss_real, loss_fake


def hinge_g_loss(fake: Features) -> torch.Tensor:
    """``-mean(D(fake))`` averaged over scales."""
    return -sum(scale[-1].mean() for scale in fake) / len(fake)


def feature_matching_loss(fake: Features, real: Features, weight: float = 10.0) -> torch.Tensor:
    """L1 between fake and (detached) real activations of every non-final D layer.

    Summed over layers, averaged over scales and multiplied by ``weight`` (lambda_feat = 10).
    """
    total = torch.zeros((), device=fake[0][0].device)
    for scale_fake, scale_real in zip(fake, real, strict=True):
        for f, r in zip(scale_fake[:-1], scale_real[:-1], strict=True):
            total = total + F.l1_loss(f.float(), r.detach().float())
    return total * (weight / len(fake))


def kld_loss(mu: torch.Tensor, logvar: torch.Tensor, weight: float = 0.05) -> torch.Tensor:
    """KL divergence of N(mu, exp(logvar)) from N(0, 1), summed as in the reference, times weight."""
    mu, logvar = mu.float(), logvar.float()
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) * weight


# VGG19 "features" up to relu5_1: conv widths, "M" for 2x2 max pooling (torchvision's indexing).
_VGG19_CFG: list[int | str] = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512]
_VGG19_CFG += [512, "M", 512]
# Indices in ``features`` after which relu1_1 .. relu5_1 are taken, and their loss weights.
_SLICE_ENDS = (1, 6, 11, 20, 29)
_SLICE_WEIGHTS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def _vgg19_features() -> nn.Sequential:
    layers: list[nn.Module] = []
    fin = 3
    for item in _VGG19_CFG:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(fin, int(item), 3, padding=1), nn.ReLU(inplace=False)]
            fin = int(item)
    return nn.Sequential(*layers)


def load_vgg19(path: str | Path) -> nn.Sequential:
    """VGG19 layers up to relu5_1 with weights from a local state dict, frozen, in eval mode.

    Accepts torchvision's keys (``features.N.weight``) or bare ``N.weight``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "VGG19 weights not found (give a local state dict file)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a bad file
        raise InputError(path, f"cannot read a VGG19 state dict ({error})") from error
    if isinstance(state, nn.Module):
        state = state.state_dict()
    if not isinstance(state, dict):
        raise InputError(path, "expected a state dict (a mapping of tensor names to tensors)")
    features = _vgg19_features()
    wanted = features.state_dict()
    picked = {}
    for key, ref in wanted.items():
        tensor = state.get(f"features.{key}", state.get(key))
        if tensor is None:
            raise InputError(path, f"VGG19 state dict lacks 'features.{key}'")
        if tuple(tensor.shape) != tuple(ref.shape):
            raise InputError(
                path,
                f"'features.{key}' has shape {tuple(tensor.shape)}, VGG19 needs {tuple(ref.shape)}",
            )
        picked[key] = tensor
    features.load_state_dict(picked)
    features.eval().requires_grad_(False)
    return features


class VGGLoss(nn.Module):
    """Weighted L1 between VGG19 relu1_1..relu5_1 activations of generated and real images.

    Images in [-1, 1] with 1 or 3 channels; grayscale is repeated to RGB. Unlike the reference,
    inputs get the ImageNet normalisation the pretrained weights were trained with.
    """

    def __init__(self, features: nn.Sequential, weight: float = 10.0) -> None:
        super().__init__()
        self.features = features
        self.weight = weight
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1))

    def train(self, mode: bool = True) -> VGGLoss:
        super().train(mode)
        self.features.eval()  # never leaves eval: it has no state to learn
        return self

    def _prepare(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        return ((x + 1) / 2 - self.mean) / self.std

    def forward(self, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        x, y = self._prepare(fake), self._prepare(real)
        total = torch.zeros((), device=fake.device)
        start = 0
        for end, w in zip(_SLICE_ENDS, _SLICE_WEIGHTS, strict=True):
            for layer in self.features[start : end + 1]:
                x = layer(x)
                with torch.no_grad():
                    y = layer(y)
            total = total + w * F.l1_loss(x.float(), y.float())
            start = end + 1
        return total * self.weight
