"""The bridge from a page's projection request to :mod:`synthscope.projection`.

A runner takes ``(vectors, request, callback)`` and returns a result with ``embedding``,
``params``, ``kl``, ``seconds`` and ``iterations`` (a :class:`synthscope.projection.Projection`);
``callback(iteration, embedding)`` is called with iterates and returns True to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

__all__ = ["IterateCallback", "ProjectionRunner", "run_projection"]

IterateCallback = Callable[[int, np.ndarray], bool]


class ProjectionRunner(Protocol):
    def __call__(
        self, vectors: np.ndarray, request: dict[str, Any], callback: IterateCallback
    ) -> Any: ...


def run_projection(vectors: np.ndarray, request: dict[str, Any], callback: IterateCallback) -> Any:
    """Run the request with the workspace's runner, streaming every second iterate to the job."""
    from synthscope.workspace import run_projection as run

    # The job keeps only the newest iterate, so frequent callbacks cost a copy, no more.
    return run(
        vectors,
        request,
        lambda iteration, embedding, kl: not callback(iteration, embedding),
        callback_every=2,
    )
