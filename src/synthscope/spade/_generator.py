"""The SPADE generator: a label map (and optionally a style code z) in, an image out.

Starting from a small grid (``size / 2**n``, n = 5, 6 or 7 for ``normal``/``more``/``most``), a
chain of SPADE residual blocks doubles the resolution while halving the width from 16 * ngf to
ngf; every block re-reads the label map, so the layout is never washed out by normalisation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from synthscope.spade._blocks import SPADEResBlock

__all__ = ["SPADEGenerator"]

_UPSAMPLINGS = {"normal": 5, "more": 6, "most": 7}


class SPADEGenerator(nn.Module):
    """Generator of Park et al. (2019), single-channel output allowed.

    Parameters
    ----------
    label_nc
        Channels of the one-hot label map.
    out_channels
        1 for grayscale (IVUS), 3 for colour; the reference hard-codes 3.
    size
        Output side in pixels; must be a multiple of ``2**n`` for the upsampling mode.
    ngf
        Base width; the widest blocks have ``16 * ngf`` channels.
    num_upsampling
        ``"normal"`` (5 doublings), ``"more"`` (6) or ``"most"`` (7, adds a block to ngf / 2).
    use_vae, z_dim
        Start from a linear projection of a style code instead of the downsampled label map.
    norm, spectral
        Parameter-free norm inside SPADE and spectral norm on the block convolutions.
    spade_hidden
        Width of each SPADE layer's label embedding (128 in the paper).
    """

    def __init__(
        self,
        label_nc: int,
        out_channels: int,
        size: int,
        *,
        ngf: int = 64,
        num_upsampling: str = "normal",
        use_vae: bool = False,
        z_dim: int = 256,
        norm: str = "batch",
        spectral: bool = True,
        spade_hidden: int = 128,
    ) -> None:
        super().__init__()
        n_up = _UPSAMPLINGS[num_upsampling]
        self.num_upsampling = num_upsampling
        self.start = size // 2**n_up
        self.use_vae = use_vae
        self.z_dim = z_dim
        self.ngf = ngf
        top = 16 * ngf
        if use_vae:
            self.fc = nn.Linear(z_dim, top * self.start * self.start)
        else:
            self.fc = nn.Conv2d(label_nc, top, 3, padding=1)

        def block(fin: int, fout: int) -> SPADEResBlock:
            return SPADEResBlock(
                fin, fout, label_nc, norm=norm, spectral=spectral, hidden=spade_hidden
            )

        self.head_0 = block(top, top)
        self.G_middle_0 = block(top, top)
        self.G_middle_1 = block(top, top)
        self.up_0 = block(16 * ngf, 8 * ngf)
        self.up_1 = block(8 * ngf, 4 * ngf)
        self.up_2 = block(4 * ngf, 2 * ngf)
        self.up_3 = block(2 * ngf, ngf)
        final = ngf
        if num_upsampling == "most":
            self.up_4 = block(ngf, ngf // 2)
            final = ngf // 2
        self.conv_img = nn.Conv2d(final, out_channels, 3, padding=1)

    def forward(self, segmap: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        """Map a one-hot label map (B, label_nc, size, size) to images in [-1, 1]."""
        if self.use_vae:
            if z is None:
                raise ValueError("a VAE generator needs a style code z")
            x = self.fc(z).view(-1, 16 * self.ngf, self.start, self.start)
        else:
            x = self.fc(F.interpolate(segmap, size=(self.start, self.start), mode="nearest"))
        x = self._up(self.head_0(x, segmap))
        x = self.G_middle_0(x, segmap)
        if self.num_upsampling in ("more", "most"):
            x = self._up(x)
        x = self._up(self.G_middle_1(x, segmap))
        x = self._up(self.up_0(x, segmap))
        x = self._up(self.up_1(x, segmap))
        x = self._up(self.up_2(x, segmap))
        x = self.up_3(x, segmap)
        if self.num_upsampling == "most":
            x = self.up_4(self._up(x), segmap)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 0.2)))

    @staticmethod
    def _up(x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2, mode="nearest")
