from __future__ import annotations

import dataclasses

import pytest

from synthscope.errors import InvalidParameterError
from synthscope.phantom import SHIFT_KNOBS, PhantomParams
from synthscope.phantom._params import _CONSTRAINTS


def test_defaults_are_valid_and_frozen():
    params = PhantomParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.dynamic_range_db = 10.0  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(n for n in _CONSTRAINTS if n != "guidewire"))
def test_every_constraint_rejects_values_outside(name):
    interval = _CONSTRAINTS[name]
    low, high, low_closed = interval.low, interval.high, interval.closed in ("both", "left")
    below = low - 1 if low_closed else low
    bad = int(below) if name == "n_lines" else below
    with pytest.raises(InvalidParameterError, match=rf"^{name} must be in"):
        PhantomParams(**{name: bad})
    above = int(high) + 1 if name == "n_lines" else high + 1
    with pytest.raises(InvalidParameterError, match=rf"^{name} must be in"):
        PhantomParams(**{name: above})


def test_rejects_nan_and_wrong_types():
    with pytest.raises(InvalidParameterError, match="gain_db must be in"):
        PhantomParams(gain_db=float("nan"))
    with pytest.raises(InvalidParameterError, match="blur_px must be a number"):
        PhantomParams(blur_px="1")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="n_lines must be an integer"):
        PhantomParams(n_lines=256.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="guidewire must be one of True, False"):
        PhantomParams(guidewire=1)  # type: ignore[arg-type]


def test_plaque_burden_range_must_be_ordered():
    with pytest.raises(InvalidParameterError, match="plaque_burden_min must be <="):
        PhantomParams(plaque_burden_min=0.8, plaque_burden_max=0.4)


def test_shifted_changes_only_the_named_knob():
    default = PhantomParams()
    for knob, value in SHIFT_KNOBS.items():
        shifted = default.shifted(**{knob: value})
        differing = [
            f.name
            for f in dataclasses.fields(default)
            if getattr(default, f.name) != getattr(shifted, f.name)
        ]
        assert differing == [knob]
    with pytest.raises(InvalidParameterError, match=r"unknown phantom parameter.*speckle"):
        default.shifted(speckle=2.0)
