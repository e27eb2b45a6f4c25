"""``synthscope label``, ``undo`` and ``redo``: curation from the shell, in the page's edit log."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.cli import main
from synthscope.workspace import Workspace, ingest


@pytest.fixture
def ws(image_folders, tmp_path):
    real, fake = image_folders(4, 4)
    path = tmp_path / "ws"
    ingest(path, [real], [fake], workers=1)
    with Workspace.open(path) as opened:
        opened.set_column("score", [np.nan] * 4 + [0.1, 0.6, 0.7, 0.2], kind="real")
    return path


def cli(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code or 0, capsys.readouterr().err


def labels(path) -> list[str]:
    with Workspace.open(path) as opened:
        return list(opened.column("label"))


def test_label_undo_redo_write_the_page_edit_log(ws, capsys):
    code, err = cli(
        capsys,
        "label",
        ws,
        "--where",
        "source=fake",
        "--where",
        "score>=0.5",
        "--set",
        "label=real",
    )
    assert code == 0, err
    assert "set label = 'real' on 2 points meeting source=fake and score>=0.5 (batch 1)" in err
    assert labels(ws) == ["real"] * 4 + ["fake", "real", "real", "fake"]
    with Workspace.open(ws) as opened:
        (edit,) = opened.edits()
        assert (edit["kind"], edit["column"], edit["points"], edit["value"]) == (
            "edit",
            "label",
            2,
            "real",
        )
    code, err = cli(capsys, "undo", ws)
    assert code == 0 and "undid batch 1 (label, 2 points)" in err
    assert labels(ws) == ["real"] * 4 + ["fake"] * 4
    code, err = cli(capsys, "redo", ws)
    assert code == 0 and "redid batch 1" in err
    assert labels(ws)[5] == "real"
    code, err = cli(capsys, "redo", ws)
    assert "nothing to redo" in err


def test_label_by_regex_and_dry_run(ws, capsys):
    code, err = cli(
        capsys,
        "label",
        ws,
        "--where",
        "path~pb1/img00[01]\\.png$",
        "--where",
        "source=real",
        "--set",
        "group=picked",
        "--dry-run",
    )
    assert code == 0 and "2 points meet" in err and "dry run" in err
    with Workspace.open(ws) as opened:
        assert opened.edits() == []
    code, err = cli(
        capsys,
        "label",
        ws,
        "--where",
        "path~pb1/img00[01]\\.png$",
        "--where",
        "source=real",
        "--set",
        "group=picked",
    )
    with Workspace.open(ws) as opened:
        assert list(opened.column("group")).count("picked") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--where", "label=nothing", "--set", "label=real"], "matches no point; nothing changed"),
        (["--where", "path~(", "--set", "label=real"], "bad regular expression"),
        (["--where", "nope=1", "--set", "label=real"], "no column 'nope'"),
        (["--where", "source=fake", "--set", "source=real"], "column 'source' is not editable"),
        (["--where", "source=fake", "--set", "label"], "expected COLUMN=VALUE"),
        (["--where", "source=fake", "--set", "score=high"], "is numeric; 'high' is not a number"),
    ],
)
def test_bad_requests_are_one_line_and_change_nothing(ws, capsys, args, message):
    code, err = cli(capsys, "label", ws, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]
    with Workspace.open(ws) as opened:
        assert opened.edits() == []


def test_undo_with_nothing_to_undo(ws, capsys):
    code, err = cli(capsys, "undo", ws)
    assert code == 0 and "nothing to undo" in err
