"""``synthscope check WS [--repair]``: each kind of damage is found, and repair fixes what it can."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.workspace import Workspace, check_workspace, ingest, score_workspace
from tests.helpers import write_images


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """12 real and 12 generated images, scored, one projection, one edit batch undone."""
    root = tmp_path_factory.mktemp("check")
    write_images(root / "real" / "pb1", 6, seed=1)
    write_images(root / "real" / "pb2", 6, seed=2)
    write_images(root / "fake", 12, seed=3)
    ingest(root / "ws", [root / "real"], [root / "fake"], workers=1)
    with Workspace.open(root / "ws") as ws:
        score_workspace(ws, n_permutations=10, n_components=4, kid_subsets=2)
        ws.relabel([1, 2], "label", "fake")
        ws.relabel([3], "group", "pb9")
        ws.undo()
        ws.relabel([5], "label", "odd")
        coords = np.random.default_rng(0).normal(size=(ws.n_points, 2)).astype(np.float32)
        ws.save_projection("p1", coords, {"method": "pca", "dims": 2, "n_points": ws.n_points})
    return root


@pytest.fixture
def ws(template, tmp_path) -> Path:
    shutil.copytree(template / "ws", tmp_path / "ws")
    return tmp_path / "ws"


def problems(path: Path, **kwargs) -> list[str]:
    return [str(f) for f in check_workspace(path, **kwargs).problems]


def test_a_fresh_workspace_is_sound(ws):
    report = check_workspace(ws)
    assert report.sound, report.problems
    assert report.n_points == 24
    result = CliRunner().invoke(app, ["check", str(ws)])
    assert result.exit_code == 0 and "sound (24 points)" in result.output


def test_a_workspace_copied_without_its_times_is_sound(template, tmp_path):
    """cp -r, scp: the same bytes, new modification times. Not an interrupted write."""
    copy = tmp_path / "copied"
    shutil.copytree(template / "ws", copy, copy_function=shutil.copyfile)
    for vectors in (copy / "vectors").glob("*.npy"):
        os.utime(vectors, ns=(10**18, 10**18))
    report = check_workspace(copy)
    assert report.sound, report.problems
    with Workspace.open(copy) as opened:
        assert opened.feature_info("pixels64") is not None


def test_changed_vectors_and_lost_provenance_are_found(ws):
    vectors = ws / "vectors" / "pixels64.npy"
    data = bytearray(vectors.read_bytes())
    data[-7] ^= 0xFF
    stat = vectors.stat()
    vectors.write_bytes(bytes(data))
    os.utime(vectors, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time
    assert any("differ from their recorded SHA-1" in p for p in problems(ws))
    (ws / "vectors" / "pixels64.json").unlink()
    assert any("pixels64.npy: has no provenance" in p for p in problems(ws))


def test_orphaned_projection_files_are_found_and_removed(ws):
    (ws / "projections" / "p1.json").unlink()
    found = problems(ws)
    assert found == [
        "projections: projections/p1.npy: has no .json (an interrupted projection; repair removes it)"
    ]
    result = CliRunner().invoke(app, ["check", str(ws)])
    assert result.exit_code == 1 and "[--repair fixes it]" in result.output
    report = check_workspace(ws, repair=True)
    assert report.sound and len(report.repaired) == 1
    assert not (ws / "projections" / "p1.npy").exists()


def test_bad_projection_shapes_are_found(ws):
    meta = json.loads((ws / "projections" / "p1.json").read_text())
    (ws / "projections" / "p1.json").write_text(json.dumps({**meta, "dims": 3}))
    assert any("shape (24, 2) but 3 dims" in p for p in problems(ws))


def test_a_missing_tile_is_redrawn(ws):
    tile = ws / "thumbs" / "tile_0000.png"
    before = tile.read_bytes()
    tile.unlink()
    assert problems(ws) == [
        "thumbnails: thumbs/tile_0000.png: atlas tile missing (repair redraws it)"
    ]
    assert check_workspace(ws, repair=True).sound
    assert tile.read_bytes() == before


def test_an_edit_that_bypassed_the_log_is_found(ws):
    with Workspace.open(ws) as opened:
        opened._connection.execute("UPDATE points SET label = 'real' WHERE id = 5")
    assert any(
        "does not give the current 'label' of 1 points (first: point 5)" in p for p in problems(ws)
    )


def test_an_undone_edit_replays_to_the_current_values(ws):
    with Workspace.open(ws) as opened:
        opened.undo()
        opened.undo()
        opened.redo()
        opened.relabel([3], "group", None)
    assert check_workspace(ws).sound


def test_score_columns_and_report_from_different_runs_are_found(ws):
    report = ws / "realism" / "pixels64.json"
    data = json.loads(report.read_text())
    run = data["run"]
    # What an interrupted score leaves: new columns (and run id) committed, the old report kept.
    with Workspace.open(ws) as opened:
        opened._connection.execute(
            "UPDATE meta SET value = 'new-run' WHERE key = 'run:score:pixels64'"
        )
    found = problems(ws)
    assert (
        len(found) == 1 and f"from run {run} but the pixels64 columns from run new-run" in found[0]
    )
    assert "synthscope score" in found[0]
    report.unlink()
    assert any("missing for the columns of run new-run" in p for p in problems(ws))


def test_leftovers_of_interrupted_commands_are_listed_and_removed(ws):
    dead = 2**22 + 12345  # above any pid this machine gives out
    inside = ws / "vectors" / f".pixels64.npy.{dead}-0badc0de.tmp"
    inside.write_bytes(b"half")
    staging = ws.parent / f".{ws.name}.{dead}-deadbeef.staging"
    (staging / "thumbs").mkdir(parents=True)
    folder = ws / f".export.{dead}-old.staging"
    folder.mkdir()
    running = ws / "thumbs" / f".tile_0000.png.{os.getppid()}-00000000.tmp"
    running.write_bytes(b"")
    report = check_workspace(ws)
    assert sorted(f.where for f in report.problems) == sorted(
        [f".export.{dead}-old.staging", str(staging), f"vectors/.pixels64.npy.{dead}-0badc0de.tmp"]
    )
    assert [f.where for f in report.notes if f.part == "leftovers"] == [
        f"thumbs/.tile_0000.png.{os.getppid()}-00000000.tmp"
    ]
    repaired = check_workspace(ws, repair=True)
    assert repaired.sound and len(repaired.repaired) == 3
    assert not inside.exists() and not staging.exists() and not folder.exists()
    assert running.exists()  # a running process's file is left alone


def test_a_damaged_database_is_found(ws):
    with Workspace.open(ws) as opened:
        opened._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = opened._connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = opened._connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'points'"
        ).fetchone()
    db = ws / "synthscope.db"
    data = bytearray(db.read_bytes())
    data[(root - 1) * page : root * page] = bytes(range(256)) * (page // 256)  # scrambled
    db.write_bytes(bytes(data))
    found = problems(ws)
    assert found and found[0].startswith("database: synthscope.db:")


def test_ids_with_a_gap_are_found(ws):
    with Workspace.open(ws) as opened:
        opened._connection.execute("DELETE FROM points WHERE id = 23")
        opened._connection.execute("UPDATE points SET id = 30 WHERE id = 22")
    assert any("ids run 0..30 for 23 points" in p for p in problems(ws))


def test_properties_of_an_older_workspace_are_recorded_by_repair(ws):
    """A workspace ingested before native properties were recorded: check names it, the cue
    check says it cannot run, and repair reads the properties from the files."""
    import sqlite3

    from synthscope.io import PROPERTY_COLUMNS
    from synthscope.workspace._cues import check_cues

    with Workspace.open(ws) as opened:
        before = {name: list(opened.column(name)) for name in PROPERTY_COLUMNS}
    with sqlite3.connect(ws / "synthscope.db") as db:
        for name in PROPERTY_COLUMNS:
            db.execute(f'ALTER TABLE points DROP COLUMN "{name}"')
            db.execute("DELETE FROM columns WHERE name = ?", (name,))
    found = problems(ws)
    assert len(found) == 1 and "native image properties not recorded" in found[0], found

    def cue_notes(opened):
        source = opened.column("source")
        return check_cues(
            opened, np.flatnonzero(source == "real"), np.flatnonzero(source != "real")
        )

    with Workspace.open(ws) as opened:
        assert "could not run" in cue_notes(opened)[1][0]
    report = check_workspace(ws, repair=True)
    assert report.sound, report.problems
    assert [f.part for f in report.repaired] == ["properties"]
    with Workspace.open(ws) as opened:
        after = {name: list(opened.column(name)) for name in PROPERTY_COLUMNS}
        assert set(PROPERTY_COLUMNS) <= set(opened.computed_columns())
        assert cue_notes(opened)[1] == []
    assert after == before


def test_not_a_workspace(tmp_path):
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "does not exist" in result.output
