"""SPADE: spatially-adaptive (de)normalisation (Park et al., CVPR 2019, eq. 1).

A parameter-free norm whitens the activations, then a per-pixel scale and shift computed from
the label map put the layout back:  ``norm(x) * (1 + gamma(m)) + beta(m)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["SPADENorm", "parameter_free_norm"]

# Width of the shared label embedding; the reference code hard-codes 128 whatever the layer width.
HIDDEN = 128


def parameter_free_norm(kind: str, channels: int) -> nn.Module:
    """The norm without learned affine parameters that SPADE modulates."""
    if kind == "batch":
        # The reference uses synchronised batch norm across GPUs; on one device it is plain BN.
        return nn.BatchNorm2d(channels, affine=False)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False)
    raise ValueError(f"unknown parameter-free norm {kind!r}")


class SPADENorm(nn.Module):
    """Normalise ``x`` and modulate it with gamma and beta predicted from the label map.

    Parameters
    ----------
    channels
        Channels of the activations being normalised.
    label_nc
        Channels of the (one-hot) label map.
    norm
        ``"batch"`` or ``"instance"``: the parameter-free norm.
    kernel_size
        Kernel of the three label convolutions (3 in the paper).
    hidden
        Width of the shared label embedding (128 in the reference, whatever ``channels``; smaller
        values make small CPU models much cheaper, since these convolutions run at full size).
    """

    def __init__(
        self,
        channels: int,
        label_nc: int,
        *,
        norm: str = "batch",
        kernel_size: int = 3,
        hidden: int = HIDDEN,
    ) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.param_free = parameter_free_norm(norm, channels)
        self.shared = nn.Sequential(
            nn.Conv2d(label_nc, hidden, kernel_size, padding=pad), nn.ReLU(inplace=False)
        )
        self.gamma = nn.Conv2d(hidden, channels, kernel_size, padding=pad)
        self.beta = nn.Conv2d(hidden, channels, kernel_size, padding=pad)

    def forward(self, x: torch.Tensor, segmap: torch.Tensor) -> torch.Tensor:
        normalized = self.param_free(x)
        # Nearest keeps one-hot maps one-hot; any smoothing would invent mixed classes at borders.
        segmap = F.interpolate(segmap, size=x.shape[-2:], mode="nearest")
        hidden = self.shared(segmap)
        return normalized * (1 + self.gamma(hidden)) + self.beta(hidden)
