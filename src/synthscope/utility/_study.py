"""A utility study: train the same network on several training sets, test on held-out real groups.

Arms (:func:`standard_arms`)::

    real               real training images only
    real+generated     plus every generated image
    real+curated       plus the generated images a person chose (a WHERE over the workspace)
    real+top:SCORE     plus the K generated images with the highest realism SCORE
    real+random        plus as many generated images as the curated arm, drawn at random anew
                       in every repeat: the control that says whether a choice beats chance
    generated          generated images only, tested on real ones (TSTR, Esteban et al. 2017)

Every arm trains for the same number of steps with the same batch size (equal compute), repeat
``r`` of every arm starts from the same initial weights, and all arms are tested on the same real
test images, so differences between arms are paired (see :mod:`synthscope.utility._bootstrap`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthscope._progress import ProgressCallback
from synthscope.utility._bootstrap import (
    combine,
    draw_resamples,
    interval,
    p_value,
    resampled_runs,
)
from synthscope.utility._checks import check_arms, check_data, check_study
from synthscope.utility._metrics import auroc_stats, balanced_accuracy_stats, dice_stats
from synthscope.utility._result import ArmResult, Comparison, UtilityResult
from synthscope.utility._train import TrainConfig, predict, resolve_device, training_loop
from synthscope.utility._verdict import write_verdict

__all__ = ["ARM_KINDS", "ArmSpec", "UtilityData", "standard_arms", "utility_study"]

logger = logging.getLogger(__name__)

ARM_KINDS = ("real", "generated", "curated", "top", "random", "tstr")
METRICS = {"segment": ("dice", "Dice"), "classify": ("balanced_accuracy", "balanced accuracy")}

#: Called every 10 steps with ``(arm, repeat, step, steps)``.
StepProgress = Callable[[str, int, int, int], None]


@dataclass(frozen=True)
class UtilityData:
    """The arrays of a study. Images are ``(N, H, W)`` uint8 of one size; targets are label maps
    ``(N, H, W)`` (segment) or class indices ``(N,)`` (classify), values ``0 .. len(class_names)-1``.
    ``test_groups`` names the group (pullback, patient) of each test image."""

    task: str
    class_names: tuple[str, ...]
    train_images: np.ndarray = field(repr=False)
    train_targets: np.ndarray = field(repr=False)
    test_images: np.ndarray = field(repr=False)
    test_targets: np.ndarray = field(repr=False)
    test_groups: np.ndarray = field(repr=False)
    generated_images: np.ndarray = field(repr=False)
    generated_targets: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class ArmSpec:
    """One training set: the real training images (``real``), plus the generated images at
    ``generated`` (indices), or ``n_random`` of them drawn anew in each repeat.

    ``kind`` is one of :data:`ARM_KINDS`; ``control`` names the arm it is also compared against;
    ``description`` replaces the verdict's words for it ("Adding the 240 frames with shuffled
    label maps")."""

    name: str
    kind: str
    real: bool = True
    generated: np.ndarray | None = field(default=None, repr=False)
    n_random: int | None = None
    score: str | None = None
    control: str | None = None
    description: str | None = None


def standard_arms(
    n_generated: int,
    *,
    curated: np.ndarray | None = None,
    top: Mapping[str, np.ndarray] | None = None,
    generated_only: bool = True,
) -> list[ArmSpec]:
    """The arms of the module docstring for ``n_generated`` generated images.

    ``curated``: indices of the chosen generated images; ``top``: score name -> indices of the K
    best. A random arm is added for each distinct size among them (named ``real+random``, or
    ``real+random:N`` when sizes differ) and each chosen arm is compared against the one of its
    size.
    """
    everything = np.arange(n_generated)
    arms = [ArmSpec("real", "real"), ArmSpec("real+generated", "generated", generated=everything)]
    chosen: list[tuple[str, str, np.ndarray, str | None]] = []
    if curated is not None:
        chosen.append(("real+curated", "curated", np.asarray(curated), None))
    for score, index in (top or {}).items():
        chosen.append((f"real+top:{score}", "top", np.asarray(index), score))
    sizes = list(dict.fromkeys(len(index) for *_, index, _ in chosen if len(index)))
    controls = {n: "real+random" if i == 0 else f"real+random:{n}" for i, n in enumerate(sizes)}
    for name, kind, index, score in chosen:
        control = controls.get(len(index))
        arms.append(ArmSpec(name, kind, generated=index, score=score, control=control))
    for n, name in controls.items():
        arms.append(ArmSpec(name, "random", n_random=n))
    if generated_only:
        arms.append(ArmSpec("generated", "tstr", real=False, generated=everything))
    return arms


