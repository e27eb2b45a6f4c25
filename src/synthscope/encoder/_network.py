"""A small ResNet (He et al., CVPR 2016) for one-channel images, with a projector for training.

::

    stem     5x5 conv, stride 2, w channels         128 -> 64
    stage 1  basic block, stride 2, w               64 -> 32
    stage 2  basic block, stride 2, 2w              32 -> 16
    stage 3  basic block, stride 2, 4w              16 -> 8
    stage 4  basic block, stride 2, 8w               8 -> 4
    features = mean over space of each stage's output, side by side: 15w numbers
    projector (training only): 8w -> P -> P, from stage 4's mean

Every block halves the grid, so the network costs 18 M multiply-adds per 128x128 image at the
default w = 16 (67 M at w = 32; a ResNet-18 costs 1.8 G at 224x224), with 0.31 M weights before
the projector, and trains on a CPU. Features come from every stage
because early stages keep fine texture (speckle, blur), the very thing generators get wrong, and
the last stage holds the anatomy; the objective only sees the last one, through the projector,
as the self-supervised papers prescribe (the representation before the projector transfers best).

Pixels enter as ``x / 127.5 - 1`` with no per-image standardisation, which would hide gain and
dynamic range from the encoder.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Encoder", "normalize"]


def normalize(images: torch.Tensor) -> torch.Tensor:
    """Pixel values in [0, 1] to the network's input range [-1, 1] (a fixed map, never per image)."""
    return images * 2.0 - 1.0


class _Block(nn.Module):
    """Two 3x3 convolutions with batch norm and a (projected) shortcut."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        # ResNet-D's shortcut (He et al., "Bag of tricks", CVPR 2019): average, then a 1x1
        # convolution, instead of a strided 1x1 convolution that drops 3 of every 4 positions.
        # (It also avoids a heap corruption in torch 2.13's CPU backward of strided 1x1
        # convolutions in channels_last with fewer than 8 input channels.)
        self.shortcut = (
            nn.Sequential(
                nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False)
                if stride != 1
                else nn.Identity(),
                nn.Conv2d(cin, cout, 1, bias=False),
                nn.BatchNorm2d(cout),
            )
            if stride != 1 or cin != cout
            else nn.Identity()
        )
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.act(out + self.shortcut(x))


class Encoder(nn.Module):
    """The backbone (:meth:`features`) and the projector the objective trains through."""

    def __init__(self, width: int = 32, projector_dim: int = 512) -> None:
        super().__init__()
        w = width
        self.stem = nn.Sequential(
            nn.Conv2d(1, w, 5, 2, 2, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)
        )
        chans = [w, 2 * w, 4 * w, 8 * w]
        self.stages = nn.ModuleList(
            _Block(cin, cout, 2) for cin, cout in zip([w, *chans[:-1]], chans, strict=True)
        )
        self.projector = nn.Sequential(
            nn.Linear(8 * w, projector_dim),
            nn.BatchNorm1d(projector_dim),
            nn.ReLU(inplace=True),
            nn.Linear(projector_dim, projector_dim),
        )
        self.feature_dim = sum(chans)

    def _pooled(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        pooled = []
        for stage in self.stages:
            x = stage(x)
            pooled.append(x.float().mean(dim=(2, 3)))
        return pooled

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """``(n, 1, s, s)`` normalised images -> ``(n, 15w)`` float32 multi-scale features."""
        return torch.cat(self._pooled(x), dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The projector's output for the objective: ``(n, projector_dim)``."""
        return self.projector(self._pooled(x)[-1].to(x.dtype))
