"""Decode many image files on all cores, in order, stopping at or skipping the bad ones.

Pillow releases the GIL while it decodes and resizes, so a thread pool uses every core without the
cost of sending pixels between processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from synthscope._params import Options, check_value
from synthscope._progress import ProgressCallback, no_progress
from synthscope.errors import ImageReadError

__all__ = ["ON_ERROR", "Skipped", "decode_in_parallel"]

ON_ERROR = ("fail", "skip")
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Skipped:
    """A file left out under ``on_error='skip'``, and why."""

    path: str
    reason: str


def decode_in_parallel(
    items: Sequence[Item],
    work: Callable[[Item], Result],
    *,
    on_error: str = "fail",
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    name_of: Callable[[Item], Path | str] = str,
) -> tuple[list[tuple[Item, Result]], list[Skipped]]:
    """Run ``work`` on every item with a thread pool; results keep the items' order.

    With ``on_error='fail'`` the first unreadable item (in order) raises its ImageReadError;
    with ``'skip'`` it is listed in the returned skips and the rest go on.
    """
    if on_error not in ON_ERROR:
        check_value("on_error", on_error, Options(*ON_ERROR))
    progress = progress or no_progress
    workers = workers or os.cpu_count() or 1
    done: list[tuple[Item, Result]] = []
    skipped: list[Skipped] = []

    def guarded(item: Item) -> tuple[Result | None, ImageReadError | None]:
        try:
            return work(item), None
        except ImageReadError as error:
            return None, error

    total = len(items)
    progress(0, total)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results: Iterator = pool.map(guarded, items, chunksize=1)
        try:
            for count, (item, (result, error)) in enumerate(zip(items, results, strict=True), 1):
                if error is not None:
                    if on_error == "fail":
                        raise error
                    skipped.append(Skipped(str(name_of(item)), error.problem))
                else:
                    done.append((item, result))
                progress(count, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return done, skipped
