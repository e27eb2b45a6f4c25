"""The plain-language verdict of a realism report, each sentence citing its numbers."""

from __future__ import annotations

import math

import numpy as np

from synthscope.realism._c2st import C2STResult
from synthscope.realism._fidelity import FrechetResult, KIDResult
from synthscope.realism._memorization import MemorizationResult
from synthscope.realism._mmd import MMDResult
from synthscope.realism._one_nn import OneNNResult
from synthscope.realism._prdc import PRDCResult


def write_verdict(
    nn: OneNNResult,
    cl: C2STResult,
    mmd: MMDResult,
    pr: PRDCResult,
    memo: MemorizationResult,
    fd: FrechetResult,
    kd: KIDResult,
    alpha: float,
    n_groups: int | None,
) -> tuple[str, list[str]]:
    """A headline and the evidence sentences it rests on, each citing its numbers."""
    evidence = [
        f"1-NN accuracy {nn.accuracy:.3f} (real {nn.accuracy_real:.3f}, generated "
        f"{nn.accuracy_fake:.3f}); {nn.expected_null:.3f} expected if indistinguishable; "
        f"permutation p = {nn.p_value:.3g}.",
        f"Classifier two-sample test: out-of-fold AUROC {cl.auroc:.3f} (0.5 if "
        f"indistinguishable), p = {cl.p_value:.3g}, {cl.n_folds} folds"
        + (" that never split a group." if cl.grouped_folds else "."),
        f"MMD² {mmd.mmd2:.3g} (0 if indistinguishable), p = {mmd.p_value:.3g}.",
    ]
    rejected = [
        name
        for name, result in (("1-NN", nn), ("classifier", cl), ("MMD", mmd))
        if result.p_value <= alpha
    ]
    if not rejected:
        headline = (
            "Not distinguishable in this feature space: no test told the generated images from "
            f"the real ones at α = {alpha:g}."
        )
    else:
        strength = "easily" if cl.auroc >= 0.9 else "clearly" if cl.auroc >= 0.7 else "slightly"
        headline = (
            f"Distinguishable: the generated images can be told from the real ones "
            f"({strength}, classifier AUROC {cl.auroc:.2f}); "
            f"{len(rejected)} of 3 tests reject at α = {alpha:g} ({', '.join(rejected)})."
        )
    if n_groups:
        evidence.append(
            f"Frames were grouped ({n_groups} groups): permutations moved whole groups"
            + (
                ", and 1-NN neighbours came from other groups only."
                if nn.exclude_same_group
                else "."
            )
        )
    evidence.append(
        f"Precision {pr.precision:.3f} / recall {pr.recall:.3f}"
        + (
            f" against {pr.precision_null:.3f} / {pr.recall_null:.3f} for two sets from one "
            "distribution"
            if pr.precision_null is not None and pr.recall_null is not None
            else ""
        )
        + f"; density {pr.density:.3f} ({pr.density_null:.3f} expected), coverage "
        f"{pr.coverage:.3f} ({pr.coverage_null:.3f} expected)."
    )
    if pr.recall_null is not None and pr.recall < 0.8 * pr.recall_null:
        evidence.append(
            "Recall is well below its null value: the generated images cover less of the real "
            "variety (possible mode collapse)."
        )
    fd_text = f"Fréchet distance {fd.distance:.4g}"
    if fd.expected_null is not None:
        fd_text += f" against {fd.expected_null:.4g} for two sets from one distribution"
    evidence.append(fd_text + f"; KID {kd.kid:.3g} against {kd.expected_null:.3g}.")
    expected = memo.expected_null_copies
    excess = memo.n_likely_copies > expected + 3.0 * math.sqrt(max(expected, 1.0))
    copy_text = (
        f"{memo.n_likely_copies} generated images flagged as likely copies "
        f"(about {expected:.0f} expected by chance"
        + (f"; {memo.n_duplicates} exact duplicates" if memo.n_duplicates else "")
        + ")."
    )
    if memo.n_duplicates or excess:
        headline += " Some generated images look copied from real ones; see the closest pairs."
        copy_text = "Memorisation: " + copy_text
    evidence.append(copy_text)
    null = nn.null_distribution
    p_below = float((1 + np.count_nonzero(null <= nn.accuracy)) / (null.size + 1))
    if p_below <= alpha:
        evidence.append(
            f"1-NN accuracy is below its permutation distribution (p = {p_below:.3g} for "
            "'lower'): generated and real images are nearer each other than chance, a hint of "
            "memorisation."
        )
    evidence.append(
        "Realism is only as strong as the features: a test that cannot separate raw pixels may "
        "separate learned features."
    )
    return headline, evidence
