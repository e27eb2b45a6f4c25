"""The whole realism report: every test and metric, a plain-language verdict, JSON and HTML."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._files import write_text_atomic
from synthscope._params import Integral, Interval, Real, check_value
from synthscope._progress import ProgressCallback, no_progress
from synthscope.realism._c2st import C2STResult, c2st
from synthscope.realism._checks import MIN_POINTS, Sets, check_seed, check_sets, rng_for
from synthscope.realism._fidelity import FrechetResult, KIDResult, frechet_from, kid_from
from synthscope.realism._geometry import gram_to_squared_distances, group_codes, reduce_dims
from synthscope.realism._memorization import MemorizationResult, memorization_from
from synthscope.realism._mmd import MMDResult, mmd_test
from synthscope.realism._one_nn import OneNNResult, one_nn_test
from synthscope.realism._prdc import PRDCResult, prdc_from
from synthscope.realism._scores import RealismScores, classifier_scores, knn_real_share
from synthscope.realism._verdict import write_verdict

logger = logging.getLogger(__name__)

_STEPS = ("pca", "one_nn", "c2st", "mmd", "scores", "frechet", "kid", "prdc", "memorization")


@dataclass(frozen=True)
class RealismReport:
    """Every realism number for one real and one generated set, with its verdict.

    The two-sample tests and realism scores work on the first ``n_components`` principal
    components of the pooled features; Fréchet distance, KID, precision/recall/density/coverage
    and memorisation on the full features, as their references define them.
    """

    one_nn: OneNNResult
    c2st: C2STResult
    mmd: MMDResult
    frechet: FrechetResult
    kid: KIDResult
    prdc: PRDCResult
    memorization: MemorizationResult
    scores: RealismScores
    verdict: str
    evidence: tuple[str, ...]
    alpha: float
    n_real: int
    n_fake: int
    dimension: int
    n_groups: int | None
    feature: str | None
    parameters: dict[str, Any]
    seconds: dict[str, float] = field(compare=False)
    #: Trivial cues found before the tests (``{property, real, generated, message, ...}``): set
    #: by whoever knows the images' native properties (the workspace), empty otherwise.
    cues: tuple[dict[str, Any], ...] = ()
    real_ids: np.ndarray | None = field(default=None, repr=False, compare=False)
    fake_ids: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What to read before the verdict: trivial cues that may explain it."""
        return tuple(c["message"] for c in self.cues if not c.get("resolved"))

    def to_dict(self) -> dict[str, Any]:
        """Every number, parameter and seed as plain JSON-ready values.

        Timings (``seconds``) are left out so the same inputs and seed give the same bytes.
        """
        out: dict[str, Any] = {
            "warnings": list(self.warnings),
            "cues": [dict(c) for c in self.cues],
            "verdict": self.verdict,
            "evidence": list(self.evidence),
            "alpha": self.alpha,
            "n_real": self.n_real,
            "n_fake": self.n_fake,
            "dimension": self.dimension,
            "n_groups": self.n_groups,
            "feature": self.feature,
            "parameters": self.parameters,
        }
        for name in ("one_nn", "c2st", "mmd", "frechet", "kid", "prdc"):
            out[name] = _plain(getattr(self, name), skip=("probability_real",))
        memo = self.memorization
        out["memorization"] = _plain(
            memo, skip=("nearest_real", "distance", "ratio", "likely_copy", "real_reference_ratio")
        )
        out["scores"] = _plain(self.scores, skip=("c2st_probability", "knn_real_share"))
        fake_ids = self.fake_ids if self.fake_ids is not None else np.arange(self.n_fake)
        real_ids = self.real_ids if self.real_ids is not None else np.arange(self.n_real)
        out["point_ids"] = "workspace point ids" if self.fake_ids is not None else "row indices"
        out["per_fake_image"] = {
            "id": [int(i) for i in fake_ids],
            "realism_c2st": _floats(self.scores.c2st_probability),
            "realism_knn": _floats(self.scores.knn_real_share),
            "nearest_real": [int(real_ids[i]) if i >= 0 else None for i in memo.nearest_real],
            "nearest_real_distance": _floats(memo.distance),
            "nearest_real_ratio": _floats(memo.ratio),
            "likely_copy": [bool(v) for v in memo.likely_copy],
        }
        return out

    def to_json(
        self, path: str | Path | None = None, *, extra: dict[str, Any] | None = None
    ) -> str:
        """The report as JSON text (with ``extra`` keys), also written to ``path`` when given."""
        data = {**self.to_dict(), **(extra or {})}
        text = json.dumps(data, indent=1, allow_nan=False, default=str)
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_html(
        self,
        path: str | Path | None = None,
        *,
        real_images: np.ndarray | None = None,
        fake_images: np.ndarray | None = None,
        title: str = "synthscope realism report",
    ) -> str:
        """One self-contained HTML page (inline SVG plots, base64 thumbnails of copy pairs)."""
        from synthscope.realism._html import render_html

        text = render_html(self, real_images=real_images, fake_images=fake_images, title=title)
        if path is not None:
            write_text_atomic(path, text)
        return text


