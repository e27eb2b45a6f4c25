"""What one server process holds: its settings, the open workspace, caches and jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from synthscope.server._atlas import AtlasCache
from synthscope.server._jobs import JobRegistry
from synthscope.server._settings import Settings

__all__ = ["ServerState"]


class ServerState:
    """Shared by every request of one app.

    Parameters
    ----------
    settings
        The server settings.
    open_workspace
        Opens the workspace; ``Workspace.open(settings.workspace)`` unless a test passes another.
    """

    def __init__(self, settings: Settings, open_workspace: Callable[[], Any]) -> None:
        self.settings = settings
        self._open = open_workspace
        self._workspace: Any = None
        self._open_lock = threading.Lock()
        # Every write to the workspace goes through this lock, so edits from two tabs serialise.
        self.write_lock = threading.Lock()
        self.jobs = JobRegistry()
        self.thumbs = AtlasCache(lambda: self.workspace().thumbnails(), settings.thumb_cache_tiles)
        #: How projections are computed (:data:`synthscope.workspace.ComputeProjection`);
        #: None is the real thing, tests pass stand-ins.
        self.compute: Callable[..., Any] | None = None

    def workspace(self) -> Any:
        """The open workspace (opened on first use, so a bad path fails on a request, loudly)."""
        with self._open_lock:
            if self._workspace is None:
                self._workspace = self._open()
            return self._workspace
