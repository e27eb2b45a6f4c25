"""Architecture facts: parameter counts, SPADE norm maths, block shortcuts, output shapes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import synthscope.spade as spade
from synthscope.spade import (
    ConvEncoder,
    MultiscaleDiscriminator,
    SPADEGenerator,
    SPADENorm,
    SPADEResBlock,
)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_public_api_is_sorted_and_importable() -> None:
    assert spade.__all__ == sorted(spade.__all__)
    for name in spade.__all__:
        assert getattr(spade, name) is not None


def test_default_generator_has_92_1_million_parameters_for_4_classes() -> None:
    # Park et al.'s generator at ngf = 64, crop 256, normal upsampling: ~92.1 M for a few classes
    # (92,088,385 with one output channel). Built on the meta device: no memory, no init cost.
    # Spectral norm keeps its power-iteration vectors as buffers, so it adds no parameters; it
    # is left out of the big build only because its set-up iterations are slow.
    with torch.device("meta"):
        count = n_params(SPADEGenerator(4, 1, 256, spectral=False))
    assert abs(count - 92.1e6) / 92.1e6 < 0.005
    small = {
        (c, sn): n_params(SPADEGenerator(4, c, 32, ngf=2, norm="instance", spectral=sn))
        for c in (1, 3)
        for sn in (True, False)
    }
    assert small[1, True] == small[1, False]
    # Three output channels add only the last 3x3 convolution's extra filters.
    assert small[3, True] - small[1, True] == 2 * (2 * 9 + 1)


def test_discriminator_and_encoder_sizes_match_the_reference() -> None:
    # Reference figures: D about 5.5 M (2 scales, ndf 64), VAE encoder about 10.5 M.
    with torch.device("meta"):
        disc = MultiscaleDiscriminator(4 + 3, spectral=False)
        assert abs(n_params(disc) - 5.5e6) / 5.5e6 < 0.01
        assert abs(n_params(ConvEncoder(3, 256, spectral=False)) - 10.5e6) / 10.5e6 < 0.01


def test_spade_norm_is_norm_times_one_plus_gamma_plus_beta() -> None:
    torch.manual_seed(0)
    layer = SPADENorm(5, 3, norm="instance")
    x = torch.randn(2, 5, 8, 8) * 3 + 1
    labels = torch.randint(0, 3, (2, 4, 4))
    seg = F.one_hot(labels, 3).permute(0, 3, 1, 2).float()
    out = layer(x, seg)
    mean = x.mean(dim=(2, 3), keepdim=True)
    var = x.var(dim=(2, 3), keepdim=True, unbiased=False)
    normalized = (x - mean) / torch.sqrt(var + 1e-5)
    seg_up = seg.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)  # nearest x2
    hidden = F.relu(layer.shared[0](seg_up))
    expected = normalized * (1 + layer.gamma(hidden)) + layer.beta(hidden)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    # The hidden width is 128 whatever the layer width, and the norm has no parameters.
    assert layer.shared[0].out_channels == 128
    assert n_params(layer.param_free) == 0


def test_resblock_learns_a_shortcut_only_when_widths_differ() -> None:
    same, wider = SPADEResBlock(16, 16, 3), SPADEResBlock(16, 8, 3)
    assert not same.learned_shortcut and not hasattr(same, "conv_s")
    assert wider.learned_shortcut and wider.conv_s.bias is None
    assert wider.conv_0.out_channels == 8  # fmiddle = min(fin, fout)
    assert hasattr(wider.conv_0, "parametrizations")  # spectral norm
    assert not hasattr(SPADEResBlock(16, 8, 3, spectral=False).conv_0, "parametrizations")


@pytest.mark.parametrize(("mode", "size"), [("normal", 64), ("more", 64), ("most", 128)])
def test_generator_output_shape_and_range(mode: str, size: int) -> None:
    generator = SPADEGenerator(5, 1, size, ngf=4, num_upsampling=mode).eval()
    seg = F.one_hot(torch.randint(0, 5, (2, size, size)), 5).permute(0, 3, 1, 2).float()
    with torch.no_grad():
        out = generator(seg)
    assert out.shape == (2, 1, size, size)
    assert out.abs().max() <= 1


def test_vae_generator_starts_from_the_style_code() -> None:
    generator = SPADEGenerator(3, 1, 64, ngf=4, use_vae=True, z_dim=16).eval()
    encoder = ConvEncoder(1, 64, ndf=4, z_dim=16)
    mu, logvar = encoder(torch.randn(2, 1, 64, 64))
    assert mu.shape == logvar.shape == (2, 16)
    seg = torch.zeros(2, 3, 64, 64)
    seg[:, 0] = 1
    with torch.no_grad():
        a, b = generator(seg, torch.zeros(2, 16)), generator(seg, torch.ones(2, 16))
    assert not torch.equal(a, b)
    with pytest.raises(ValueError, match="style code"):
        generator(seg)


def test_discriminator_returns_every_layer_of_every_scale() -> None:
    disc = MultiscaleDiscriminator(5, ndf=4)
    outputs = disc(torch.randn(2, 5, 32, 32))
    assert len(outputs) == 2 and all(len(scale) == 5 for scale in outputs)
    assert [f.shape[1] for f in outputs[0]] == [4, 8, 16, 32, 1]
    assert outputs[1][0].shape[-1] < outputs[0][0].shape[-1]  # the second scale sees half size
    assert disc.pooled(torch.randn(3, 5, 32, 32)).shape == (3, 2 * (4 + 8 + 16 + 32))
