"""Utility studies on tiny phantom sets: the measurement can fail, is repeatable, and is fair."""

from __future__ import annotations

import json

import numpy as np
import torch

from synthscope.utility import (
    ArmSpec,
    TrainConfig,
    standard_arms,
    training_loop,
    utility_study,
)
from tests.utility.conftest import make_data

FAST = TrainConfig(steps=4, batch_size=4)


def test_mislabelled_generated_pairs_lower_dice(real_frames, generated_frames):
    """Generated frames whose label maps were shuffled across frames must hurt: the study has to
    be able to say 'lowered', or it could only ever say 'helped'. (Over six 60-step repeats,
    seeds 0 and 1, the shuffled pairs lowered Dice by 0.007 to 0.161, 0.079 on average.)"""
    shuffled = generated_frames.labels[np.random.default_rng(0).permutation(36)]
    arms = [
        ArmSpec("real", "real"),
        ArmSpec("real+generated", "generated", generated=np.arange(36)),
    ]
    config = TrainConfig(steps=60, batch_size=8)
    bad = utility_study(
        make_data(real_frames, generated_frames, generated_labels=shuffled),
        arms,
        config=config,
        repeats=2,
        seed=1,
        n_bootstrap=500,
    )
    good = utility_study(
        make_data(real_frames, generated_frames), arms[1:], config=config, repeats=1, seed=1
    )
    difference = bad.comparison("real+generated", "real")
    assert difference.difference < -0.03
    assert difference.ci[1] < 0 and all(v < 0 for v in difference.runs)
    assert difference.direction == -1
    assert "lowered Dice" in bad.verdict
    assert good.arm("real+generated").runs[0] > bad.arm("real+generated").runs[0] + 0.02


def test_same_seed_same_result_other_seed_other_result(real_frames, generated_frames):
    data = make_data(real_frames, generated_frames)
    arms = standard_arms(36, curated=np.arange(6))
    arms = [a for a in arms if a.name in ("real", "real+random")]
    one = utility_study(data, arms, config=FAST, repeats=2, seed=3, n_bootstrap=200)
    two = utility_study(data, arms, config=FAST, repeats=2, seed=3, n_bootstrap=200)
    other = utility_study(data, arms, config=FAST, repeats=2, seed=4, n_bootstrap=200)
    assert json.dumps(one.to_dict()) == json.dumps(two.to_dict())
    assert one.arm("real").runs != other.arm("real").runs


def test_training_is_bitwise_repeatable_and_seeded(real_frames):
    images, labels = real_frames.images[:8], real_frames.labels[:8]

    def weights(init_seed, batch_seed):
        model = training_loop(
            "segment",
            images,
            labels,
            n_classes=5,
            config=FAST,
            init_seed=init_seed,
            batch_seed=batch_seed,
        )
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    first = weights(1, 2)
    assert torch.equal(first, weights(1, 2))
    assert not torch.equal(first, weights(9, 2))
    assert not torch.equal(first, weights(1, 9))


def test_every_arm_trains_the_same_number_of_steps(real_frames, generated_frames):
    """Equal compute: real+generated has three times the images of real, not three times the
    steps."""
    seen: dict[tuple[str, int], list[int]] = {}
    arms = standard_arms(36, curated=np.arange(5))
    config = TrainConfig(steps=12, batch_size=2)
    result = utility_study(
        make_data(real_frames, generated_frames),
        arms,
        config=config,
        repeats=1,
        n_bootstrap=100,
        step_progress=lambda arm, r, step, steps: seen.setdefault((arm, r), []).append(step),
    )
    assert len(seen) == len(arms)
    assert {tuple(steps) for steps in seen.values()} == {(10, 12)}
    sizes = {arm.name: arm.n_train for arm in result.arms}
    assert sizes["real+generated"] == 54 and sizes["real"] == 18 and sizes["generated"] == 36


