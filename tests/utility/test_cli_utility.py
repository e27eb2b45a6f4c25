"""``synthscope utility`` as a user runs it: the verdict, the files, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthscope.cli import main


def cli(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code or 0, capsys.readouterr().err


def test_utility_command_prints_the_verdict_and_writes_reports(workspace, capsys, tmp_path):
    fake = np.flatnonzero(workspace.column("source") == "fake")
    workspace.relabel(fake[:4], "label", "real")
    out_json, out_html = tmp_path / "u.json", tmp_path / "u.html"
    code, err = cli(
        capsys,
        "utility",
        workspace.path,
        "--steps",
        "4",
        "--batch-size",
        "4",
        "--repeats",
        "1",
        "--size",
        "32",
        "--json",
        out_json,
        "--html",
        out_html,
    )
    assert code == 0, err
    assert "Adding the 4 curated generated images" in err
    assert "drew the split" in err and "utility/split.json" in err
    saved = json.loads(out_json.read_text())
    assert [arm["name"] for arm in saved["arms"]][:3] == ["real", "real+generated", "real+curated"]
    assert "<svg" in out_html.read_text()
    assert (workspace.path / "utility" / "result.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "error: --steps must be in [1, 1000000] (got 0)"),
        (["--epochs", "0"], "error: --epochs must be in [1, 100000] (got 0)"),
        (["--epochs", "2", "--steps", "5"], "error: give steps or epochs, not both"),
        (["--test-fraction", "1.5"], "error: --test-fraction must be in (0, 1) (got 1.5)"),
        (["--curated", "label=nothing"], "error: --curated label=nothing: matches no point"),
    ],
)
def test_utility_command_errors_are_one_line(workspace, capsys, args, message):
    code, err = cli(capsys, "utility", workspace.path, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and lines == [message], err
    assert not (workspace.path / "utility").exists()