def realism_report(
    real: Any,
    fake: Any,
    groups: Sequence[Any] | None = None,
    *,
    n_components: int | None = 50,
    n_permutations: int = 200,
    alpha: float = 0.05,
    k: int = 10,
    null_splits: int = 3,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    copy_quantile: float = 0.01,
    max_full_points: int = 8000,
    feature: str | None = None,
    notes: Sequence[str] = (),
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> RealismReport:
    """Run every test and metric on one real and one generated feature set.

    Parameters
    ----------
    real, fake
        ``(N, d)`` and ``(M, d)`` feature arrays.
    groups
        Optional group (pullback/patient) per pooled point, real first; ``None`` = unknown.
    n_components
        PCA dimension of the two-sample tests and realism scores (``None`` keeps all).
    n_permutations
        Permutations of each test (whole groups when groups are given).
    alpha
        Significance level of the verdict.
    k
        Neighbours of the per-image ``knn`` realism score.
    null_splits
        Random pooled splits that estimate FD, precision and recall under the null.
    kid_subsets, kid_subset_size
        KID subsets and their size (capped at the set sizes).
    copy_quantile
        Expected share of generated images flagged as copies when nothing is copied.
    max_full_points
        Pooled points up to which the full-space metrics (FD, KID, PRDC, memorisation) use
        every point; they hold a pooled n x n matrix, so beyond it each set is subsampled
        (seeded) to its share of this many points, and the report says so.
    feature
        Name of the feature space, for the report.
    notes
        Sentences about how the features were prepared (standardised, groups scoped, ...), put
        first in the evidence.
    seed
        Seed of every random step.
    progress
        ``(done, total)`` callback over the report's steps.
    """
    sets = check_sets(real, fake, groups)
    n_permutations = check_value("n_permutations", n_permutations, Interval(Integral, 1, None))
    alpha = check_value("alpha", alpha, Interval(Real, 0.0, 0.5, closed="right"))
    seed = check_seed(seed)
    max_full_points = check_value(
        "max_full_points", max_full_points, Interval(Integral, 2 * MIN_POINTS, None)
    )
    report_progress = progress or no_progress
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 4)
        clock = now
        report_progress(len(seconds), len(_STEPS))
        logger.info("realism: %s done in %.2f s", name, seconds[name])

    report_progress(0, len(_STEPS))
    x, kept = reduce_dims(sets.pooled, n_components, seed)
    xr, xf = x[: sets.n_real], x[sets.n_real :]
    tick("pca")
    common = {"n_permutations": n_permutations, "n_components": None, "seed": seed}
    nn_result = dataclasses.replace(one_nn_test(xr, xf, sets.groups, **common), n_components=kept)
    tick("one_nn")
    # Folds never split a group: with fewer than 5 groups, use as many folds as there are.
    units = int(group_codes(sets.groups, sets.n_real + sets.n_fake).max()) + 1
    c2st_result = dataclasses.replace(
        c2st(xr, xf, sets.groups, n_folds=min(5, max(2, units)), **common), n_components=kept
    )
    tick("c2st")
    mmd_result = dataclasses.replace(mmd_test(xr, xf, sets.groups, **common), n_components=kept)
    tick("mmd")
    share, excluded = knn_real_share(x, sets.is_real, sets.groups, k, True)
    n_r, n_f = sets.n_real, sets.n_fake
    scores = RealismScores(
        c2st_probability=classifier_scores(xr, xf, sets.groups, c2st_result.n_folds, None, seed),
        knn_real_share=share[n_r:],
        k=k,
        expected_null_knn=n_r / (n_r + n_f - 1),
        exclude_same_group=excluded,
        n_components=kept,
        n_real=n_r,
        n_fake=n_f,
        seed=seed,
    )
    tick("scores")
    # The full-space metrics share one pooled Gram matrix (and the distances from it) instead
    # of four separate products; above max_full_points they work on a seeded subsample.
    full, ir, jf = _full_space_points(sets, max_full_points, seed)
    n_full_real = ir.size
    full_codes = None
    if sets.has_groups:
        codes = group_codes(sets.groups, n_r + n_f)
        full_codes = np.concatenate([codes[:n_r][ir], codes[n_r:][jf]])
    gram = full @ full.T
    fd = frechet_from(full, gram, n_full_real, codes=full_codes, null_splits=null_splits, seed=seed)
    tick("frechet")
    kid_result = kid_from(
        full,
        gram,
        n_full_real,
        codes=full_codes,
        null_splits=null_splits,
        n_subsets=kid_subsets,
        subset_size=kid_subset_size,
        degree=3,
        seed=seed,
    )
    tick("kid")
    d2 = gram_to_squared_distances(gram)
    del gram
    prdc_result = prdc_from(
        d2,
        n_full_real,
        full_codes,
        k_precision_recall=3,
        k_density_coverage=5,
        null_splits=null_splits,
        seed=seed,
    )
    tick("prdc")
    memo = memorization_from(
        d2[:n_full_real, :n_full_real],
        d2[n_full_real:, :n_full_real],
        quantile=copy_quantile,
        n_closest=12,
    )
    del d2
    if ir.size < n_r or jf.size < n_f:
        memo = _lift(memo, ir, jf, n_f)
    tick("memorization")

    n_groups = None
    if sets.has_groups:
        codes = group_codes(sets.groups, n_r + n_f)
        n_groups = int(np.count_nonzero(np.bincount(codes) > 1))
    verdict, evidence = write_verdict(
        nn_result, c2st_result, mmd_result, prdc_result, memo, fd, kid_result, alpha, n_groups
    )
    evidence = [*notes, *evidence]
    parameters = {
        "n_components": n_components,
        "n_permutations": n_permutations,
        "alpha": alpha,
        "k": k,
        "null_splits": null_splits,
        "kid_subsets": kid_subsets,
        "kid_subset_size": kid_subset_size,
        "copy_quantile": copy_quantile,
        "max_full_points": max_full_points,
        "full_space_subsampled": n_r + n_f > max_full_points,
        "seed": seed,
    }
    return RealismReport(
        one_nn=nn_result,
        c2st=c2st_result,
        mmd=mmd_result,
        frechet=fd,
        kid=kid_result,
        prdc=prdc_result,
        memorization=memo,
        scores=scores,
        verdict=verdict,
        evidence=tuple(evidence),
        alpha=alpha,
        n_real=n_r,
        n_fake=n_f,
        dimension=int(sets.real.shape[1]),
        n_groups=n_groups,
        feature=feature,
        parameters=parameters,
        seconds=seconds,
    )


