"""Loading a run and encoding images: shapes, the size rule, and damaged or foreign run folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from synthscope.encoder import TrainedEncoder, encode, load_encoder
from synthscope.errors import InputError, InvalidParameterError


@pytest.fixture
def run_copy(trained_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_run, tmp_path / "run"))


def test_encode_gives_finite_float32_rows(trained_run: Path, frames: np.ndarray) -> None:
    encoder = load_encoder(trained_run, device="cpu")
    assert (encoder.epoch, encoder.step, encoder.trained_sizes) == (1, 3, ("40x40",))
    vectors = encode(encoder, list(frames[:5]), batch_size=2)
    assert vectors.shape == (5, 60) and vectors.dtype == np.float32  # 15 x width 4
    assert np.isfinite(vectors).all() and vectors.std(axis=0).max() > 0
    # One image at a time or in a batch, the same vectors (eval mode: no batch statistics).
    alone = encode(encoder, [frames[3]])
    assert np.allclose(alone[0], vectors[3], atol=1e-5)
    assert encode(encoder, []).shape == (0, 60)
    bad = [*frames[:3], frames[3].astype(np.int16)]
    with pytest.raises(InvalidParameterError, match=r"images\[3\] must be a uint8 grayscale"):
        encode(encoder, bad, batch_size=2)


def test_training_changed_the_features(trained_run: Path, frames: np.ndarray) -> None:
    trained = load_encoder(trained_run, device="cpu")
    untrained = TrainedEncoder.untrained(trained.config, trained_sizes=trained.trained_sizes)
    assert not np.allclose(encode(trained, list(frames[:4])), encode(untrained, list(frames[:4])))


def test_an_epoch_snapshot_loads_by_number(trained_run: Path) -> None:
    assert load_encoder(trained_run, 1, device="cpu").checkpoint.name == "epoch-0001.pt"
    with pytest.raises(InputError, match=r"epoch-0007.pt: checkpoint not found \(this run has:"):
        load_encoder(trained_run, 7)


def test_images_of_another_size_are_refused_unless_a_size_is_given(
    trained_run: Path, frames: np.ndarray
) -> None:
    encoder = load_encoder(trained_run, device="cpu")
    bigger = [np.asarray(Image.fromarray(f).resize((64, 64))) for f in frames[:3]]
    with pytest.raises(InvalidParameterError, match=r"size: the encoder .* was trained on images"
                       r" of 40x40, not 64x64 \(3\).*Give the size explicitly \(size=32\)"):  # fmt: skip
        encode(encoder, bigger)
    vectors = encode(encoder, bigger, size=32)
    assert vectors.shape == (3, 60) and np.isfinite(vectors).all()
    with pytest.raises(InvalidParameterError, match=r"size must be in \[16, 1024\]"):
        encode(encoder, bigger, size=8)


def test_a_damaged_checkpoint_is_named(run_copy: Path) -> None:
    latest = run_copy / "checkpoints" / "latest.pt"
    latest.write_bytes(latest.read_bytes()[:2000])  # cut short, as by a full disk
    with pytest.raises(InputError, match=r"latest.pt: damaged checkpoint, cannot be read"):
        load_encoder(run_copy)
    assert load_encoder(run_copy, 1).epoch == 1  # the snapshot still loads


def test_a_checkpoint_that_does_not_fit_the_options_is_named(run_copy: Path) -> None:
    options = json.loads((run_copy / "options.json").read_text())
    options["config"]["width"] = 8
    (run_copy / "options.json").write_text(json.dumps(options))
    with pytest.raises(InputError, match=r"latest.pt: does not match the run's options.json"):
        load_encoder(run_copy)


def test_a_run_folder_from_another_version_is_named(run_copy: Path) -> None:
    options = json.loads((run_copy / "options.json").read_text())
    (run_copy / "options.json").write_text(json.dumps({**options, "format": 2, "synthscope": "9"}))
    with pytest.raises(InputError, match=r"options.json: made by another version of synthscope"
                       r" \(9, run format 2; this is .*, run format 1\)"):  # fmt: skip
        load_encoder(run_copy)
    (run_copy / "options.json").write_text(json.dumps(options))
    latest = run_copy / "checkpoints" / "latest.pt"
    state = torch.load(latest, weights_only=True)
    torch.save({**state, "format": 2}, latest)
    with pytest.raises(InputError, match=r"latest.pt: made by another version of synthscope"):
        load_encoder(run_copy)


def test_folders_that_are_not_encoder_runs_are_named(tmp_path: Path, run_copy: Path) -> None:
    with pytest.raises(InputError, match=r"options.json: not found: is this an encoder run folder"):
        load_encoder(tmp_path / "nothing")
    (run_copy / "options.json").write_text('{"size": 256}')  # a SPADE run's options, say
    with pytest.raises(InputError, match=r"options.json: not an encoder run"):
        load_encoder(run_copy)
    (run_copy / "options.json").write_text("{not json")
    with pytest.raises(InputError, match=r"options.json: cannot read the run options"):
        load_encoder(run_copy)
