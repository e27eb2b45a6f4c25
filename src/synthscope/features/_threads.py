"""Thread pools for extractors whose work releases the GIL (numba ``nogil`` kernels, numpy, torch).

Threads change how fast rows come, never their values: each row depends on its own image only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["map_threads", "single_threaded_torch", "usable_cores"]

T = TypeVar("T")


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def map_threads(function: Callable[..., T], *items: Iterable[Any], threads: int | None) -> list[T]:
    """``list(map(function, *items))`` on ``threads`` threads (None: the usable cores)."""
    columns = [list(column) for column in items]
    n = len(columns[0]) if columns else 0
    threads = min(threads or usable_cores(), n)
    if threads <= 1:
        return [function(*args) for args in zip(*columns, strict=True)]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(function, *columns))


@contextlib.contextmanager
def single_threaded_torch() -> Iterator[None]:
    """Run torch's operators on one intra-op thread for the duration (restored afterwards).

    Small convolutions parallelise poorly inside one operator, and on a loaded machine the
    operator's worker threads spin waiting for each other; one thread per batch chunk, with
    chunks spread over a thread pool, is 2-5x faster on 2 cores.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
