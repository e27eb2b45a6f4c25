"""Inference-only copies of a run: the networks' weights, without optimizers or random states.

A training checkpoint carries two Adam optimizers (twice the weights again) and everything needed
to resume; a run shipped for generating and for discriminator features needs only G, D (and E).
Weights may be stored in float16 to halve the size; they load into float32 networks unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from synthscope._files import write_text_atomic
from synthscope.errors import InputError
from synthscope.spade._checkpoint import (
    CHECKPOINT_DIR,
    checkpoint_path,
    load_checkpoint,
    save_checkpoint,
)
from synthscope.spade._config import OPTIONS_FILE, load_config

__all__ = ["slim_run"]


def _cast(state: dict[str, torch.Tensor] | None, dtype: torch.dtype) -> dict | None:
    if state is None:
        return None
    return {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}


def slim_run(
    run_dir: str | Path, out_dir: str | Path, *, checkpoint: str = "latest", half: bool = True
) -> Path:
    """Write ``out_dir`` (options + ``checkpoints/latest.pt`` with weights only); returns it."""
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    config = load_config(run_dir)  # also checks that run_dir is a run
    state = load_checkpoint(checkpoint_path(run_dir, checkpoint))
    if out_dir.resolve() == run_dir.resolve():
        raise InputError(out_dir, "must differ from the run folder it slims")
    dtype = torch.float16 if half else torch.float32
    out_dir.mkdir(parents=True, exist_ok=True)
    options = json.loads((run_dir / OPTIONS_FILE).read_text())
    write_text_atomic(out_dir / OPTIONS_FILE, json.dumps(options, indent=2) + "\n")
    save_checkpoint(
        out_dir / CHECKPOINT_DIR / "latest.pt",
        {
            "generator": _cast(state["generator"], dtype),
            "discriminator": _cast(state["discriminator"], dtype),
            "encoder": _cast(state.get("encoder"), dtype) if config.use_vae else None,
            "epoch": int(state["epoch"]),
            "step": int(state["step"]),
        },
    )
    return out_dir
