"""``synthscope train`` and ``synthscope generate`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.errors import InputError, InvalidParameterError

TINY_ARGS = ["--size", "32", "--load-size", "36", "--ngf", "8", "--ndf", "8", "--batch-size", "2"]


def test_train_resume_generate(pairs: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    run, out = tmp_path / "run", tmp_path / "out"
    result = runner.invoke(app, ["train", str(pairs), str(run), *TINY_ARGS, "--max-steps", "1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["train", str(pairs), str(run), "--resume", "--max-steps", "2"])
    assert result.exit_code == 0, result.output
    assert json.loads((run / "options.json").read_text())["max_steps"] == 2
    result = runner.invoke(app, ["generate", str(run), str(pairs / "labels"), str(out)])
    assert result.exit_code == 0, result.output
    assert len(list((out / "images").glob("*.png"))) == 6
    assert (out / "frames.tsv").read_text().startswith("stem\t")


def test_dry_run_prints_options_without_training(pairs: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["train", str(pairs), str(tmp_path / "run"), *TINY_ARGS, "--dry-run"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["ngf"] == 8
    assert not (tmp_path / "run").exists()


def test_bad_label_map_and_bad_option_are_user_errors(pairs: Path, tmp_path: Path) -> None:
    Image.fromarray(np.full((36, 36), 9, np.uint8)).save(pairs / "labels" / "frame002.png")
    runner = CliRunner()
    result = runner.invoke(
        app, ["train", str(pairs), str(tmp_path / "r"), *TINY_ARGS, "--label-nc", "4"]
    )
    assert isinstance(result.exception, InputError)
    assert "frame002.png: label values 9 are out of range for 4 classes" in str(result.exception)
    result = runner.invoke(app, ["train", str(pairs), str(tmp_path / "r"), "--size", "50"])
    assert isinstance(result.exception, InvalidParameterError)
