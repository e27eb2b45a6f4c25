"""Fixtures shared across the suite (helpers that make data live in ``tests/helpers.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import write_images


@pytest.fixture
def image_folders(tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    """Make ``real/`` (two pullback subfolders) and ``fake/`` folders of small PNGs."""

    def make(n_real: int = 6, n_fake: int = 5) -> tuple[Path, Path]:
        real, fake = tmp_path / "real", tmp_path / "fake"
        half = n_real // 2
        write_images(real / "pb1", half, seed=1)
        write_images(real / "pb2", n_real - half, seed=2)
        write_images(fake, n_fake, seed=3)
        return real, fake

    return make
