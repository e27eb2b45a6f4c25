"""score_workspace and `synthscope score` on a tiny workspace built through the API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.errors import InputError, WorkspaceError
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
            column = ws.column(name)
            assert np.isnan(column[:24]).all(), name
            assert np.isfinite(column[24:]).all(), name
        assert set(ws.column("nearest_real_id")[24:]) <= set(range(24))
        np.testing.assert_allclose(ws.column("realism_c2st")[24:], report.scores.c2st_probability)
    data = json.loads((path / "realism.json").read_text())
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
        scores = ws.column("realism_knn")
        assert np.isnan(scores[source == "real"]).all()
        assert np.isfinite(scores[source == "fake"]).all()
    assert (ws_path / "realism.json").is_file()
