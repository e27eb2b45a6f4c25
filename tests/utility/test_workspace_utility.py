"""``utility_workspace``: the split is drawn once and reused, the arms come from the workspace's
curation and scores, and every bad request is one line that writes nothing."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from synthscope.errors import InvalidParameterError, SynthscopeError, UnknownFeatureError
from synthscope.workspace import Workspace, ingest, load_utility_result, utility_workspace

FAST = {"steps": 4, "batch_size": 4, "repeats": 1, "size": 32, "n_bootstrap": 100}


def test_study_on_a_workspace_stores_split_and_result(workspace):
    fake = np.flatnonzero(workspace.column("source") == "fake")
    workspace.relabel(fake[:5], "label", "real")
    result = utility_workspace(workspace, **FAST)
    names = [arm.name for arm in result.arms]
    assert names == [
        "real",
        "real+generated",
        "real+curated",
        "real+top:realism_c2st",
        "real+top:realism_knn",
        "real+random",
        "generated",
    ]
    assert result.arm("real+curated").n_generated == 5
    assert result.parameters["generated_ids"]["curated"] == fake[:5].tolist()
    c2st = workspace.column("realism_c2st")
    best = fake[np.argsort(-c2st[fake])[:5]]
    assert sorted(result.parameters["generated_ids"]["top:realism_c2st"]) == sorted(best.tolist())
    assert result.arm("real+top:realism_c2st").n_generated == 5  # K = the curated count
    assert result.class_names[1] == "lumen"

    split = json.loads((workspace.path / "utility" / "split.json").read_text())
    stored = json.loads((workspace.path / "utility" / "result.json").read_text())
    assert load_utility_result(workspace) == stored
    assert stored["verdict"] == result.verdict
    assert stored["split"]["path"] == "utility/split.json"
    assert stored["split"]["test_groups"] == split["test_groups"]
    assert len(split["test_groups"]) == 2 and len(split["train_groups"]) == 4
    assert not set(split["test_groups"]) & set(split["train_groups"])
    assert result.split["n_test"] == 12 and result.split["n_train_real"] == 24

    again = utility_workspace(workspace, **{**FAST, "seed": 5})
    assert again.split["reused"] and again.split["test_groups"] == split["test_groups"]
    with pytest.raises(InvalidParameterError, match="--new-split"):
        utility_workspace(workspace, **FAST, test_fraction=0.5)
    fresh = utility_workspace(workspace, **{**FAST, "seed": 5}, new_split=True)
    assert not fresh.split["reused"] and fresh.split["seed"] == 5


def test_explicit_curation_regex_and_top_k(workspace):
    result = utility_workspace(
        workspace,
        **FAST,
        curated=["source=fake", "group~^gen-pb00[01]$"],
        rank_by=["realism_knn"],
        top=3,
    )
    curated = result.arm("real+curated")
    assert curated.n_generated == 12  # two generated pullbacks of six frames
    assert [a.name for a in result.arms if a.kind == "random"] == ["real+random", "real+random:3"]
    assert result.arm("real+top:realism_knn").control == "real+random:3"


def test_generated_points_made_from_test_label_maps_are_left_out(phantom_folders, tmp_path):
    real, generated = phantom_folders
    leaky = tmp_path / "generated"
    shutil.copytree(generated, leaky)
    stems = sorted(p.stem for p in (leaky / "labels").glob("*.png"))[:3]
    for stem, source in zip(stems, sorted((real / "labels").glob("pb000_*.png")), strict=False):
        shutil.copy(source, leaky / "labels" / f"{stem}.png")
    ingest(tmp_path / "ws", [real], [leaky], workers=1)
    (tmp_path / "ws" / "utility").mkdir()
    split = {
        "seed": 0,
        "test_fraction": 0.3,
        "train_groups": ["pb002", "pb003", "pb004", "pb005"],
        "test_groups": ["pb000", "pb001"],
    }
    (tmp_path / "ws" / "utility" / "split.json").write_text(json.dumps(split))
    with Workspace.open(tmp_path / "ws") as ws:
        result = utility_workspace(ws, **FAST)
    assert result.split["reused"] and result.split["n_generated_left_out"] == 3
    assert result.arm("generated").n_generated == 33
    assert any("label map of a real test image" in note for note in result.notes)


def test_classify_a_column(workspace):
    result = utility_workspace(workspace, **FAST, target="calcium_present")
    assert result.task == "classify" and result.class_names == ("0", "1")
    assert "auroc" in result.arm("real").secondary


def test_epochs_set_the_same_steps_for_every_arm(workspace):
    """--epochs E: E passes over the real training images (24 here, batches of 4: 6 steps each)."""
    fast = {k: v for k, v in FAST.items() if k != "steps"}
    result = utility_workspace(workspace, **fast, epochs=2)
    assert result.parameters["steps"] == 12 and result.parameters["epochs"] == 2
    assert any("2 epochs over the 24 real training images: 12 steps" in n for n in result.notes)
    with pytest.raises(InvalidParameterError, match="give steps or epochs, not both"):
        utility_workspace(workspace, **FAST, epochs=2)


def _nothing_written(ws: Workspace) -> bool:
    return not (ws.path / "utility").exists() and load_utility_result(ws) is None


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "message"),
    [
        (None, {"target": "nope"}, UnknownFeatureError, "no column 'nope'"),
        ("one_class", {"target": "one"}, InvalidParameterError, "has one class"),
        ("two_groups", {}, InvalidParameterError, "too few groups to hold out a test set"),
        (None, {"curated": ["group~^nothing$"]}, InvalidParameterError, "matches no point"),
        (None, {"curated": ["source=real"]}, InvalidParameterError, "no usable generated"),
        (None, {"curated": ["group~("]}, InvalidParameterError, "bad regular expression"),
        (None, {"curated": ["nope=1"]}, UnknownFeatureError, "no column 'nope'"),
        (None, {"rank_by": ["group"]}, InvalidParameterError, "holds text, not scores"),
        (None, {"top": 500}, InvalidParameterError, "--top 500: there are only 36 generated"),
        (None, {"task": "classify"}, InvalidParameterError, "needs --target COLUMN"),
        (None, {"size": 30}, InvalidParameterError, "multiple of 4"),
        (None, {"steps": None, "epochs": 0}, InvalidParameterError, "epochs must be in"),
    ],
)
def test_bad_requests_fail_in_one_line_and_write_nothing(workspace, change, kwargs, error, message):
    if change == "one_class":
        workspace.set_column("one", ["a"] * workspace.n_points, kind="text")
    if change == "two_groups":
        real = np.flatnonzero(workspace.column("source") == "real")
        workspace.relabel(real[:18], "group", "A")
        workspace.relabel(real[18:], "group", "B")
    with pytest.raises(error, match=message) as caught:
        utility_workspace(workspace, **{**FAST, **kwargs})
    assert "\n" not in str(caught.value)
    assert _nothing_written(workspace)


def test_segment_needs_label_maps(image_folders, tmp_path):
    real, fake = image_folders(6, 4)
    ingest(tmp_path / "ws", [real], [fake], workers=1)
    with (
        Workspace.open(tmp_path / "ws") as ws,
        pytest.raises(
            InvalidParameterError, match="segment needs a label map for every point: 6 of 6 real"
        ),
    ):
        utility_workspace(ws, **FAST)
    assert not (tmp_path / "ws" / "utility").exists()


def test_label_maps_with_other_classes_are_refused(phantom_folders, tmp_path):
    from PIL import Image

    real, generated = phantom_folders
    shifted = tmp_path / "shifted"
    shutil.copytree(generated, shifted)
    for path in (shifted / "labels").glob("*.png"):
        labels = np.asarray(Image.open(path))
        Image.fromarray((labels + 1).astype(np.uint8)).save(path)
    ingest(tmp_path / "ws", [real], [shifted], workers=1)
    with (
        Workspace.open(tmp_path / "ws") as ws,
        pytest.raises(
            SynthscopeError, match=r"different classes: real \[0, 1, 2, 3, 4\], generated \[1, 2"
        ),
    ):
        utility_workspace(ws, **FAST)
    assert not (tmp_path / "ws" / "utility").exists()
