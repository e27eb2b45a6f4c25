"""The library's own checks: arrays, arms and settings, each one line naming what is wrong."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthscope.errors import InvalidParameterError
from synthscope.utility import ArmSpec, TrainConfig, utility_study
from tests.utility.conftest import make_data

REAL = [ArmSpec("real", "real")]


@pytest.fixture(scope="module")
def data(real_frames, generated_frames):
    return make_data(real_frames, generated_frames)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"task": "detect"}, "task must be one of segment, classify"),
        ({"class_names": ("only",)}, "at least two classes"),
        ({"train_images": np.zeros((4, 32, 32), np.float32)}, "(N, H, W) uint8 array"),
        ({"test_images": np.zeros((18, 16, 16), np.uint8)}, "are 16x16 but the real training"),
        ({"train_targets": np.zeros((18, 32, 32), np.int64) + 7}, "the classes are 0..4"),
        ({"test_groups": np.array(["a"] * 18)}, "at least two groups"),
        ({"test_targets": np.zeros((18, 32, 32), np.uint8)}, "hold class 0 only"),
    ],
)
def test_bad_arrays(data, change, message):
    with pytest.raises(
        InvalidParameterError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        utility_study(dataclasses.replace(data, **change), REAL)


@pytest.mark.parametrize(
    ("arms", "message"),
    [
        ([], "at least one arm"),
        ([ArmSpec("a", "real"), ArmSpec("a", "real")], "unique"),
        ([ArmSpec("g", "generated", generated=np.array([0, 99]))], "distinct integers in 0..35"),
        ([ArmSpec("r", "random", n_random=99)], "n_random must be 1..36"),
        ([ArmSpec("g", "tstr", real=False, generated=np.array([], int))], "no training images"),
        ([ArmSpec("c", "curated", generated=np.arange(3), control="x")], "control 'x' is not"),
    ],
)
def test_bad_arms(data, arms, message):
    with pytest.raises(InvalidParameterError, match=message):
        utility_study(data, arms)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repeats": 0}, "repeats must be in"),
        ({"n_bootstrap": 10}, "n_bootstrap must be in"),
        ({"confidence": 1.0}, "confidence must be in"),
        ({"config": TrainConfig(steps=0)}, "steps must be in"),
        ({"config": TrainConfig(device="tpu")}, "device must be one of"),
    ],
)
def test_bad_settings(data, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        utility_study(data, REAL, **kwargs)
