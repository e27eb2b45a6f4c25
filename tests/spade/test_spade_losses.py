"""Loss definitions against hand-computed values; VGG19 only from a local state dict."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from synthscope.errors import InputError
from synthscope.spade._losses import (
    VGGLoss,
    _vgg19_features,
    feature_matching_loss,
    hinge_d_loss,
    hinge_g_loss,
    kld_loss,
    load_vgg19,
)


def test_hinge_losses() -> None:
    real = [[torch.tensor([2.0, 0.5])], [torch.tensor([-1.0])]]
    fake = [[torch.tensor([-2.0, 0.0])], [torch.tensor([3.0])]]
    loss_real, loss_fake = hinge_d_loss(real, fake)
    # scale 1: relu(1-2)=0, relu(1-.5)=.5 -> .25; scale 2: relu(2)=2; mean over scales 1.125
    assert loss_real.item() == pytest.approx(1.125)
    # scale 1: relu(-1)=0, relu(1)=1 -> .5; scale 2: relu(4)=4 -> 2.25
    assert loss_fake.item() == pytest.approx(2.25)
    assert hinge_g_loss(fake).item() == pytest.approx(-(-1.0 + 3.0) / 2)


def test_feature_matching_skips_the_final_layer_and_averages_scales() -> None:
    fake = [[torch.ones(2, 3), torch.zeros(1), torch.full((4,), 9.0)]] * 2
    real = [[torch.zeros(2, 3), torch.ones(1), torch.zeros(4)]] * 2
    assert feature_matching_loss(fake, real, 10.0).item() == pytest.approx(20.0)


def test_kld_is_zero_for_the_prior_and_positive_otherwise() -> None:
    assert kld_loss(torch.zeros(3, 4), torch.zeros(3, 4)).item() == 0
    value = kld_loss(torch.ones(1, 2), torch.zeros(1, 2), weight=1.0).item()
    assert value == pytest.approx(1.0)  # -0.5 * sum(1 + 0 - 1 - 1) over two dims


def test_vgg_weights_must_be_complete(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="VGG19 weights not found"):
        load_vgg19(tmp_path / "missing.pth")
    state = {f"features.{k}": v for k, v in _vgg19_features().state_dict().items()}
    del state["features.28.weight"]
    torch.save(state, tmp_path / "partial.pth")
    with pytest.raises(
        InputError, match=r"partial\.pth: VGG19 state dict lacks 'features\.28\.weight'"
    ):
        load_vgg19(tmp_path / "partial.pth")


@pytest.mark.slow
def test_vgg_loss_from_a_local_state_dict(tmp_path: Path) -> None:
    torch.manual_seed(0)
    state = {f"features.{k}": v for k, v in _vgg19_features().state_dict().items()}
    torch.save(state, tmp_path / "vgg19.pth")
    loss = VGGLoss(load_vgg19(tmp_path / "vgg19.pth"), weight=10.0)
    real = torch.rand(1, 1, 32, 32) * 2 - 1
    fake = (real + 0.3 * torch.randn_like(real)).requires_grad_(True)
    value = loss(fake, real)
    value.backward()
    assert value.item() > 0 and fake.grad is not None
    assert loss(real, real).item() == 0
    assert not any(p.requires_grad for p in loss.features.parameters())
