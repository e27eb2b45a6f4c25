"""Helpers every training loop shares (SPADE, the self-supervised encoder): devices, bf16
autocast, random states for exact resume, and the refusal to resume with changed options.

Kept free of any one model so that ``spade`` and ``encoder`` need not import each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch

from synthscope.errors import InvalidParameterError

__all__ = [
    "autocast",
    "refuse_changed_options",
    "resolve_device",
    "restore_rng_state",
    "rng_state",
]


def resolve_device(name: str) -> torch.device:
    """``auto`` -> CUDA when available, else CPU; ``cuda`` without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            "device 'cuda' requested but no CUDA GPU is available", parameter="device"
        )
    if name not in ("cpu", "cuda"):
        raise InvalidParameterError(
            f"device must be auto, cpu or cuda (got {name!r})", parameter="device"
        )
    return torch.device(name)


def autocast(device: torch.device, precision: str) -> torch.autocast:
    """bf16 autocast for ``bf16``, and for ``auto`` on CUDA; a disabled context otherwise.

    bf16 keeps fp32's exponent range, so no loss scaler is needed. It works on CPU too (slowly
    without native bf16), which lets the mixed-precision path be tested without a GPU.
    """
    enabled = precision == "bf16" or (precision == "auto" and device.type == "cuda")
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def rng_state(device: torch.device, generators: Mapping[str, torch.Generator]) -> dict[str, Any]:
    """Every random state a run draws from: torch's global CPU (and CUDA) state and ``generators``.

    The keys are ``torch``, ``cuda`` (None off CUDA) and the names of ``generators``.
    """
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state() if device.type == "cuda" else None,
    }
    for name, generator in generators.items():
        state[name] = generator.get_state()
    return state


def restore_rng_state(
    state: Mapping[str, Any], device: torch.device, generators: Mapping[str, torch.Generator]
) -> None:
    """Put back what :func:`rng_state` captured (the CUDA state only when on CUDA)."""
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and state.get("cuda") is not None:
        torch.cuda.set_rng_state(state["cuda"])
    for name, generator in generators.items():
        generator.set_state(state[name])


def refuse_changed_options(
    run_dir: str | Path,
    stored: Mapping[str, Any],
    given: Mapping[str, Any],
    resumable: Iterable[str],
) -> None:
    """Raise when ``given`` changes a stored option that a resumed run may not change.

    The message names each option with both values: ``cannot resume RUN with changed option(s)
    size (stored 128, given 64); only device, epochs may change``.
    """
    resumable = set(resumable)
    changed = sorted(n for n, v in given.items() if n not in resumable and stored.get(n) != v)
    if changed:
        shown = ", ".join(f"{n} (stored {stored.get(n)!r}, given {given[n]!r})" for n in changed)
        raise InvalidParameterError(
            f"cannot resume {run_dir} with changed option(s) {shown};"
            f" only {', '.join(sorted(resumable))} may change"
        )