def _full_space_points(
    sets: Sets, limit: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled points for the full-space metrics and the real and fake rows they hold."""
    n_r, n_f = sets.n_real, sets.n_fake
    if n_r + n_f <= limit:
        return sets.pooled, np.arange(n_r), np.arange(n_f)
    keep_r = max(MIN_POINTS, round(limit * n_r / (n_r + n_f)))
    keep_f = max(MIN_POINTS, limit - keep_r)
    rng = rng_for(seed, "full-space subsample")
    ir = np.sort(rng.choice(n_r, min(keep_r, n_r), replace=False))
    jf = np.sort(rng.choice(n_f, min(keep_f, n_f), replace=False))
    logger.warning(
        "realism: FD, KID, PRDC and memorisation use %d real and %d generated points "
        "(max_full_points=%d)",
        ir.size,
        jf.size,
        limit,
    )
    return np.concatenate([sets.real[ir], sets.fake[jf]]), ir, jf


def _lift(
    memo: MemorizationResult, ir: np.ndarray, jf: np.ndarray, n_fake: int
) -> MemorizationResult:
    """Memorisation of a subsample, re-indexed to every generated image (NaN/-1 if unseen)."""
    nearest_real = np.full(n_fake, -1, dtype=np.int64)
    nearest_real[jf] = ir[memo.nearest_real]
    distance = np.full(n_fake, np.nan)
    distance[jf] = memo.distance
    ratio = np.full(n_fake, np.nan)
    ratio[jf] = memo.ratio
    likely = np.zeros(n_fake, dtype=bool)
    likely[jf] = memo.likely_copy
    return dataclasses.replace(
        memo,
        nearest_real=nearest_real,
        distance=distance,
        ratio=ratio,
        likely_copy=likely,
        closest=tuple(int(jf[i]) for i in memo.closest),
    )


def _plain(result: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(result):
        if f.name in skip:
            continue
        value = getattr(result, f.name)
        if isinstance(value, np.ndarray):
            out[f.name] = _floats(value)
        elif isinstance(value, float):
            out[f.name] = value if math.isfinite(value) else None
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def _floats(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]
