"""Checks of a utility study's arrays and arms, before any training starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from synthscope._params import Integral, Interval, Real, check_params
from synthscope.errors import InvalidParameterError
from synthscope.utility._train import TASKS

if TYPE_CHECKING:
    from synthscope.utility._study import ArmSpec, UtilityData

__all__ = ["STUDY_CONSTRAINTS", "check_arms", "check_data", "check_study"]

STUDY_CONSTRAINTS = {
    "repeats": [Interval(Integral, 1, 1000)],
    "seed": [Interval(Integral, 0, 2**63 - 1)],
    "n_bootstrap": [Interval(Integral, 100, 1_000_000)],
    "confidence": [Interval(Real, 0, 1, closed="neither")],
}


def _images(name: str, images: np.ndarray, size: tuple[int, int] | None) -> tuple[int, int]:
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 3:
        shape = getattr(images, "shape", None)
        dtype = getattr(images, "dtype", type(images).__name__)
        raise InvalidParameterError(
            f"{name} must be a (N, H, W) uint8 array (got {dtype} of shape {shape})",
            parameter=name,
        )
    if size is not None and images.shape[1:] != size and len(images):
        raise InvalidParameterError(
            f"{name} are {images.shape[1]}x{images.shape[2]} but the real training images are "
            f"{size[0]}x{size[1]}; resize them to one size",
            parameter=name,
        )
    return images.shape[1], images.shape[2]


def _targets(name: str, targets: np.ndarray, images: np.ndarray, task: str, n: int) -> None:
    expected = images.shape if task == "segment" else images.shape[:1]
    targets = np.asarray(targets)
    if targets.shape != expected or not np.issubdtype(targets.dtype, np.integer):
        raise InvalidParameterError(
            f"{name} must be integers of shape {expected} (got {targets.dtype} {targets.shape})",
            parameter=name,
        )
    if targets.size and (targets.min() < 0 or targets.max() >= n):
        raise InvalidParameterError(
            f"{name} hold values {int(targets.min())}..{int(targets.max())}; the classes are "
            f"0..{n - 1}",
            parameter=name,
        )


def check_data(data: UtilityData) -> None:
    """Shapes, types and class values of every array; at least two test groups."""
    if data.task not in TASKS:
        raise InvalidParameterError(
            f"task must be one of {', '.join(TASKS)} (got {data.task!r})", parameter="task"
        )
    n = len(data.class_names)
    if n < 2:
        raise InvalidParameterError(
            f"class_names must name at least two classes (got {list(data.class_names)})",
            parameter="class_names",
        )
    size = _images("train_images", data.train_images, None)
    if data.task == "segment" and (size[0] % 4 or size[1] % 4 or min(size) < 8):
        raise InvalidParameterError(
            f"segmentation needs images whose sides are multiples of 4 and at least 8 pixels "
            f"(got {size[0]}x{size[1]})",
            parameter="train_images",
        )
    _images("test_images", data.test_images, size)
    _images("generated_images", data.generated_images, size)
    for prefix in ("train", "test", "generated"):
        images = getattr(data, f"{prefix}_images")
        _targets(f"{prefix}_targets", getattr(data, f"{prefix}_targets"), images, data.task, n)
    if len(data.test_images) == 0:
        raise InvalidParameterError("the test set is empty", parameter="test_images")
    groups = np.asarray(data.test_groups, dtype=object)
    if groups.shape != (len(data.test_images),):
        raise InvalidParameterError(
            f"test_groups needs one group per test image ({len(data.test_images)}, got "
            f"{groups.shape})",
            parameter="test_groups",
        )
    if len(set(groups.tolist())) < 2:
        raise InvalidParameterError(
            "the test set needs at least two groups: intervals come from resampling them",
            parameter="test_groups",
        )
    if data.task == "segment" and not np.any(np.asarray(data.test_targets) != 0):
        raise InvalidParameterError(
            "the test label maps hold class 0 only (outside the field of view): nothing to score",
            parameter="test_targets",
        )
    if data.task == "classify" and len(np.unique(data.test_targets)) < 2:
        raise InvalidParameterError(
            "the test set holds one class only: balanced accuracy and AUROC need two",
            parameter="test_targets",
        )


def check_arms(arms: Sequence[ArmSpec], n_real: int, n_generated: int) -> None:
    if not arms:
        raise InvalidParameterError("give at least one arm", parameter="arms")
    names = [arm.name for arm in arms]
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"arm names must be unique (got {names})", parameter="arms")
    for arm in arms:
        picked = 0 if arm.generated is None else len(arm.generated)
        if arm.generated is not None:
            index = np.asarray(arm.generated)
            if index.size and (
                not np.issubdtype(index.dtype, np.integer)
                or index.min() < 0
                or index.max() >= n_generated
                or len(np.unique(index)) != index.size
            ):
                raise InvalidParameterError(
                    f"arm {arm.name!r}: generated indices must be distinct integers in "
                    f"0..{n_generated - 1}",
                    parameter="arms",
                )
        if arm.n_random is not None:
            if arm.generated is not None or not 1 <= arm.n_random <= n_generated:
                raise InvalidParameterError(
                    f"arm {arm.name!r}: n_random must be 1..{n_generated} with no fixed "
                    f"indices (got {arm.n_random})",
                    parameter="arms",
                )
            picked = arm.n_random
        if (n_real if arm.real else 0) + picked == 0:
            raise InvalidParameterError(
                f"arm {arm.name!r} has no training images", parameter="arms"
            )
        if arm.control is not None and arm.control not in names:
            raise InvalidParameterError(
                f"arm {arm.name!r}: control {arm.control!r} is not an arm", parameter="arms"
            )


def check_study(repeats: int, seed: int, n_bootstrap: int, confidence: float) -> None:
    check_params(
        {"repeats": repeats, "seed": seed, "n_bootstrap": n_bootstrap, "confidence": confidence},
        STUDY_CONSTRAINTS,
    )
