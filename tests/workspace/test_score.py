"""score_workspace and `synthscope score` on a tiny workspace built through the API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.errors import InputError, InvalidParameterError, WorkspaceError
from synthscope.workspace import Workspace, score_workspace


def _make(path: Path, n_real: int = 24, n_fake: int = 20, *, shift: float = 0.0) -> Path:
    rng = np.random.default_rng(0)
    with Workspace.create(path) as ws:
        records = [
            {
                "path": f"/x/{source}{i}.png",
                "source": source,
                "label": source,
                "group": f"pb{i % 4}" if source == "real" else None,
            }
            for source, n in (("real", n_real), ("fake", n_fake))
            for i in range(n)
        ]
        ws.append_points(records, {})
        vectors = rng.normal(size=(n_real + n_fake, 16))
        vectors[n_real:] += shift
        ws.write_vectors("pixels64", vectors)
    return path


FAST = ["--permutations", "20", "--components", "4"]


def test_scores_stored_as_columns(tmp_path):
    path = _make(tmp_path / "ws", shift=3.0)
    report = score_workspace(path, n_permutations=20, n_components=4, kid_subsets=3)
    with Workspace.open(path) as ws:
        for name in ("realism_c2st", "realism_knn", "nearest_real_id", "nearest_real_ratio",
                     "likely_copy"):  # fmt: skip
            column = ws.column(f"{name}:pixels64")
            assert np.isnan(column[:24]).all(), name
            assert np.isfinite(column[24:]).all(), name
        assert set(ws.column("nearest_real_id:pixels64")[24:]) <= set(range(24))
        np.testing.assert_allclose(
            ws.column("realism_c2st:pixels64")[24:], report.scores.c2st_probability
        )
        # written by the command, so shown but never edited
        assert "realism_c2st:pixels64" not in ws.editable_columns()
    data = json.loads((path / "realism" / "pixels64.json").read_text())
    assert data["point_ids"] == "workspace point ids"
    assert data["per_fake_image"]["id"] == list(range(24, 44))
    assert report.verdict.startswith("Distinguishable")
    assert report.n_groups == 4


def test_cli_writes_json_and_html(tmp_path):
    path = _make(tmp_path / "ws")
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    result = CliRunner().invoke(
        app, ["score", str(path), "--json", str(out_json), "--html", str(out_html), *FAST]
    )
    assert result.exit_code == 0, result.output
    assert "1-NN accuracy" in result.output
    data = json.loads(out_json.read_text())
    assert data["parameters"]["n_permutations"] == 20 and data["feature"] == "pixels64"
    assert "<svg" in out_html.read_text()


def test_errors_name_the_problem(tmp_path):
    only_real = _make(tmp_path / "a", n_fake=0)
    with pytest.raises(WorkspaceError, match=r"no 'fake' points"):
        score_workspace(only_real)
    few = _make(tmp_path / "b", n_fake=5)
    with pytest.raises(WorkspaceError, match=r"only 5 'fake' points; .* at least 10"):
        score_workspace(few)
    path = _make(tmp_path / "c")
    with Workspace.open(path) as ws:
        vectors = np.array(ws.vectors("pixels64"))
        vectors[30, 2] = np.nan
        ws.write_vectors("pixels64", vectors)
    with pytest.raises(InputError, match=r"pixels64.npy, row 30: point 30 has NaN"):
        score_workspace(path)
    with pytest.raises(WorkspaceError, match=r"no feature 'nope'"):
        score_workspace(path, "nope")


def test_cli_error_is_one_line(tmp_path):
    import subprocess
    import sys

    path = _make(tmp_path / "ws", n_fake=0)
    run = subprocess.run(
        [sys.executable, "-m", "synthscope", "score", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "error:" in run.stderr and "no 'fake' points" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_on_ingested_folders(image_folders, tmp_path):
    from synthscope.workspace import ingest

    real, fake = image_folders(n_real=14, n_fake=12)
    ws_path = tmp_path / "ingested"
    ingest(ws_path, [real], [fake])
    out_html = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["score", str(ws_path), "--html", str(out_html), *FAST])
    assert result.exit_code == 0, result.output
    text = out_html.read_text()
    assert "data:image/png;base64," in text  # closest pairs drawn from the thumbnails
    with Workspace.open(ws_path) as ws:
        source = ws.column("source")
        scores = ws.column("realism_knn:pixels64")
        assert np.isnan(scores[source == "real"]).all()
        assert np.isfinite(scores[source == "fake"]).all()
    assert (ws_path / "realism" / "pixels64.json").is_file()


def _colliding_folders(root):
    """Real and generated folders whose pullback subfolders share names (pb1, pb2)."""
    from tests.helpers import write_images

    for source, seed in (("real", 1), ("fake", 50)):
        for k, group in enumerate(("pb1", "pb2", "pb3")):
            write_images(root / source / group, 6, seed=seed + k)
    return root / "real", root / "fake"


def test_group_names_are_scoped_to_their_folder_unless_shared(tmp_path):
    from synthscope.workspace import ingest

    real, fake = _colliding_folders(tmp_path)
    ingest(tmp_path / "ws", [real], [fake])
    fast = {"n_permutations": 20, "n_components": 4, "kid_subsets": 3, "store": False}
    scoped = score_workspace(tmp_path / "ws", **fast)
    assert scoped.n_groups == 6  # pb1..pb3 of each folder, kept apart
    assert "kept apart" in scoped.evidence[0] and "pb1, pb2, pb3" in scoped.evidence[0]
    assert "within" not in scoped.one_nn.permutation  # no group holds both sources
    shared = score_workspace(tmp_path / "ws", groups="shared", **fast)
    assert shared.n_groups == 3 and "within 3 groups holding both" in shared.one_nn.permutation
    assert shared.evidence[0].startswith("Groups shared across real and generated")
    with pytest.raises(InvalidParameterError, match="groups must be one of 'scoped', 'shared'"):
        score_workspace(tmp_path / "ws", groups="maybe", **fast)


def test_several_features_side_by_side(tmp_path):
    path = _make(tmp_path / "ws", shift=3.0)
    with Workspace.open(path) as ws:
        vectors = np.asarray(ws.vectors("pixels64"))
        # a second space that sees nothing: the generated rows carry no shift there
        blind = np.random.default_rng(5).normal(size=vectors.shape)
        ws.write_vectors("blind", blind, {"standardize": True})
    out = tmp_path / "both.json"
    result = CliRunner().invoke(
        app,
        ["score", str(path), "--features", "pixels64", "--features", "blind",
         "--json", str(out), *FAST],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("The feature spaces disagree"))
    assert lines[at + 1].startswith("pixels64: distinguishable, AUROC ")
    assert "; blind: not distinguishable" in lines[at + 1]
    assert lines[at + 2].split() == ["feature", "dims", "1-NN", "acc", "p", "C2ST", "AUROC", "p",
                                "MMD²", "p", "FD", "(null)", "KID", "(null)"]  # fmt: skip
    data = json.loads(out.read_text())
    assert list(data["features"]) == ["pixels64", "blind"] and len(data["table"]) == 2
    assert data["features"]["blind"]["evidence"][0].startswith("Each of the 16 columns of blind")
    with Workspace.open(path) as ws:
        for feature in ("pixels64", "blind"):
            assert np.isfinite(ws.column(f"realism_c2st:{feature}")[24:]).all()
        assert list(ws.realism_reports()) == ["pixels64", "blind"]
    single = tmp_path / "one.json"
    CliRunner().invoke(app, ["score", str(path), "--json", str(single), *FAST])
    assert "verdict" in json.loads(single.read_text())  # one feature keeps the report's shape
