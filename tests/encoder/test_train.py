"""The training loop: the run folder, exact resume, determinism, and every bad input."""

from __future__ import annotations

import io
import json
import logging
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from synthscope.encoder import (
    EncoderConfig,
    TrainStatus,
    load_checkpoint,
    read_options,
    resumed_config,
    training_loop,
)
from synthscope.errors import InputError, InvalidParameterError


def _latest(run: Path) -> dict:
    return load_checkpoint(run / "checkpoints" / "latest.pt")


def _assert_same_state(a: dict, b: dict) -> None:
    assert a["network"].keys() == b["network"].keys()
    for name in a["network"]:
        assert torch.equal(a["network"][name], b["network"][name]), f"network.{name} differs"
    for pid, slot in a["optimizer"]["state"].items():
        for name, value in slot.items():
            assert torch.equal(value, b["optimizer"]["state"][pid][name]), (
                f"optimizer[{pid}].{name}"
            )
    assert a["scheduler"] == b["scheduler"]
    for name in ("torch", "views"):
        assert torch.equal(a["rng"][name], b["rng"][name]), f"rng {name} differs"
    assert (a["epoch"], a["step"], a["loss"]) == (b["epoch"], b["step"], b["loss"])


def _stats(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]


def test_a_run_folder_of_plain_files(trained_run: Path, frames: np.ndarray) -> None:
    config, data = read_options(trained_run)
    assert config == EncoderConfig(size=32, width=4, projector_dim=16, batch_size=8, epochs=1,
                                   warmup_steps=2, device="cpu")  # fmt: skip
    assert data["n_images"] == 24 and data["sizes"] == {"40x40": 24}
    assert data["resize"].startswith("Pillow bilinear")
    state = _latest(trained_run)
    assert {"network", "optimizer", "scheduler", "rng", "epoch", "step", "seconds"} <= set(state)
    assert (state["epoch"], state["step"]) == (1, 3)  # 24 images, batches of 8
    assert (trained_run / "checkpoints" / "epoch-0001.pt").is_file()  # the last epoch is kept
    (line,) = _stats(trained_run)
    assert line["epoch"] == 1 and line["step"] == 3 and line["seconds"] > 0
    for name in ("loss", "invariance", "variance", "covariance", "images_per_s"):
        assert math.isfinite(line[name])


def test_one_epoch_then_a_resumed_one_equal_two_epochs_bit_for_bit(
    frames: np.ndarray, tmp_path: Path, tiny: dict
) -> None:
    config = EncoderConfig(**{**tiny, "epochs": 2})
    straight = training_loop(list(frames), tmp_path / "straight", config)
    training_loop(list(frames), tmp_path / "split", config.replace(epochs=1))
    resumed = training_loop(
        list(frames), tmp_path / "split", resumed_config(tmp_path / "split", epochs=2), resume=True
    )
    assert (straight.epoch, straight.step) == (resumed.epoch, resumed.step) == (2, 6)
    _assert_same_state(_latest(tmp_path / "straight"), _latest(tmp_path / "split"))
    strip = [{k: v for k, v in s.items() if k not in ("seconds", "images_per_s")} for s in
             _stats(tmp_path / "straight")]  # fmt: skip
    assert strip == [
        {k: v for k, v in s.items() if k not in ("seconds", "images_per_s")}
        for s in _stats(tmp_path / "split")
    ]
    assert _stats(tmp_path / "split")[1]["seconds"] > _stats(tmp_path / "split")[0]["seconds"]


def test_the_same_seed_gives_the_same_weights_and_another_seed_others(
    frames: np.ndarray, tmp_path: Path, tiny: dict, trained_run: Path
) -> None:
    training_loop(list(frames), tmp_path / "again", EncoderConfig(**tiny))
    _assert_same_state(_latest(trained_run), _latest(tmp_path / "again"))
    training_loop(list(frames), tmp_path / "seed1", EncoderConfig(**{**tiny, "seed": 1}))
    a, b = _latest(trained_run)["network"], _latest(tmp_path / "seed1")["network"]
    assert not torch.equal(a["stem.0.weight"], b["stem.0.weight"])


def test_progress_reports_reading_then_every_step_with_loss_and_rate(
    frames: np.ndarray, tmp_path: Path, tiny: dict
) -> None:
    seen: list[TrainStatus] = []
    training_loop(list(frames), tmp_path / "run", EncoderConfig(**tiny), progress=seen.append)
    reading = [s for s in seen if s.phase == "reading"]
    training = [s for s in seen if s.phase == "training"]
    assert [s.done for s in reading] == list(range(1, 25))
    assert [(s.done, s.total) for s in training] == [(1, 3), (2, 3), (3, 3)]
    assert all(math.isfinite(s.loss) and s.images_per_s > 0 for s in training)
    assert set(training[0].terms) == {"invariance", "variance", "covariance"}


def test_simclr_trains_too(frames: np.ndarray, tmp_path: Path, tiny: dict) -> None:
    result = training_loop(
        list(frames), tmp_path / "run", EncoderConfig(**{**tiny, "method": "simclr"})
    )
    assert math.isfinite(result.loss)
    assert "pair_accuracy" in _stats(tmp_path / "run")[0]


