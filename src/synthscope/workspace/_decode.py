"""Decode many image files in batches, in order, stopping at or skipping the bad ones.

The batches run on an :class:`~synthscope.workspace._cluster.Executor`: threads in this process
(Pillow releases the GIL while it decodes and resizes, so threads use every core without sending
pixels between processes) or the workers of a Dask cluster. Either way a file that cannot be read
comes back as a :class:`Failure` naming it, so the driver stops at the first one in order
(``on_error='fail'``) or lists it and goes on (``'skip'``), the same wherever the file was read.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from synthscope._params import Options, check_value
from synthscope._progress import ProgressCallback, no_progress
from synthscope.errors import ImageReadError
from synthscope.workspace._cluster import Executor, ThreadExecutor

__all__ = [
    "ON_ERROR",
    "Failure",
    "Skipped",
    "batch_size_for",
    "decode_in_order",
    "decode_in_parallel",
    "guarded",
    "read_file_frames",
    "read_label_map",
]

ON_ERROR = ("fail", "skip")
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Skipped:
    """A file left out under ``on_error='skip'``, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Failure:
    """An :class:`~synthscope.errors.ImageReadError` where the work ran, as plain picklable data."""

    path: str
    problem: str

    def error(self) -> ImageReadError:
        return ImageReadError(self.path, self.problem)


def guarded(work: Callable[[Item], Result], batch: Sequence[Item]) -> list[Result | Failure]:
    """``work`` on each item of ``batch``; an unreadable file becomes its :class:`Failure`."""
    out: list[Result | Failure] = []
    for item in batch:
        try:
            out.append(work(item))
        except ImageReadError as error:
            out.append(Failure(error.path, error.problem))
    return out


def batch_size_for(executor: Executor, n_items: int, *, most: int | None = None) -> int:
    """Items per batch: about eight batches per slot, at most 16 in threads, 128 on a cluster
    (a Dask task costs about a millisecond of the scheduler's time; a thread's, microseconds)."""
    most = most or (128 if executor.remote else 16)
    return max(1, min(most, math.ceil(n_items / (8 * executor.slots))))


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def decode_in_order(
    executor: Executor,
    items: Iterable[Item],
    work: Callable[[Item], Result],
    *,
    total: int | None = None,
    on_error: str = "fail",
    skipped: list[Skipped] | None = None,
    progress: ProgressCallback | None = None,
    name_of: Callable[[Item], Path | str] = str,
    batch_size: int | None = None,
) -> Iterator[tuple[Item, Result]]:
    """``(item, work(item))`` for every readable item, in the items' order, batch by batch.

    ``work`` runs where the executor runs it (so on a cluster it must be picklable: a module
    function or a :func:`functools.partial` of one). With ``on_error='fail'`` the first
    unreadable item (in order) raises its ImageReadError; with ``'skip'`` it is appended to
    ``skipped`` and the rest go on. ``progress`` gets ``(items done, items)``. ``items`` may be
    any iterable when ``total`` says how many it holds: it is read only a few batches ahead.
    """
    if on_error not in ON_ERROR:
        check_value("on_error", on_error, Options(*ON_ERROR))
    progress = progress or no_progress
    total = len(items) if total is None else total
    size = batch_size or batch_size_for(executor, total)
    progress(0, total)
    done = 0
    sent: deque[list[Item]] = deque()  # the batches handed out and not yet back

    def batches() -> Iterator[list[Item]]:
        for batch in _batches(items, size):
            sent.append(batch)
            yield batch

    with closing(executor.imap(partial(guarded, work), batches())) as results:
        for outcomes in results:
            batch = sent.popleft()
            for item, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, Failure):
                    if on_error == "fail":
                        raise outcome.error()
                    if skipped is not None:
                        skipped.append(Skipped(str(name_of(item)), outcome.problem))
                else:
                    yield item, outcome
            done += len(batch)
            progress(done, total)


def decode_in_parallel(
    items: Sequence[Item],
    work: Callable[[Item], Result],
    *,
    on_error: str = "fail",
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    name_of: Callable[[Item], Path | str] = str,
) -> tuple[list[tuple[Item, Result]], list[Skipped]]:
    """Run ``work`` on every item with threads in this process; all results, in order, and the skips."""
    skipped: list[Skipped] = []
    done = list(
        decode_in_order(
            ThreadExecutor(workers),
            items,
            work,
            on_error=on_error,
            skipped=skipped,
            progress=progress,
            name_of=name_of,
        )
    )
    return done, skipped


# -- reading one file as the workspace sees it (here or on a worker) -------------------------
def read_file_frames(file: Path, resize: int | None = None, max_pixels: int | None = None) -> list:
    """Every frame of ``file`` as an 8-bit ``L`` image, brought to ``resize`` when given.

    Frames over ``max_pixels`` pixels (default :data:`synthscope.io.DEFAULT_MAX_PIXELS`) are
    refused before they are decoded.
    """
    from synthscope.io import DEFAULT_MAX_PIXELS, Frame, read_frames, resize_image

    frames = read_frames(Path(file), max_pixels=max_pixels or DEFAULT_MAX_PIXELS)
    if resize is None:
        return frames
    return [Frame(resize_image(f.image, resize), f.index) for f in frames]


def read_label_map(
    path: str | Path, resize: int | None = None, max_pixels: int | None = None
) -> np.ndarray:
    """A label map (H, W) uint8 of class indices, brought to ``resize`` when given."""
    from synthscope.io import DEFAULT_MAX_PIXELS, resize_labels
    from synthscope.io import read_label_map as read_labels

    labels = read_labels(Path(path), max_pixels=max_pixels or DEFAULT_MAX_PIXELS)
    return labels if resize is None else resize_labels(labels, resize)
