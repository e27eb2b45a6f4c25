"""The progress protocol between library code (which never prints) and whoever shows a bar.

Long-running library functions take ``progress: ProgressCallback | None`` and call it with
``(done, total)`` as work completes; the CLI passes one that drives a rich progress bar.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The callback used when nobody watches."""