def test_bf16_autocast_path_runs_on_cpu(frames: np.ndarray, tmp_path: Path, tiny: dict) -> None:
    result = training_loop(
        list(frames), tmp_path / "run", EncoderConfig(**{**tiny, "precision": "bf16"})
    )
    assert math.isfinite(result.loss)


# -- bad input ----------------------------------------------------------------------------------


def test_too_few_images_says_why_and_how_many(frames: np.ndarray, tmp_path: Path) -> None:
    config = EncoderConfig(size=32, width=4, batch_size=32)
    with pytest.raises(InvalidParameterError, match=r"too few images to train an encoder \(24\);"
                       r" at least 32 are needed.*one full batch \(batch_size 32\) because the"
                       r" objective's variance and covariance"):  # fmt: skip
        training_loop(list(frames), tmp_path / "run", config)
    with pytest.raises(InvalidParameterError, match=r"\(10\); at least 16 are needed: 16 at the"):
        training_loop(list(frames[:10]), tmp_path / "run", config.replace(batch_size=4))
    assert not (tmp_path / "run").exists()  # nothing was written


def test_images_that_are_not_grayscale_uint8_are_named(frames: np.ndarray, tmp_path: Path) -> None:
    images = list(frames)
    images[5] = frames[5].astype(np.float32)
    with pytest.raises(InvalidParameterError, match=r"images\[5\] must be a uint8 grayscale"):
        training_loop(images, tmp_path / "run", EncoderConfig(size=32, width=4, batch_size=8))


def test_mixed_sizes_are_resized_logged_and_recorded(
    frames: np.ndarray, tmp_path: Path, tiny: dict, caplog: pytest.LogCaptureFixture
) -> None:
    from PIL import Image

    images = list(frames)
    images[:4] = [np.asarray(Image.fromarray(f).resize((48, 44))) for f in frames[:4]]
    with caplog.at_level(logging.WARNING, logger="synthscope.encoder"):
        training_loop(images, tmp_path / "run", EncoderConfig(**tiny))
    assert "come in 2 sizes (40x40: 20, 44x48: 4); all were resized to 32x32" in caplog.text
    _, data = read_options(tmp_path / "run")
    assert data["sizes"] == {"40x40": 20, "44x48": 4}


def test_an_existing_run_is_not_overwritten(trained_run: Path, frames: np.ndarray, tiny: dict):
    with pytest.raises(InvalidParameterError, match="already holds an encoder run; resume it"):
        training_loop(list(frames), trained_run, EncoderConfig(**tiny))


def test_resume_refuses_changed_options_naming_them(trained_run: Path, frames: np.ndarray):
    with pytest.raises(
        InvalidParameterError, match=r"changed option\(s\) size \(stored 32, given 64\), width"
    ):
        resumed_config(trained_run, size=64, width=8, epochs=3)
    stored, _ = read_options(trained_run)
    with pytest.raises(InvalidParameterError, match=r"changed option\(s\) lr \(stored 0.002"):
        training_loop(list(frames), trained_run, stored.replace(lr=0.1), resume=True)
    assert resumed_config(trained_run, epochs=3).epochs == 3


def test_resume_refuses_other_images(trained_run: Path, frames: np.ndarray, tmp_path: Path):
    images = list(frames[::-1])
    with pytest.raises(InvalidParameterError, match="images: not the ones the run was trained on"):
        training_loop(images, trained_run, resume=True)


def test_resume_without_a_checkpoint_says_so(frames: np.ndarray, tmp_path: Path, tiny: dict):
    from synthscope.encoder._run import write_options

    write_options(tmp_path / "run", EncoderConfig(**tiny), {})
    with pytest.raises(InputError, match="no checkpoint yet: the run stopped before its first"):
        training_loop(list(frames), tmp_path / "run", resume=True)


def test_a_failed_save_leaves_the_last_checkpoint_whole(
    frames: np.ndarray, tmp_path: Path, tiny: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    training_loop(list(frames), run, EncoderConfig(**tiny))
    before = (run / "checkpoints" / "latest.pt").read_bytes()
    real_save = torch.save

    def full_disk(obj, f, *args, **kwargs) -> None:  # half the bytes, then the disk is full
        buffer = io.BytesIO()
        real_save(obj, buffer, *args, **kwargs)
        if isinstance(f, str | Path):
            Path(f).write_bytes(buffer.getvalue()[:1000])
        else:
            f.write(buffer.getvalue()[:1000])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(OSError, match="No space left"):
        training_loop(list(frames), run, resumed_config(run, epochs=2), resume=True)
    monkeypatch.setattr(torch, "save", real_save)
    assert (run / "checkpoints" / "latest.pt").read_bytes() == before
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["epoch-0001.pt", "latest.pt"]
    # ... and the run resumes from it as if nothing had happened.
    result = training_loop(list(frames), run, resumed_config(run, epochs=2), resume=True)
    assert (result.epoch, result.step) == (2, 6)
    assert [s["epoch"] for s in _stats(run)] == [1, 2]


def test_weights_come_from_the_seed_alone(tiny: dict) -> None:
    from synthscope.encoder import build_encoder

    config = EncoderConfig(**tiny)
    torch.manual_seed(5)
    first = build_encoder(config).state_dict()
    torch.rand(7)  # the global random state moves on, and plays no part
    again = build_encoder(config).state_dict()
    other = build_encoder(config.replace(seed=1)).state_dict()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["stem.0.weight"], other["stem.0.weight"])
