"""Run checkpoints: everything needed to continue training exactly, written atomically.

``RUN/checkpoints/latest.pt`` is replaced at every epoch end and when a run stops; numbered
``epoch-NNNN.pt`` snapshots are kept every ``snapshot_every`` epochs and at the last epoch.
Each holds G, D (and E), both optimizers, epoch, step, the position inside the epoch and the
random states; data order and augmentation are functions of (seed, epoch, index), so those
few numbers reproduce the data stream as well.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import torch

from synthscope._files import atomic_file
from synthscope.errors import InputError

__all__ = [
    "CHECKPOINT_DIR",
    "checkpoint_path",
    "list_checkpoints",
    "load_checkpoint",
    "save_checkpoint",
    "snapshot",
]

CHECKPOINT_DIR = "checkpoints"
FORMAT = 1


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Write ``state`` to ``path`` through a temporary file and a rename (never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as temporary:
        torch.save({"format": FORMAT, **state}, temporary)
    return path


def snapshot(latest: str | Path, epoch: int) -> Path:
    """Copy ``latest`` to ``epoch-NNNN.pt`` beside it (atomically) and return the copy's path."""
    latest = Path(latest)
    target = latest.parent / f"epoch-{epoch:04d}.pt"
    with atomic_file(target) as temporary:
        shutil.copyfile(latest, temporary)
    return target


def load_checkpoint(path: str | Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "checkpoint not found")
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as error:  # torch raises many types for a bad file
        raise InputError(path, f"cannot read the checkpoint ({error})") from error
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise InputError(path, "not a synthscope SPADE checkpoint")
    return state


def list_checkpoints(run_dir: str | Path) -> list[Path]:
    """The run's checkpoint files, numbered snapshots first (oldest first), then ``latest``."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    numbered = sorted(folder.glob("epoch-*.pt"))
    latest = folder / "latest.pt"
    return numbered + ([latest] if latest.is_file() else [])


def checkpoint_path(run_dir: str | Path, which: str = "latest") -> Path:
    """Resolve ``latest``, an epoch number or a file path to a checkpoint file."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    if which == "latest":
        path = folder / "latest.pt"
    elif which.isdigit():
        path = folder / f"epoch-{int(which):04d}.pt"
    else:
        path = Path(which)
    if not path.is_file():
        found = ", ".join(p.name for p in list_checkpoints(run_dir)) or "none"
        raise InputError(path, f"checkpoint not found (this run has: {found})")
    return path
