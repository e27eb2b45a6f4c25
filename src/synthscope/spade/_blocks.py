"""The SPADE residual block: two SPADE -> LeakyReLU -> 3x3 conv stages plus a shortcut."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from synthscope.spade._norm import SPADENorm

__all__ = ["SPADEResBlock", "maybe_spectral"]


def maybe_spectral(module: nn.Module, enabled: bool) -> nn.Module:
    """Wrap ``module`` in spectral norm when ``enabled``."""
    return spectral_norm(module) if enabled else module


class SPADEResBlock(nn.Module):
    """Residual block whose every norm is a :class:`SPADENorm` layer.

    The shortcut is learned (SPADE then a bias-free 1x1 conv, no activation) only when the
    channel count changes; the middle width is ``min(fin, fout)`` as in the reference code.
    """

    def __init__(
        self,
        fin: int,
        fout: int,
        label_nc: int,
        *,
        norm: str = "batch",
        spectral: bool = True,
        hidden: int = 128,
    ) -> None:
        super().__init__()
        self.learned_shortcut = fin != fout
        fmiddle = min(fin, fout)
        self.conv_0 = maybe_spectral(nn.Conv2d(fin, fmiddle, 3, padding=1), spectral)
        self.conv_1 = maybe_spectral(nn.Conv2d(fmiddle, fout, 3, padding=1), spectral)
        self.norm_0 = SPADENorm(fin, label_nc, norm=norm, hidden=hidden)
        self.norm_1 = SPADENorm(fmiddle, label_nc, norm=norm, hidden=hidden)
        if self.learned_shortcut:
            self.conv_s = maybe_spectral(nn.Conv2d(fin, fout, 1, bias=False), spectral)
            self.norm_s = SPADENorm(fin, label_nc, norm=norm, hidden=hidden)

    def forward(self, x: torch.Tensor, segmap: torch.Tensor) -> torch.Tensor:
        shortcut = self.conv_s(self.norm_s(x, segmap)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, segmap), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, segmap), 0.2))
        return shortcut + dx


def init_weights(module: nn.Module, gain: float = 0.02) -> None:
    """Xavier-normal weights with gain 0.02 and zero biases (the reference ``init_variance``).

    Spectral norm divides by the largest singular value, so for those layers only the direction
    of the initial weight matters; the underlying (unnormalised) weight is the one initialised.
    """
    for child in module.modules():
        if not isinstance(child, nn.Conv2d | nn.Linear):
            continue
        parametrizations = getattr(child, "parametrizations", None)
        weight = parametrizations.weight.original if parametrizations is not None else child.weight
        with torch.no_grad():
            nn.init.xavier_normal_(weight, gain=gain)
            if child.bias is not None:
                nn.init.zeros_(child.bias)
