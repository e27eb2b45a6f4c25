"""When the widget's browser tests cannot run. They use the suite's one headless Chromium (the
``browser`` fixture of ``tests/conftest.py``: Debian's, never downloaded)."""

from __future__ import annotations

from tests.browser.conftest import CHROMIUM


def browser_skip_reason() -> str | None:
    """Why the widget's browser tests cannot run here, or None."""
    from synthscope.widget import bundle_path

    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if not bundle_path().is_file():
        return "front end not built: run `make web`"
    return None
