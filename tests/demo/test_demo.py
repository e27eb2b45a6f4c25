"""The small demo end to end, as CI runs it: `synthscope demo --no-browser --exit-when-ready`."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from synthscope.demo import DEMO_SIZES, demo_plan, shipped_model
from synthscope.errors import InputError, InvalidParameterError
from synthscope.workspace import Workspace


def run_demo_cli(workdir, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "synthscope", "demo", "--workdir", str(workdir), *extra],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_small_demo_end_to_end_and_reuse(tmp_path):
    workdir = tmp_path / "demo"
    first = run_demo_cli(workdir, "--no-browser", "--exit-when-ready")
    assert first.returncode == 0, first.stderr
    assert "verdict (pixels64):" in first.stderr
    plan = DEMO_SIZES["small"]
    with Workspace.open(workdir / "workspace") as ws:
        source = ws.column("source")
        assert (source == "real").sum() == plan.n_real and (
            source == "fake"
        ).sum() == plan.n_heldout
        features = ws.features()
        assert {"pixels64", "texture", "random-cnn", "ssl.encoder"} <= set(features)
        assert any(f.startswith("spade-disc.") for f in features)
        projections = ws.projections()
        assert sorted(p["feature"] for p in projections) == sorted(
            ["pixels64", "texture", next(f for f in features if f.startswith("spade-disc."))]
        )
        for meta in projections:
            embedding, _ = ws.load_projection(meta["id"])
            assert embedding.shape == (plan.n_real + plan.n_heldout, 3)
            assert np.isfinite(embedding).all()
        scores = ws.column("realism_c2st:pixels64")
        assert np.isnan(scores[source == "real"]).all()
        assert np.isfinite(scores[source == "fake"]).all()
        # Generated frames carry the held-out pullbacks, never a real pullback's name.
        groups = ws.column("group")
        assert set(groups[source == "fake"]).isdisjoint(set(groups[source == "real"]))
    comparison = json.loads((workdir / "realism.json").read_text())
    assert next(iter(comparison["features"])) == "pixels64" and len(comparison["table"]) == 5
    report = comparison["features"]["pixels64"]
    assert report["verdict"] and report["n_real"] == plan.n_real
    assert "side by side: pixels64: " in first.stderr
    assert (workdir / "realism.html").read_text().lstrip().lower().startswith("<!doctype html")

    again = run_demo_cli(workdir, "--no-browser", "--exit-when-ready")
    assert again.returncode == 0, again.stderr
    steps = [line for line in again.stderr.splitlines() if ": reused from an earlier run" in line]
    assert len(steps) == 12, again.stderr  # every step reused, nothing recomputed

    # The utility study is the last step: it reuses every other one, and its own settings (here
    # a short run) rerun it alone.
    from dataclasses import replace

    from synthscope.demo import findings_lines, run_demo

    quick = replace(plan, utility_steps=20, utility_repeats=1)
    result = run_demo(workdir, quick, utility=True)
    assert [step.name for step in result.steps if not step.skipped] == ["utility"]
    utility = json.loads((workdir / "utility.json").read_text())
    arms = {arm["name"] for arm in utility["arms"]}
    assert {"real", "real+generated", "real+random", "real+top:realism_knn:texture"} <= arms
    assert utility["parameters"]["steps"] == 20 and utility["parameters"]["repeats"] == 1
    lines = findings_lines(result)
    assert f"does curation help? {utility['verdict']}" in lines
    assert f"  - {utility['evidence'][0]}" in lines


def test_shipped_model_is_there_and_small():
    checkpoint = shipped_model() / "checkpoints" / "latest.pt"
    assert checkpoint.is_file()
    assert checkpoint.stat().st_size <= 25 * 2**20
    assert json.loads((shipped_model() / "options.json").read_text())["label_nc"] == 5


def test_bad_demo_arguments(tmp_path):
    with pytest.raises(InvalidParameterError, match="size must be one of 'small', 'paper'"):
        demo_plan("huge")
    from synthscope.demo import run_demo

    with pytest.raises(InputError, match="the demo's SPADE generator is missing"):
        run_demo(tmp_path / "d", "small", model=tmp_path / "nomodel")
