"""The workspace commands as a user runs them: a subprocess, its output and its exit status."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.workspace import Workspace
from tests.helpers import write_images


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "synthscope", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_every_command_has_help():
    runner = CliRunner()
    names = [command.name for command in app.registered_commands]
    assert {"ingest", "embed", "export", "import-tf-projector"} <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_ingest_export_import_chain(tmp_path, image_folders):
    real, fake = image_folders(4, 3)
    ws = tmp_path / "ws"
    result = run("ingest", ws, "--real", real, "--fake", fake)
    assert result.returncode == 0, result.stderr
    assert "7 points added" in result.stderr
    result = run("export", ws, tmp_path / "bundle")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "bundle" / "projector_config.pbtxt").is_file()
    result = run("export", ws, tmp_path / "m.tsv", "--format", "metadata")
    assert result.returncode == 0 and len((tmp_path / "m.tsv").read_text().splitlines()) == 8
    result = run(
        "import-tf-projector",
        tmp_path / "bundle" / "tensors.tsv",
        tmp_path / "m.tsv",
        tmp_path / "back",
        "--feature",
        "pixels64",
    )
    assert result.returncode == 0, result.stderr
    with Workspace.open(tmp_path / "back") as back, Workspace.open(ws) as original:
        np.testing.assert_array_equal(back.vectors("pixels64"), original.vectors("pixels64"))
    result = run("embed", ws, "--features", "pixels:8")
    assert result.returncode == 0 and "7 points x 64 values" in result.stderr


def test_ingest_skip_lists_what_it_skipped(tmp_path):
    write_images(tmp_path / "in", 3)
    (tmp_path / "in" / "img001.png").write_bytes(b"\x89PNG broken")
    result = run("ingest", tmp_path / "ws", "--fake", tmp_path / "in", "--on-error", "skip")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stderr and "img001.png" in result.stderr
    assert "2 points added" in result.stderr


@pytest.mark.parametrize(
    ("make", "args", "fragment"),
    [
        (
            lambda p: None,
            ["ingest", "{ws}", "--real", "{tmp}/missing"],
            "missing: folder not found",
        ),
        (
            lambda p: (p / "empty").mkdir(),
            ["ingest", "{ws}", "--real", "{tmp}/empty"],
            "empty: holds no images",
        ),
        (
            lambda p: (write_images(p / "bad", 2), (p / "bad" / "img000.png").write_bytes(b"xx")),
            ["ingest", "{ws}", "--real", "{tmp}/bad"],
            "img000.png: not a readable image",
        ),
        (lambda p: None, ["ingest", "{ws}"], "give at least one folder"),
        (
            lambda p: None,
            ["ingest", "{ws}", "--real", "{tmp}", "--on-error", "maybe"],
            "--on-error must be one of 'fail', 'skip' (got 'maybe')",
        ),
        (lambda p: None, ["export", "{tmp}/nows", "{tmp}/out"], "nows: does not exist"),
        (
            lambda p: (p / "t.tsv").write_text("1\t2\n3\n"),
            ["import-tf-projector", "{tmp}/t.tsv", "{ws}"],
            "t.tsv, row 2: has 1 fields where row 1 has 2",
        ),
        (
            lambda p: (
                (p / "t.tsv").write_text("1\t2\n3\t4\n"),
                (p / "m.tsv").write_text("real\n"),
            ),
            ["import-tf-projector", "{tmp}/t.tsv", "{tmp}/m.tsv", "{ws}"],
            "m.tsv: has 1 data rows but there are 2 vectors",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path, make, args, fragment):
    make(tmp_path)
    args = [a.format(ws=tmp_path / "ws", tmp=tmp_path) for a in args]
    result = run(*args)
    assert_one_line_error(result, fragment)
    assert not (tmp_path / "ws").exists()


def test_embed_several_features_and_a_bad_spec(tmp_path, image_folders):
    real, fake = image_folders(3, 3)
    ws = tmp_path / "ws"
    assert run("ingest", ws, "--real", real, "--fake", fake).returncode == 0
    result = run("embed", ws, "--features", "pixels:8", "--features", "pixels:4")
    assert result.returncode == 0, result.stderr
    assert "feature pixels8: 6 points x 64 values" in result.stderr
    assert "feature pixels4: 6 points x 16 values" in result.stderr
    again = run("embed", ws, "--features", "pixels:8")
    assert "(already current)" in again.stderr
    before = sorted(p.name for p in (ws / "vectors").iterdir())
    bad = run("embed", ws, "--features", "pixels:2", "--features", "colour-histogram")
    assert_one_line_error(bad, "--features 'colour-histogram' is not a feature spec; expected")
    assert "pixels[:N] | " in bad.stderr
    assert sorted(p.name for p in (ws / "vectors").iterdir()) == before  # nothing written
