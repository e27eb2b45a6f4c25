"""Small phantom sets shared by the phantom tests (a few frames of 128-160 px: fast)."""

from __future__ import annotations

import pytest

from synthscope.phantom import PhantomFrames, PhantomParams, simulate
from tests.phantom._phantom_data import SIZE


@pytest.fixture(scope="session")
def calcified() -> PhantomFrames:
    """One pullback that surely has calcium; no guidewire, so shadows are calcium's alone."""
    params = PhantomParams(calcium_probability=1.0, guidewire=False)
    return simulate(6, size=160, seed=11, pullbacks=1, params=params, workers=1)


@pytest.fixture(scope="session")
def default_set() -> PhantomFrames:
    return simulate(6, size=SIZE, seed=5, pullbacks=2, workers=1)
