"""The optional VAE style encoder: an image in, the mean and log-variance of a style code out."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from synthscope.spade._blocks import maybe_spectral

__all__ = ["ConvEncoder", "reparameterize"]


class ConvEncoder(nn.Module):
    """Stride-2 3x3 convolutions (spectral + instance norm) down to a 4x4 grid, then two linears.

    The reference resizes every input to 256x256 and uses six layers (five below a 256 crop,
    which then mismatches its 8192-wide linear layer). Here the input is resized to
    ``min(size, 256)`` rounded to a power of two and the layer count is whatever reaches 4x4, so
    the default 256 crop matches the reference and small crops stay cheap.
    """

    def __init__(
        self, in_channels: int, size: int, *, ndf: int = 64, z_dim: int = 256, spectral: bool = True
    ) -> None:
        super().__init__()
        self.input_size = 4
        while self.input_size * 2 <= min(size, 256):
            self.input_size *= 2
        n_layers = max(1, (self.input_size // 4).bit_length() - 1)
        widths = [min(ndf * 2**i, ndf * 8) for i in range(n_layers)]
        layers: list[nn.Module] = []
        fin = in_channels
        for fout in widths:
            conv = maybe_spectral(
                nn.Conv2d(fin, fout, 3, stride=2, padding=1, bias=False), spectral
            )
            layers += [conv, nn.InstanceNorm2d(fout, affine=False), nn.LeakyReLU(0.2)]
            fin = fout
        self.layers = nn.Sequential(*layers)
        side = self.input_size // 2**n_layers
        self.fc_mu = nn.Linear(fin * side * side, z_dim)
        self.fc_var = nn.Linear(fin * side * side, z_dim)

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(mu, logvar)``, each (B, z_dim)."""
        if image.shape[-1] != self.input_size or image.shape[-2] != self.input_size:
            image = F.interpolate(
                image, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False
            )
        x = self.layers(image).flatten(1)
        return self.fc_mu(x), self.fc_var(x)


def reparameterize(
    mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Sample ``z = mu + eps * exp(logvar / 2)`` with noise from ``generator``."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + eps * torch.exp(0.5 * logvar)
