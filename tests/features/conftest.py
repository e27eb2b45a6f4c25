"""Phantom fixtures shared by the feature tests (helpers that make data live in ``_data.py``)."""

from __future__ import annotations

import pytest

from synthscope.phantom import PhantomFrames
from tests.features._data import frames


@pytest.fixture(scope="session")
def phantom() -> PhantomFrames:
    return frames()


@pytest.fixture(scope="session")
def phantom_shifted() -> dict[str, PhantomFrames]:
    """The default frames with each of the knobs the texture tests follow at its shifted value."""
    return {
        "speckle_size": frames(speckle_size=1.8),
        "blur_px": frames(blur_px=1.5),
        "gain_db": frames(gain_db=6.0),
        "dynamic_range_db": frames(dynamic_range_db=35.0),
    }
