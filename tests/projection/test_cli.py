"""``synthscope project``: storage in the workspace and reuse of identical requests."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.workspace import Workspace, ingest


@pytest.fixture
def workspace(tmp_path, image_folders):
    real, fake = image_folders(12, 12)
    ingest(tmp_path / "ws", [real], [fake])
    return tmp_path / "ws"


def _project(workspace, *args):
    result = CliRunner().invoke(app, ["project", str(workspace), *args])
    return result


def test_tsne_is_stored_then_reused(workspace):
    args = ["--method", "tsne", "--dims", "3", "--perplexity", "5", "--iterations", "60"]
    first = _project(workspace, *args)
    assert first.exit_code == 0, first.output
    pid = first.stdout.strip().splitlines()[-1]
    with Workspace.open(workspace) as ws:
        embedding, meta = ws.load_projection(pid)
        assert embedding.shape == (24, 3) and embedding.dtype == np.float32
        assert meta["method"] == "tsne" and meta["feature"] == "pixels64"
        assert meta["params"]["perplexity"] == 5.0 and meta["seed"] == 0
        assert meta["kl"] > 0 and meta["seconds"] >= 0
        assert [p["id"] for p in ws.projections()] == [pid]
    stamp = (workspace / "projections" / f"{pid}.npy").stat().st_mtime_ns

    again = _project(workspace, *args)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip().splitlines()[-1] == pid
    assert "reused" in again.output
    assert (workspace / "projections" / f"{pid}.npy").stat().st_mtime_ns == stamp

    other_seed = _project(workspace, *args, "--seed", "1")
    assert other_seed.stdout.strip().splitlines()[-1] != pid


def test_changed_vectors_are_not_reused(workspace):
    args = ["--method", "pca", "--dims", "2"]
    pid = _project(workspace, *args).stdout.strip().splitlines()[-1]
    with Workspace.open(workspace) as ws:
        ws.write_vectors("pixels64", np.asarray(ws.vectors("pixels64")) * 2)
    result = _project(workspace, *args)
    assert result.stdout.strip().splitlines()[-1] == pid
    assert "computed" in result.output
    meta = json.loads((workspace / "projections" / f"{pid}.json").read_text())
    assert meta["params"]["explained_variance_ratio"][0] > 0


def test_unknown_feature_is_one_line_error(workspace):
    from synthscope.errors import UnknownFeatureError

    result = _project(workspace, "--method", "pca", "--features", "nope")
    assert result.exit_code != 0
    assert isinstance(result.exception, UnknownFeatureError)
    assert "no feature 'nope'" in str(result.exception)


def test_bad_method_and_perplexity(workspace):
    from synthscope.errors import InvalidParameterError

    result = _project(workspace, "--method", "mds")
    assert isinstance(result.exception, InvalidParameterError)
    assert "--method must be one of 'pca', 'tsne', 'umap' (got 'mds')" in str(result.exception)
    result = _project(workspace, "--method", "tsne", "--perplexity", "30")
    assert isinstance(result.exception, InvalidParameterError)
    assert "perplexity must be < n_points / 3 (got 30 for 24 points)" in str(result.exception)