def test_standard_arms_and_their_comparisons(real_frames, generated_frames):
    arms = standard_arms(36, curated=np.arange(6), top={"realism_knn": np.arange(10, 16)})
    names = [a.name for a in arms]
    assert names == [
        "real",
        "real+generated",
        "real+curated",
        "real+top:realism_knn",
        "real+random",
        "generated",
    ]
    differing = standard_arms(36, curated=np.arange(6), top={"s": np.arange(8)})
    assert [a.name for a in differing if a.kind == "random"] == ["real+random", "real+random:8"]
    assert {a.name: a.control for a in differing if a.control} == {
        "real+curated": "real+random",
        "real+top:s": "real+random:8",
    }
    progress = []
    result = utility_study(
        make_data(real_frames, generated_frames),
        arms,
        config=FAST,
        repeats=2,
        n_bootstrap=200,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert progress[0] == (0, 12) and progress[-1] == (12, 12) and len(progress) == 13
    pairs = {(c.arm, c.baseline) for c in result.comparisons}
    assert pairs == {
        ("real+generated", "real"),
        ("real+curated", "real"),
        ("real+curated", "real+random"),
        ("real+top:realism_knn", "real"),
        ("real+top:realism_knn", "real+random"),
        ("real+random", "real"),
        ("generated", "real"),
    }
    payload = result.to_dict()
    assert {"task", "metric", "split", "arms", "comparisons", "verdict", "parameters", "seeds"} <= (
        set(payload)
    )
    assert set(payload["arms"][0]) >= {"name", "n_train", "mean", "ci", "runs"}
    assert payload["metric"] == "dice" and len(payload["arms"][0]["runs"]) == 2
    assert result.verdict.startswith("Adding the 6 curated generated images")
    assert "6 random generated images gave" in result.verdict
    for arm in result.arms:
        assert arm.ci[0] <= arm.mean <= arm.ci[1] or not np.isfinite(arm.ci[0])


def test_random_arm_draws_anew_each_repeat(real_frames, generated_frames, monkeypatch):
    from synthscope.utility import _study

    drawn = []
    original = _study._training_set

    def spy(data, arm, repeat, seed):
        images, targets, n = original(data, arm, repeat, seed)
        drawn.append(images[-n:].tobytes())
        return images, targets, n

    monkeypatch.setattr(_study, "_training_set", spy)
    arms = [ArmSpec("real", "real"), ArmSpec("real+random", "random", n_random=5)]
    utility_study(
        make_data(real_frames, generated_frames), arms, config=FAST, repeats=2, n_bootstrap=100
    )
    assert drawn[2] != drawn[3]


def test_classification_reports_balanced_accuracy_and_auroc(real_frames, generated_frames):
    data = make_data(real_frames, generated_frames, task="classify")
    result = utility_study(data, standard_arms(36)[:2], config=FAST, repeats=1, n_bootstrap=100)
    assert result.metric == "balanced_accuracy"
    arm = result.arm("real")
    assert 0 <= arm.mean <= 1
    assert set(arm.secondary) == {"auroc"} and 0 <= arm.secondary["auroc"]["mean"] <= 1
    assert "balanced accuracy" in result.verdict


def test_html_report_is_self_contained(real_frames, generated_frames, tmp_path):
    result = utility_study(
        make_data(real_frames, generated_frames),
        standard_arms(36, curated=np.arange(4)),
        config=FAST,
        repeats=1,
        n_bootstrap=100,
    )
    page = result.to_html(tmp_path / "u.html").read_text()
    assert page.count("<svg") == 2
    for arm in result.arms:
        assert arm.name in page
    assert "src='http" not in page and "href='http" not in page
    assert result.verdict.split(" (")[0] in page
    saved = json.loads(result.to_json(tmp_path / "u.json").read_text())
    assert saved["verdict"] == result.verdict


def test_a_change_needs_its_interval_and_every_repeat():
    from synthscope.utility import Comparison

    def item(ci, runs):
        return Comparison("a", "real", float(np.mean(runs)), ci, 0.01, len(runs), 4, tuple(runs))

    assert item((0.01, 0.03), (0.02, 0.01, 0.03)).direction == 1
    assert item((-0.03, -0.01), (-0.02, -0.01)).direction == -1
    assert item((0.01, 0.03), (0.02, -0.001, 0.03)).direction == 0  # one repeat disagrees
    assert item((-0.01, 0.03), (0.02, 0.01)).direction == 0  # the interval holds zero
    assert item((0.01, 0.03), (0.02,)).direction == 0  # one repeat never makes a change
