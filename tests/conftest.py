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


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium (``tests/browser/conftest.py``'s path and flags), one per run.

    Shared by every browser test, the page's and the widget's: Playwright's sync API runs one
    event loop per thread, so a second ``sync_playwright()`` in the same run would fail.
    """
    import os

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
