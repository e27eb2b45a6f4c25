"""The whole report: JSON with every number, one self-contained HTML page, a cited verdict."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import synthscope.realism as realism
from synthscope.realism import realism_report, realism_scores
from tests.realism._data import gaussians, pullback_pair

SMALL = {"n_permutations": 40, "n_components": 5, "kid_subsets": 5, "null_splits": 2}


@pytest.fixture(scope="module")
def null_report():
    real, fake = gaussians(60, 60, 8, seed=1)
    return realism_report(real, fake, seed=3, **SMALL)


@pytest.fixture(scope="module")
def shifted_report():
    real, fake = gaussians(60, 60, 8, shift=1.0, seed=1)
    fake[:4] = real[:4]
    return realism_report(real, fake, seed=3, **SMALL)


def test_public_names():
    assert realism.__all__ == sorted(realism.__all__)
    for name in ("one_nn_test", "c2st", "mmd_test", "frechet_distance", "kid", "prdc",
                 "memorization", "realism_scores"):  # fmt: skip
        assert name in realism.__all__
    # realism works on arrays only: the workspace side scores a workspace
    assert "score_workspace" not in realism.__all__


def test_json_holds_every_section_and_parameter(null_report):
    data = json.loads(null_report.to_json())
    for key in ("one_nn", "c2st", "mmd", "frechet", "kid", "prdc", "memorization", "scores"):
        assert "seed" in data[key] or key == "memorization", key
    assert data["parameters"]["seed"] == 3
    assert data["one_nn"]["expected_null"] == pytest.approx(59 / 119)
    assert len(data["one_nn"]["null_distribution"]) == 40
    per_image = data["per_fake_image"]
    assert len(per_image["realism_c2st"]) == 60 and len(per_image["likely_copy"]) == 60
    assert data["point_ids"] == "row indices"


def test_same_seed_same_json_bytes(null_report):
    real, fake = gaussians(60, 60, 8, seed=1)
    again = realism_report(real, fake, seed=3, **SMALL)
    assert again.to_json() == null_report.to_json()


def test_verdicts_cite_their_evidence(null_report, shifted_report):
    assert null_report.verdict.startswith("Not distinguishable")
    assert shifted_report.verdict.startswith("Distinguishable")
    assert "copied" in shifted_report.verdict
    evidence = " ".join(shifted_report.evidence)
    assert f"{shifted_report.c2st.auroc:.3f}" in evidence
    assert "4 exact duplicates" in evidence
    assert re.search(r"p = 0\.0244", evidence)  # 1 / 41: no permutation reached the statistic


def test_html_is_self_contained(shifted_report, tmp_path):
    rng = np.random.default_rng(0)
    thumbs = rng.integers(0, 255, size=(60, 16, 16), dtype=np.uint8)
    path = tmp_path / "report.html"
    text = shifted_report.to_html(path, real_images=thumbs, fake_images=thumbs)
    assert path.read_text(encoding="utf-8") == text
    assert text.count("<svg") >= 6
    assert "data:image/png;base64," in text
    assert not re.search(r"(src|href)=['\"]https?:", text)
    assert shifted_report.verdict.split(":")[0] in text


def test_groups_reported(tmp_path):
    real, fake, groups = pullback_pair(6, 8, 5, seed=2)
    report = realism_report(real, fake, groups, **SMALL)
    assert report.n_groups == 12
    assert report.one_nn.exclude_same_group and report.scores.exclude_same_group
    assert any("permutations moved whole groups" in line for line in report.evidence)


def test_realism_scores_rank_fakes():
    real, fake = gaussians(80, 80, 6, seed=4)
    fake[:40] += 2.0
    scores = realism_scores(real, fake, k=8)
    assert scores.c2st_probability.shape == (80,) and scores.knn_real_share.shape == (80,)
    assert scores.knn_real_share[40:].mean() > scores.knn_real_share[:40].mean() + 0.3
    assert scores.c2st_probability[40:].mean() > scores.c2st_probability[:40].mean() + 0.2
    assert scores.expected_null_knn == pytest.approx(80 / 159)


def test_full_space_metrics_subsample_above_limit():
    real, fake = gaussians(40, 30, 6, seed=6)
    fake[3] = real[5]
    report = realism_report(real, fake, max_full_points=40, **SMALL)
    memo = report.memorization
    assert report.parameters["full_space_subsampled"]
    assert memo.n_real + memo.n_fake == 40 and memo.n_fake == 17
    assert memo.ratio.shape == (30,) and np.isnan(memo.ratio).sum() == 13
    seen = memo.nearest_real >= 0
    assert seen.sum() == 17 and (memo.nearest_real[seen] < 40).all()
    assert report.frechet.n_real == 23 and report.prdc.n_fake == 17
    data = json.loads(report.to_json())
    assert data["per_fake_image"]["nearest_real"].count(None) == 13
    assert report.to_html().count("<svg") >= 6
