"""Multiscale PatchGAN discriminator (pix2pixHD / SPADE) that sees the label map with the image."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from synthscope.spade._blocks import maybe_spectral

__all__ = ["MultiscaleDiscriminator", "PatchDiscriminator"]


class _Layer(nn.Module):
    """conv [-> instance norm] -> LeakyReLU; keeps the pre-norm output reachable for features."""

    def __init__(
        self, fin: int, fout: int, stride: int, *, normed: bool, spectral: bool, act: bool = True
    ) -> None:
        super().__init__()
        # Kernel 4, padding 2 as in the reference (ceil((4 - 1) / 2)); the norm removes the bias.
        conv = nn.Conv2d(fin, fout, 4, stride=stride, padding=2, bias=not normed)
        self.conv = maybe_spectral(conv, spectral and normed)
        self.norm = nn.InstanceNorm2d(fout, affine=False) if normed else None
        self.act = act

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (output, pre-norm convolution output)."""
        pre = self.conv(x)
        out = self.norm(pre) if self.norm is not None else pre
        if self.act:
            out = F.leaky_relu(out, 0.2)
        return out, pre


class PatchDiscriminator(nn.Module):
    """One scale: widths ndf, 2ndf, 4ndf, 8ndf (capped at 512), strides 2, 2, 2, 1, then 1 map.

    The first and last convolutions are plain; the middle ones carry spectral and instance norm.
    """

    def __init__(
        self, in_channels: int, *, ndf: int = 64, n_layers: int = 4, spectral: bool = True
    ) -> None:
        super().__init__()
        layers = [_Layer(in_channels, ndf, 2, normed=False, spectral=False)]
        nf = ndf
        for n in range(1, n_layers):
            nf_prev, nf = nf, min(nf * 2, 512)
            stride = 1 if n == n_layers - 1 else 2
            layers.append(_Layer(nf_prev, nf, stride, normed=True, spectral=spectral))
        layers.append(_Layer(nf, 1, 1, normed=False, spectral=False, act=False))
        self.layers = nn.ModuleList(layers)

    @property
    def feature_widths(self) -> list[int]:
        """Channels of each intermediate (non-final) layer."""
        return [layer.conv.out_channels for layer in self.layers[:-1]]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output; the last is the patch realism map (B, 1, h, w)."""
        outputs = []
        for layer in self.layers:
            x, _ = layer(x)
            outputs.append(x)
        return outputs

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        """Spatial means of the intermediate layers, concatenated: (B, sum(feature_widths)).

        Instance norm removes every channel's spatial mean, so pooling after it would leave only
        shape statistics; for normed layers the convolution output before the norm is pooled.
        """
        pooled = []
        for layer in self.layers[:-1]:
            x, pre = layer(x)
            source = pre if layer.norm is not None else x
            pooled.append(source.float().mean(dim=(2, 3)))
        return torch.cat(pooled, dim=1)


def _downsample(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, kernel_size=3, stride=2, padding=1, count_include_pad=False)


class MultiscaleDiscriminator(nn.Module):
    """``num_d`` PatchGANs on the input and its successive 2x average-pooled copies.

    The input is the one-hot label map concatenated with the image along channels.
    """

    def __init__(
        self,
        in_channels: int,
        *,
        num_d: int = 2,
        ndf: int = 64,
        n_layers: int = 4,
        spectral: bool = True,
    ) -> None:
        super().__init__()
        self.scales = nn.ModuleList(
            PatchDiscriminator(in_channels, ndf=ndf, n_layers=n_layers, spectral=spectral)
            for _ in range(num_d)
        )

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        """Per scale, the list of layer outputs (last = patch logits)."""
        results = []
        for i, scale in enumerate(self.scales):
            if i:
                x = _downsample(x)
            results.append(scale(x))
        return results

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled intermediate activations of every scale, concatenated (see ``PatchDiscriminator``)."""
        parts = []
        for i, scale in enumerate(self.scales):
            if i:
                x = _downsample(x)
            parts.append(scale.pooled(x))
        return torch.cat(parts, dim=1)
