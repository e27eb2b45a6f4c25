"""Headless Chromium for the widget's browser tests: Debian's, with the suite's flags
(``tests/browser/conftest.py``); Playwright never downloads a browser here."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


def browser_skip_reason() -> str | None:
    """Why the widget's browser tests cannot run here, or None."""
    from synthscope.widget import bundle_path

    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if not bundle_path().is_file():
        return "front end not built: run `make web`"
    return None


@contextlib.contextmanager
def open_browser() -> Iterator[Any]:
    """A headless Chromium, closed on exit."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
