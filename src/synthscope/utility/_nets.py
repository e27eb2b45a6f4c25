"""The two downstream networks: a small U-Net (segmentation) and a small CNN (classification).

Both are deliberately small: the question is whether adding generated images to a training set
helps, measured over many trainings at equal compute, not the best possible score. Batch
normalisation makes the few hundred steps a study can afford converge reliably: of six 60-step
trainings on 32x32 phantom frames, with GroupNorm two ended predicting only the largest classes
(mean Dice 0.26) and the rest reached 0.31-0.72; with BatchNorm all reached 0.42-0.85.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["SmallCNN", "UNet"]


def _double_conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """A two-level U-Net (Ronneberger et al. 2015): ``(B, 1, H, W)`` -> ``(B, n_classes, H, W)``.

    ``width`` channels at full resolution, doubling at each of the two poolings; H and W must be
    multiples of 4.
    """

    def __init__(self, n_classes: int, width: int = 8) -> None:
        super().__init__()
        w = width
        self.enc1 = _double_conv(1, w)
        self.enc2 = _double_conv(w, 2 * w)
        self.bottom = _double_conv(2 * w, 4 * w)
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)
        self.dec2 = _double_conv(4 * w, 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)
        self.dec1 = _double_conv(2 * w, w)
        self.head = nn.Conv2d(w, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.enc1(x)
        b = self.enc2(F.max_pool2d(a, 2))
        c = self.bottom(F.max_pool2d(b, 2))
        d = self.dec2(torch.cat([self.up2(c), b], dim=1))
        e = self.dec1(torch.cat([self.up1(d), a], dim=1))
        return self.head(e)


class SmallCNN(nn.Module):
    """Three conv blocks (``width``, 2x, 4x channels, each halving the size), global average
    pooling and a linear layer: ``(B, 1, H, W)`` -> ``(B, n_classes)`` logits."""

    def __init__(self, n_classes: int, width: int = 8) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            _double_conv(1, w),
            nn.MaxPool2d(2),
            _double_conv(w, 2 * w),
            nn.MaxPool2d(2),
            _double_conv(2 * w, 4 * w),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(4 * w, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
