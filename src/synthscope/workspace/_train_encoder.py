"""Train a self-supervised encoder on a workspace's images (``synthscope train-encoder``).

By default only the real images (``source = real``) train it: an encoder fitted to the generated
images too would shape its feature space around them, and that leaks into the very test that
compares generated with real. ``on="all"`` is there for exploration and is recorded in the run's
``options.json``. The workspace is only read, never written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from synthscope._params import Options, check_value
from synthscope.errors import InvalidParameterError
from synthscope.workspace._store import Workspace

if TYPE_CHECKING:
    from synthscope.encoder import EncoderConfig, TrainResult, TrainStatus

__all__ = ["TRAIN_ON", "train_encoder"]

TRAIN_ON = ("real", "all")


class _WorkspaceImages(Sequence[np.ndarray]):
    """The workspace's images at ``ids``, decoded when asked for (one at a time)."""

    def __init__(self, workspace: Workspace, ids: np.ndarray) -> None:
        self._workspace = workspace
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> np.ndarray:  # type: ignore[override]  # ints only
        return self._workspace.read_image(int(self._ids[index]))


def train_encoder(
    workspace: str | Path,
    run: str | Path,
    *,
    on: str = "real",
    config: EncoderConfig | None = None,
    resume: bool = False,
    progress: Callable[[TrainStatus], None] | None = None,
) -> TrainResult:
    """Train (or resume) the encoder in ``run`` on the workspace's real images (or all of them).

    Parameters
    ----------
    workspace
        A workspace folder made by ``synthscope ingest``.
    run
        The encoder's run folder (see :func:`synthscope.encoder.training_loop`).
    on
        ``"real"`` (default) or ``"all"``; a resumed run must keep the stored value.
    config
        An :class:`~synthscope.encoder.EncoderConfig`; the defaults, or the stored one on resume.
    progress
        Receives :class:`~synthscope.encoder.TrainStatus` while images are read and every step.

    Returns the :class:`~synthscope.encoder.TrainResult`.
    """
    # Imported here: torch loads only when an encoder is trained.
    from synthscope._training import refuse_changed_options
    from synthscope.encoder import EncoderConfig, read_options, too_few_images, training_loop

    check_value("on", on, Options(*TRAIN_ON))
    if resume:
        stored_config, data = read_options(run)
        stored_on = (data.get("source") or {}).get("on", on)
        refuse_changed_options(run, {"on": stored_on}, {"on": on}, ())
        config = config or stored_config
    config = config or EncoderConfig()
    with Workspace.open(workspace) as ws:
        source = ws.column("source")
        ids = np.flatnonzero(source == "real") if on == "real" else np.arange(len(source))
        reason = too_few_images(len(ids), config)
        if reason is not None:
            which = "real images" if on == "real" else "images"
            hint = " (or --on all to include the generated ones)" if on == "real" else ""
            raise InvalidParameterError(f"{ws.path} holds {len(ids)} {which}{hint}: {reason}")
        return training_loop(
            _WorkspaceImages(ws, ids),
            run,
            config,
            resume=resume,
            source={"workspace": str(Path(ws.path).resolve()), "on": on},
            progress=progress,
        )
