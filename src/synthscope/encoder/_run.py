"""The run folder: plain files, written so that a crash never leaves one half-written.

::

    RUN/options.json               {"format", "kind", "synthscope", "config", "data"}
    RUN/checkpoints/latest.pt      replaced at every epoch end
    RUN/checkpoints/epoch-NNNN.pt  kept every ``snapshot_every`` epochs and at the last epoch
    RUN/stats.jsonl                one line per epoch: loss and its terms, images/s, seconds

``data`` in ``options.json`` records what the encoder was trained on: how many images, their
sizes before resizing (an encoder refuses images of other sizes unless told a size), how they
were resized, a digest of the pixels, and where they came from (workspace, ``on``).
A checkpoint holds the network with its projector, the optimiser, the scheduler, every random
state, the epoch, the step and the seconds spent; data order is a function of (seed, epoch).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import torch

from synthscope import __version__
from synthscope._files import write_bytes_atomic, write_text_atomic
from synthscope._training import refuse_changed_options
from synthscope.encoder._config import RESUMABLE, EncoderConfig
from synthscope.errors import InputError, InvalidParameterError

__all__ = [
    "CHECKPOINT_DIR",
    "FORMAT",
    "OPTIONS_FILE",
    "STATS_FILE",
    "checkpoint_path",
    "list_checkpoints",
    "load_checkpoint",
    "read_options",
    "resumed_config",
    "save_checkpoint",
    "snapshot",
    "write_options",
]

OPTIONS_FILE = "options.json"
STATS_FILE = "stats.jsonl"
CHECKPOINT_DIR = "checkpoints"
KIND = "synthscope-encoder"
#: Bump when the run folder's files change in a way older code cannot read.
FORMAT = 1


def write_options(run_dir: Path, config: EncoderConfig, data: dict[str, Any]) -> Path:
    """Write ``RUN/options.json`` atomically."""
    run_dir.mkdir(parents=True, exist_ok=True)
    options = {
        "format": FORMAT,
        "kind": KIND,
        "synthscope": __version__,
        "config": config.to_dict(),
        "data": data,
    }
    path = run_dir / OPTIONS_FILE
    write_text_atomic(path, json.dumps(options, indent=2, sort_keys=True) + "\n")
    return path


def _other_version(path: Path, found: Any, made_by: Any) -> InputError:
    return InputError(
        path,
        f"made by another version of synthscope ({made_by or 'unknown'}, run format {found!r};"
        f" this is {__version__}, run format {FORMAT}): train a new encoder, or use the"
        " version that made this one",
    )


def read_options(run_dir: str | Path) -> tuple[EncoderConfig, dict[str, Any]]:
    """The config and data record of a run; :class:`InputError` naming the file otherwise."""
    path = Path(run_dir) / OPTIONS_FILE
    if not path.is_file():
        raise InputError(
            path, "not found: is this an encoder run folder made by `synthscope train-encoder`?"
        )
    try:
        options = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(path, f"cannot read the run options ({error})") from error
    if not isinstance(options, dict) or options.get("kind") != KIND:
        raise InputError(path, "not an encoder run (made by `synthscope train-encoder`)")
    if options.get("format") != FORMAT:
        raise _other_version(path, options.get("format"), options.get("synthscope"))
    try:
        config = EncoderConfig.from_dict(dict(options["config"]))
    except (KeyError, TypeError, InvalidParameterError) as error:
        raise InputError(path, f"bad run options: {error}") from error
    return config, dict(options.get("data") or {})


def resumed_config(run_dir: str | Path, **changes: Any) -> EncoderConfig:
    """The stored options of ``run_dir`` with some :data:`RESUMABLE` options changed.

    Any other option given with a different value is refused, naming it with both values.
    """
    stored, _ = read_options(run_dir)
    refuse_changed_options(run_dir, stored.to_dict(), changes, RESUMABLE)
    return stored.replace(**changes)


def save_checkpoint(path: Path, state: dict[str, Any]) -> Path:
    """Serialise ``state`` in memory, then write it atomically (never half-written)."""
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "kind": KIND, "synthscope": __version__, **state}, buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, buffer.getvalue())
    return path


def snapshot(latest: Path, epoch: int) -> Path:
    """Copy ``latest`` to ``epoch-NNNN.pt`` beside it (atomically)."""
    target = latest.parent / f"epoch-{epoch:04d}.pt"
    write_bytes_atomic(target, latest.read_bytes())
    return target


def list_checkpoints(run_dir: str | Path) -> list[Path]:
    """Numbered snapshots (oldest first), then ``latest.pt``."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    latest = folder / "latest.pt"
    return sorted(folder.glob("epoch-*.pt")) + ([latest] if latest.is_file() else [])


def checkpoint_path(run_dir: str | Path, which: str | int = "latest") -> Path:
    """``latest``, an epoch number or a file path, as an existing checkpoint file."""
    folder = Path(run_dir) / CHECKPOINT_DIR
    which = str(which)
    if which == "latest":
        path = folder / "latest.pt"
    elif which.isdigit():
        path = folder / f"epoch-{int(which):04d}.pt"
    else:
        path = Path(which)
    if not path.is_file():
        found = ", ".join(p.name for p in list_checkpoints(run_dir)) or "none yet"
        raise InputError(path, f"checkpoint not found (this run has: {found})")
    return path


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Read a checkpoint; a damaged file or one from another version is named."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError as error:
        raise InputError(path, "checkpoint not found") from error
    except Exception as error:  # torch raises many types for a damaged file
        reason = (str(error).strip().splitlines() or [""])[0][:160]
        raise InputError(
            path, f"damaged checkpoint, cannot be read ({type(error).__name__}: {reason})"
        ) from error
    if not isinstance(state, dict) or state.get("kind") != KIND:
        raise InputError(path, "not an encoder checkpoint (made by `synthscope train-encoder`)")
    if state.get("format") != FORMAT:
        raise _other_version(path, state.get("format"), state.get("synthscope"))
    return state
