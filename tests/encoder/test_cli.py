"""``synthscope train-encoder`` end to end on a tiny workspace of phantom frames."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.encoder import read_options
from synthscope.errors import InvalidParameterError
from synthscope.features import parse_spec
from synthscope.workspace import Workspace, ingest

TINY_ARGS = ["--size", "32", "--width", "4", "--batch-size", "8", "--device", "cpu"]


def _write(folder: Path, images: np.ndarray) -> None:
    folder.mkdir(parents=True)
    for i, image in enumerate(images):
        Image.fromarray(image).save(folder / f"f{i:03d}.png")


@pytest.fixture
def workspace(frames: np.ndarray, tmp_path: Path) -> Path:
    """24 real phantom frames (three pullbacks) and 6 'generated' ones (brighter)."""
    for p in range(3):
        _write(tmp_path / "real" / f"pb{p}", frames[p * 8 : (p + 1) * 8])
    _write(tmp_path / "fake", np.clip(frames[:6].astype(int) + 40, 0, 255).astype(np.uint8))
    ingest(tmp_path / "ws", [tmp_path / "real"], [tmp_path / "fake"], workers=1)
    return tmp_path / "ws"


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_train_resume_and_embed_from_the_command_line(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    run = tmp_path / "enc"
    before = _fingerprint(workspace)
    args = ["train-encoder", str(workspace), str(run)]
    result = runner.invoke(app, [*args, *TINY_ARGS, "--epochs", "1"])
    assert result.exit_code == 0, result.output
    assert "images/s" in result.output and "loss" in result.output  # the progress bar's fields
    assert f"--features ssl:{run}" in result.output
    config, data = read_options(run)
    assert (config.size, config.width, config.epochs, config.projector_dim) == (32, 4, 1, 512)
    assert data["n_images"] == 24  # the real images only
    assert data["source"] == {"workspace": str(workspace.resolve()), "on": "real"}

    result = runner.invoke(app, [*args, "--resume", "--epochs", "2"])
    assert result.exit_code == 0, result.output
    assert "epoch 2, step 6" in result.output
    assert _fingerprint(workspace) == before  # training only ever reads the workspace

    with Workspace.open(workspace) as ws:
        images = [ws.read_image(i) for i in range(ws.n_points)]
    vectors = parse_spec(f"ssl:{run}").transform(images)
    assert vectors.shape == (30, 60) and np.isfinite(vectors).all()

    # through the workspace: stored as ssl.enc with its provenance, and projected
    result = runner.invoke(app, ["embed", str(workspace), "--features", f"ssl:{run}"])
    assert result.exit_code == 0, result.output
    with Workspace.open(workspace) as ws:
        np.testing.assert_array_equal(ws.vectors("ssl.enc"), vectors)
        assert ws.feature_info("ssl.enc")["identity"]["kind"] == "ssl"
    result = runner.invoke(
        app, ["project", str(workspace), "--method", "pca", "--features", "ssl.enc"]
    )
    assert result.exit_code == 0, result.output


def test_resume_refuses_a_changed_on_or_model_option(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    run = tmp_path / "enc"
    args = ["train-encoder", str(workspace), str(run)]
    assert runner.invoke(app, [*args, *TINY_ARGS, "--epochs", "1"]).exit_code == 0
    result = runner.invoke(app, [*args, "--resume", "--on", "all", "--epochs", "2"])
    assert isinstance(result.exception, InvalidParameterError)
    assert "changed option(s) on (stored 'real', given 'all')" in str(result.exception)
    result = runner.invoke(app, [*args, "--resume", "--size", "64"])
    assert "changed option(s) size (stored 32, given 64)" in str(result.exception)


def test_on_all_is_recorded_and_too_few_real_images_say_so(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["train-encoder", str(workspace), str(tmp_path / "all"), *TINY_ARGS, "--on", "all",
         "--epochs", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert read_options(tmp_path / "all")[1]["source"]["on"] == "all"
    assert read_options(tmp_path / "all")[1]["n_images"] == 30

    result = runner.invoke(
        app, ["train-encoder", str(workspace), str(tmp_path / "big"), *TINY_ARGS[:4],
              "--batch-size", "32"],
    )  # fmt: skip
    assert isinstance(result.exception, InvalidParameterError)
    assert str(result.exception).startswith(
        f"{workspace} holds 24 real images (or --on all to include the generated ones):"
        " too few images to train an encoder (24); at least 32 are needed"
    )
    assert not (tmp_path / "big").exists()


def test_help_says_why_only_real_images_train_it() -> None:
    result = CliRunner().invoke(app, ["train-encoder", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "leaks into the very test that compares them" in text
    assert "--on" in text and "--resume" in text


def test_dry_run_prints_the_options(workspace: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["train-encoder", str(workspace), str(tmp_path / "r"), "--size", "64", "--dry-run"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["size"] == 64
    assert not (tmp_path / "r").exists()
