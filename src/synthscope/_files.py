"""Writes that never leave a half-written file: write a temporary sibling, then rename over."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["save_npy_atomic", "write_bytes_atomic", "write_text_atomic"]


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    temporary = _temporary(path)
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def save_npy_atomic(path: str | Path, array: np.ndarray) -> None:
    path = Path(path)
    temporary = _temporary(path)
    try:
        with temporary.open("wb") as handle:
            np.save(handle, array, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
