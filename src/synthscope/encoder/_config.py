"""The options of an encoder run: one typed, frozen dataclass checked by a constraint table.

Defaults are sized for a CPU: a run of 1,800 frames at 128x128 should give a useful encoder in
about a quarter of an hour on two cores (``benchmarks/encoder.py``); on a GPU raise ``width`` and
``epochs``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from synthscope._params import Integral, Interval, Options, Real, check_params
from synthscope.errors import InvalidParameterError

__all__ = ["CONSTRAINTS", "METHODS", "RESUMABLE", "EncoderConfig"]

#: The self-supervised objectives (see ``_objective``): VICReg is the default.
METHODS = ("vicreg", "simclr")

#: Options a resumed run may change: they touch neither the network nor the data stream.
#: ``epochs`` may grow because the learning rate does not depend on it (warm-up, then constant).
RESUMABLE = frozenset({"epochs", "device", "precision", "snapshot_every"})

CONSTRAINTS: dict[str, list[Any]] = {
    "size": [Interval(Integral, 16, 1024)],
    "width": [Interval(Integral, 2, 256)],
    "projector_dim": [Interval(Integral, 8, 8192)],
    "method": [Options(*METHODS)],
    "epochs": [Interval(Integral, 1, 100_000)],
    # VICReg's variance and covariance terms, and SimCLR's negatives, are estimated across the
    # batch: a handful of images is the least that means anything.
    "batch_size": [Interval(Integral, 4, 65_536)],
    "lr": [Interval(Real, 0, 1, closed="right")],
    "weight_decay": [Interval(Real, 0, 1)],
    "warmup_steps": [Interval(Integral, 0, None)],
    "seed": [Interval(Integral, 0, 2**63 - 1)],
    "device": [Options("auto", "cpu", "cuda")],
    "precision": [Options("auto", "fp32", "bf16")],
    "snapshot_every": [Interval(Integral, 1, None)],
}


@dataclass(frozen=True, kw_only=True)
class EncoderConfig:
    """Every option of a self-supervised encoder run; checked on construction.

    Attributes
    ----------
    size
        Side in pixels every image is resized to, for training and for encoding (see
        :func:`~synthscope.encoder.resize_image`).
    width
        Channels of the first of the network's four stages (then 2x, 4x, 8x); the feature
        vector has ``15 * width`` numbers.
    projector_dim
        Width of the projector MLP the objective sees (VICReg's "expander").
    method
        ``vicreg`` (default) or ``simclr``.
    epochs, batch_size, lr, weight_decay, warmup_steps
        AdamW with a linear warm-up over ``warmup_steps`` steps, then a constant rate.
    seed
        Weights, data order and augmentations all follow from it.
    device, precision
        ``auto`` picks CUDA when present (with bf16 autocast), else the CPU in fp32.
    snapshot_every
        Keep a numbered checkpoint every this many epochs (and at the last).
    """

    size: int = 128
    width: int = 16
    projector_dim: int = 512
    method: str = "vicreg"
    epochs: int = 20
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 50
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    snapshot_every: int = 10

    def __post_init__(self) -> None:
        check_params(self.to_dict(), CONSTRAINTS)

    @property
    def feature_dim(self) -> int:
        """Length of an encoded vector: the pooled outputs of the four stages side by side."""
        return 15 * self.width

    def replace(self, **changes: Any) -> EncoderConfig:
        """A copy with some options changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> EncoderConfig:
        """Build from stored options; unknown names are an error (a newer run folder, say)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidParameterError(f"unknown encoder option(s) {', '.join(unknown)}")
        return cls(**values)