def _seed(seed: int, *key: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1, np.uint64)[0] >> 1)


def _training_set(
    data: UtilityData, arm: ArmSpec, repeat: int, seed: int
) -> tuple[np.ndarray, np.ndarray, int]:
    if arm.n_random is not None:
        rng = np.random.default_rng(_seed(seed, repeat, 2, arm.n_random))
        index = np.sort(rng.choice(len(data.generated_images), arm.n_random, replace=False))
    else:
        index = np.asarray(arm.generated if arm.generated is not None else [], dtype=np.int64)
    images = [data.generated_images[index]]
    targets = [data.generated_targets[index]]
    if arm.real:
        images.insert(0, data.train_images)
        targets.insert(0, data.train_targets)
    return np.concatenate(images), np.concatenate(targets), len(index)


def utility_study(
    data: UtilityData,
    arms: Sequence[ArmSpec],
    *,
    config: TrainConfig | None = None,
    repeats: int = 3,
    seed: int = 0,
    n_bootstrap: int = 2000,
    confidence: float = 0.95,
    noun: str = "images",
    progress: ProgressCallback | None = None,
    step_progress: StepProgress | None = None,
) -> UtilityResult:
    """Train every arm ``repeats`` times and compare them on the held-out real test images.

    Parameters
    ----------
    data
        The real training, real test and generated arrays (:class:`UtilityData`).
    arms
        The training sets (:func:`standard_arms`); an arm named ``real`` is the baseline of every
        comparison, and an arm with a ``control`` is also compared against that arm.
    config
        Network and training settings, the same for every arm (:class:`TrainConfig`).
    repeats
        Trainings per arm; repeat ``r`` starts every arm from the same weights.
    seed
        Seed of the initial weights, batches, random arms and the bootstrap.
    n_bootstrap, confidence
        Resamples and level of the intervals (crossed bootstrap over test groups and repeats).
    noun
        What the images are called in the verdict ("frames").
    progress
        ``(done, total)`` over the ``len(arms) * repeats`` trainings.
    step_progress
        ``(arm, repeat, step, steps)`` every 10 gradient steps.
    """
    config = (config or TrainConfig()).check()
    check_study(repeats, seed, n_bootstrap, confidence)
    check_data(data)
    check_arms(arms, len(data.train_images), len(data.generated_images))
    device = resolve_device(config.device)
    metric, metric_label = METRICS[data.task]
    group_names, group_codes = np.unique(
        np.asarray(data.test_groups, dtype=str), return_inverse=True
    )
    n_groups = len(group_names)
    segment = data.task == "segment"
    n_classes = len(data.class_names)
    scored = (
        tuple(int(v) for v in np.unique(data.test_targets) if v != 0 and v < n_classes)
        if segment
        else ()
    )

    total = len(arms) * repeats
    runs: dict[str, list[Any]] = {arm.name: [] for arm in arms}
    secondary: dict[str, list[Any]] = {arm.name: [] for arm in arms}
    sizes: dict[str, tuple[int, int]] = {}
    seconds: dict[str, float] = {}
    done = 0
    if progress is not None:
        progress(0, total)
    for arm in arms:
        started = time.perf_counter()
        for r in range(repeats):
            images, targets, n_gen = _training_set(data, arm, r, seed)
            sizes[arm.name] = (len(images) - n_gen, n_gen)
            report = None
            if step_progress is not None:
                report = lambda step, steps, a=arm.name, r=r: step_progress(a, r, step, steps)  # noqa: E731
            model = training_loop(
                data.task,
                images,
                targets,
                n_classes=n_classes,
                config=config,
                init_seed=_seed(seed, r, 0),
                batch_seed=_seed(seed, r, 1),
                on_step=report,
            )
            predicted = predict(model, data.test_images)
            if segment:
                runs[arm.name].append(
                    dice_stats(predicted, data.test_targets, group_codes, n_groups, scored)
                )
            else:
                truth = np.asarray(data.test_targets)
                runs[arm.name].append(
                    balanced_accuracy_stats(predicted, truth, group_codes, n_groups)
                )
                secondary[arm.name].append(auroc_stats(predicted, truth, group_codes, n_groups))
            done += 1
            if progress is not None:
                progress(done, total)
        seconds[arm.name] = time.perf_counter() - started
        logger.info("arm %s: %d repeats in %.1f s", arm.name, repeats, seconds[arm.name])

    resamples = draw_resamples(
        n_groups, repeats, n_bootstrap, np.random.default_rng(_seed(seed, 10**6))
    )
    resampled = {name: resampled_runs(stats, resamples) for name, stats in runs.items()}
    results = []
    for arm in arms:
        values = [float(s.evaluate()[0]) for s in runs[arm.name]]
        extra: dict[str, dict[str, Any]] = {}
        if secondary[arm.name]:
            auc = [float(s.evaluate()[0]) for s in secondary[arm.name]]
            auc_b = combine(resampled_runs(secondary[arm.name], resamples), resamples)
            extra["auroc"] = {
                "mean": float(np.mean(auc)),
                "ci": interval(auc_b, confidence),
                "runs": tuple(auc),
            }
        per_class = {}
        if segment:
            table = np.vstack([s.per_class() for s in runs[arm.name]])
            for k, value in enumerate(scored):
                column = table[:, k]
                finite = column[np.isfinite(column)]
                per_class[data.class_names[value]] = (
                    float(finite.mean()) if finite.size else float("nan")
                )
        n_real, n_gen = sizes[arm.name]
        results.append(
            ArmResult(
                name=arm.name,
                kind=arm.kind,
                n_train=n_real + n_gen,
                n_real=n_real,
                n_generated=n_gen,
                mean=float(np.mean(values)),
                ci=interval(combine(resampled[arm.name], resamples), confidence),
                runs=tuple(values),
                per_class=per_class,
                secondary=extra,
                score=arm.score,
                control=arm.control,
                description=arm.description,
            )
        )

    comparisons = []
    names = {arm.name for arm in arms}
    for arm in arms:
        baselines = [b for b in ("real", arm.control) if b in names and b != arm.name]
        for baseline in dict.fromkeys(baselines):
            difference = resampled[arm.name] - resampled[baseline]
            per_repeat = tuple(
                float(a.evaluate()[0] - b.evaluate()[0])
                for a, b in zip(runs[arm.name], runs[baseline], strict=True)
            )
            bootstrapped = combine(difference, resamples)
            comparisons.append(
                Comparison(
                    arm=arm.name,
                    baseline=baseline,
                    difference=float(np.mean(per_repeat)),
                    runs=per_repeat,
                    ci=interval(bootstrapped, confidence),
                    p_value=p_value(bootstrapped),
                    n_repeats=repeats,
                    n_groups=n_groups,
                )
            )

    verdict, evidence = write_verdict(results, comparisons, metric_label, noun)
    notes = []
    first = combine(resampled[arms[0].name], resamples)
    with_value = int(np.isfinite(first).sum())
    if with_value < n_bootstrap:
        notes.append(
            f"{n_bootstrap - with_value} of {n_bootstrap} bootstrap resamples drew no test group "
            "holding one of the classes and were left out, so that every value averages the "
            "same classes."
        )
    if n_groups < 5:
        notes.append(
            f"Only {n_groups} test groups: intervals from resampling so few groups are rough."
        )
    if repeats == 1:
        notes.append(
            "One repeat: the intervals reflect the test groups only, not training randomness, so "
            "no difference is called a change (use --repeats 3 or more)."
        )
    elif repeats < 3:
        notes.append(f"{repeats} repeats: intervals reflect training randomness only roughly.")
    return UtilityResult(
        task=data.task,
        metric=metric,
        metric_label=metric_label,
        arms=tuple(results),
        comparisons=tuple(comparisons),
        verdict=verdict,
        evidence=evidence,
        split={
            "n_train_real": len(data.train_images),
            "n_test": len(data.test_images),
            "test_groups": [str(g) for g in group_names],
        },
        parameters={
            **config.to_dict(),
            "device_used": device.type,
            "image_size": list(data.train_images.shape[1:]),
            "repeats": repeats,
            "n_bootstrap": n_bootstrap,
            "bootstrap_resamples_with_value": with_value,
            "confidence": confidence,
            "scored_classes": [data.class_names[v] for v in scored],
            "bootstrap": "crossed over test groups and repeats (Owen 2007), percentile intervals",
        },
        seeds={
            "seed": seed,
            "init_seeds": [_seed(seed, r, 0) for r in range(repeats)],
            "batch_seeds": [_seed(seed, r, 1) for r in range(repeats)],
            "bootstrap_seed": _seed(seed, 10**6),
        },
        class_names=tuple(data.class_names),
        notes=tuple(notes),
        seconds=seconds,
    )
