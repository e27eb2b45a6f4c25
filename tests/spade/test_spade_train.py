"""Training: finite losses, the run folder, exact resume, option changes on resume."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
import torch

from synthscope.errors import InvalidParameterError
from synthscope.spade import SpadeConfig, load_checkpoint, resumed_config, training_loop


def test_a_few_steps_give_finite_losses_and_a_complete_run_folder(trained_run) -> None:
    _, run = trained_run
    options = json.loads((run / "options.json").read_text())
    assert options["label_nc"] == 4 and options["image_channels"] == 1  # inferred and stored
    with (run / "losses.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == [1, 2, 3]
    for row in rows:
        for name in ("g_gan", "g_feat", "d_real", "d_fake", "images_per_s"):
            assert math.isfinite(float(row[name]))
        assert float(row["g_feat"]) > 0
    state = load_checkpoint(run / "checkpoints" / "latest.pt")
    assert (state["step"], state["epoch"], state["epoch_step"]) == (3, 1, 0)
    assert {"generator", "discriminator", "opt_g", "opt_d", "rng"} <= set(state)
    assert (run / "checkpoints" / "epoch-0001.pt").is_file()  # the last epoch is kept
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        "step-0000002.png",
        "step-0000003.png",
    ]


def _states_equal(a: dict, b: dict) -> None:
    for key in ("generator", "discriminator"):
        assert a[key].keys() == b[key].keys()
        for name in a[key]:
            assert torch.equal(a[key][name], b[key][name]), f"{key}.{name} differs"
    for key in ("opt_g", "opt_d"):
        for pid, slot in a[key]["state"].items():
            for name, value in slot.items():
                assert torch.equal(value, b[key]["state"][pid][name]), f"{key}[{pid}].{name}"
    assert torch.equal(a["rng"]["noise"], b["rng"]["noise"])


@pytest.mark.slow
@pytest.mark.parametrize("use_vae", [False, True])
def test_two_plus_two_steps_with_resume_equal_four_steps(
    pairs: Path, tmp_path: Path, tiny: dict, use_vae: bool
) -> None:
    # Three steps per epoch: the resume lands mid-epoch and the run crosses an epoch boundary.
    config = SpadeConfig(**{**tiny, "epochs": 3, "use_vae": use_vae, "z_dim": 8})
    straight = training_loop(pairs, tmp_path / "straight", config.replace(max_steps=4))
    training_loop(pairs, tmp_path / "split", config.replace(max_steps=2))
    first = load_checkpoint(tmp_path / "split" / "checkpoints" / "latest.pt")
    assert (first["step"], first["epoch"], first["epoch_step"]) == (2, 0, 2)
    resumed = training_loop(
        pairs, tmp_path / "split", resumed_config(tmp_path / "split", max_steps=4), resume=True
    )
    assert straight.step == resumed.step == 4 and resumed.epoch == 1
    _states_equal(
        load_checkpoint(tmp_path / "straight" / "checkpoints" / "latest.pt"),
        load_checkpoint(tmp_path / "split" / "checkpoints" / "latest.pt"),
    )
    assert straight.losses == resumed.losses
    with (tmp_path / "split" / "losses.csv").open() as handle:
        assert [int(r["step"]) for r in csv.DictReader(handle)] == [1, 2, 3, 4]


def test_an_existing_run_needs_resume(trained_run, tiny: dict) -> None:
    data, run = trained_run
    with pytest.raises(InvalidParameterError, match="already holds a run; resume it"):
        training_loop(data, run, SpadeConfig(**tiny))


def test_resume_refuses_changed_architecture(trained_run) -> None:
    _, run = trained_run
    with pytest.raises(
        InvalidParameterError, match=r"changed option\(s\) ngf \(stored 8, given 16\)"
    ):
        resumed_config(run, ngf=16, epochs=5)
    assert resumed_config(run, epochs=5).epochs == 5


def test_learning_rates_follow_ttur_and_the_linear_decay() -> None:
    from synthscope.spade._train import _learning_rates, _lr_factor

    assert _learning_rates(SpadeConfig()) == (1e-4, 4e-4, (0.0, 0.9))
    assert _learning_rates(SpadeConfig(ttur=False)) == (2e-4, 2e-4, (0.5, 0.999))
    config = SpadeConfig(epochs=2, decay_epochs=3)
    factors = [_lr_factor(config, epoch) for epoch in range(config.total_epochs)]
    assert factors == [1.0, 1.0, 0.75, 0.5, 0.25]


def test_a_step_with_the_vgg_loss_from_local_weights(
    pairs: Path, tmp_path: Path, tiny: dict
) -> None:
    from synthscope.spade._losses import _vgg19_features

    state = {f"features.{k}": v for k, v in _vgg19_features().state_dict().items()}
    torch.save(state, tmp_path / "vgg19.pth")
    config = SpadeConfig(**{**tiny, "max_steps": 1, "vgg_weights": str(tmp_path / "vgg19.pth")})
    result = training_loop(pairs, tmp_path / "run", config)
    assert result.losses["g_vgg"] > 0 and math.isfinite(result.losses["g_vgg"])


@pytest.mark.slow
def test_bf16_autocast_path_runs_on_cpu(pairs: Path, tmp_path: Path, tiny: dict) -> None:
    # The CUDA default is bf16 autocast; on CPU the same path can be run on request.
    config = SpadeConfig(**{**tiny, "max_steps": 1, "precision": "bf16", "use_vae": True})
    result = training_loop(pairs, tmp_path / "run", config)
    assert all(math.isfinite(v) for v in result.losses.values())
