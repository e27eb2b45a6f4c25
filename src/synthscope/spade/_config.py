"""The options of a SPADE run: one typed, frozen dataclass, checked when built, stored as JSON.

Defaults follow the paper (Park et al., CVPR 2019) and its reference code: ngf = ndf = 64, two
discriminator scales of four layers, hinge loss, feature matching with lambda 10, TTUR learning
rates (G 1e-4, D 4e-4, betas (0, 0.9)), 50 epochs at a constant rate, load 286 / crop 256.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthscope._files import write_text_atomic
from synthscope._params import Integral, Interval, Options, Real, check_params, fail
from synthscope._training import refuse_changed_options
from synthscope.errors import InputError, InvalidParameterError

__all__ = [
    "OPTIONS_FILE",
    "RESUMABLE",
    "SpadeConfig",
    "load_config",
    "resumed_config",
    "save_config",
]

OPTIONS_FILE = "options.json"
# Options that may differ when a run is resumed: they change neither the networks nor the data.
RESUMABLE = frozenset(
    {
        "epochs",
        "decay_epochs",
        "max_steps",
        "device",
        "precision",
        "snapshot_every",
        "log_every",
        "sample_every",
    }
)

# How many times each mode doubles the starting grid (reference: normal 5, more 6, most 7).
UPSAMPLINGS = {"normal": 5, "more": 6, "most": 7}


_POSITIVE = Interval(Integral, 1, None)
#: The constraint of every option checked on its own (cross-option rules follow in the class).
CONSTRAINTS: dict[str, object] = {
    "size": Interval(Integral, 8, None),
    "num_upsampling": Options(*UPSAMPLINGS),
    "load_size": [None, Interval(Integral, 1, None)],
    "label_nc": [None, Interval(Integral, 1, 256)],
    "image_channels": [None, Options(1, 3)],
    "ngf": _POSITIVE,
    "ndf": _POSITIVE,
    "spade_hidden": _POSITIVE,
    "num_d": Interval(Integral, 1, 5),
    "n_layers_d": Interval(Integral, 1, 6),
    "z_dim": _POSITIVE,
    "norm": Options("batch", "instance"),
    "lambda_feat": Interval(Real, 0.0, None),
    "lambda_vgg": Interval(Real, 0.0, None),
    "lambda_kld": Interval(Real, 0.0, None),
    "lr": Interval(Real, 0.0, None, closed="neither"),
    "epochs": _POSITIVE,
    "decay_epochs": Interval(Integral, 0, None),
    "batch_size": _POSITIVE,
    "max_steps": [None, _POSITIVE],
    "seed": Interval(Integral, 0, 2**63 - 1),
    "device": Options("auto", "cpu", "cuda"),
    "precision": Options("auto", "fp32", "bf16"),
    "snapshot_every": _POSITIVE,
    "log_every": _POSITIVE,
    "sample_every": _POSITIVE,
}


@dataclass(frozen=True, kw_only=True)
class SpadeConfig:
    """Every option of a SPADE run; checked on construction.

    ``label_nc`` and ``image_channels`` may be left ``None`` for :func:`training_loop` to infer
    from the data; the run's ``options.json`` always holds the resolved values.
    """

    # data
    size: int = 256  # crop size in pixels (square); the generator's output size
    load_size: int | None = None  # resize before the random crop; None -> round(size * 286 / 256)
    flip: bool = True  # random horizontal flips while training
    label_nc: int | None = None  # number of label classes; None -> max label value + 1
    image_channels: int | None = None  # 1 (grayscale) or 3 (colour); None -> from the first image
    # generator
    ngf: int = 64
    num_upsampling: str = "normal"  # normal | more | most
    norm: str = "batch"  # parameter-free norm inside SPADE: batch | instance
    spectral: bool = True  # spectral norm on the residual-block convolutions
    spade_hidden: int = 128  # width of SPADE's label embedding (hard-coded 128 in the reference)
    use_vae: bool = False
    z_dim: int = 256
    # discriminator
    ndf: int = 64
    num_d: int = 2
    n_layers_d: int = 4
    # losses
    lambda_feat: float = 10.0  # 0 turns feature matching off
    lambda_vgg: float = 10.0  # used only when vgg_weights is given
    lambda_kld: float = 0.05
    vgg_weights: str | None = None  # local VGG19 state dict; nothing is ever downloaded
    # optimisation
    lr: float = 2e-4
    ttur: bool = True  # G lr/2, D lr*2, betas (0, 0.9); else both lr, betas (0.5, 0.999)
    epochs: int = 50
    decay_epochs: int = 0  # extra epochs with a linear decay of the learning rate to 0
    batch_size: int = 1
    max_steps: int | None = None  # stop after this many optimisation steps in all (tests, trials)
    seed: int = 0
    # bookkeeping
    device: str = "auto"  # auto | cpu | cuda
    precision: str = "auto"  # auto (bf16 on CUDA, fp32 on CPU) | fp32 | bf16 (any device)
    snapshot_every: int = 10  # keep a numbered checkpoint every this many epochs (and the last)
    log_every: int = 10  # steps between rows of losses.csv
    sample_every: int = 500  # steps between sample grids (and one at the end)

    def __post_init__(self) -> None:
        check_params(dataclasses.asdict(self), CONSTRAINTS)
        n_up = UPSAMPLINGS[self.num_upsampling]
        if self.size % 2**n_up:
            raise fail(
                "size",
                f"must be a multiple of {2**n_up} for num_upsampling={self.num_upsampling!r}"
                f" (got {self.size}); try {max(1, self.size // 2**n_up) * 2**n_up}",
            )
        if self.load_size is not None and self.load_size < self.size:
            raise fail("load_size", f"must be >= {self.size} (got {self.load_size})")
        if self.norm == "batch" and self.batch_size == 1 and self.size < 2**n_up * 2:
            # A 1x1 starting grid with one image leaves batch norm a single value per channel.
            raise InvalidParameterError(
                f"norm='batch' with batch_size=1 needs size >= {2**n_up * 2}"
                f" (got {self.size}); use a larger size or batch size, or norm='instance'",
                parameter="norm",
            )

    @property
    def resolved_load_size(self) -> int:
        """The resize before the random crop (the reference's 286 for a 256 crop)."""
        return self.load_size if self.load_size is not None else round(self.size * 286 / 256)

    @property
    def start_size(self) -> int:
        """Side of the generator's starting grid: ``size // 2**n_upsamplings``."""
        return self.size // 2 ** UPSAMPLINGS[self.num_upsampling]

    @property
    def total_epochs(self) -> int:
        return self.epochs + self.decay_epochs

    def replace(self, **changes: Any) -> SpadeConfig:
        """A copy with some options changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], *, source: str = "options") -> SpadeConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidParameterError(f"{source}: unknown SPADE option(s) {', '.join(unknown)}")
        return cls(**values)


def save_config(config: SpadeConfig, run_dir: str | Path) -> Path:
    """Write ``RUN/options.json`` atomically and return its path."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / OPTIONS_FILE
    text = json.dumps(config.to_dict(), indent=2, sort_keys=True) + "\n"
    write_text_atomic(path, text)
    return path


def load_config(run_dir: str | Path) -> SpadeConfig:
    """Read ``RUN/options.json``; :class:`InputError` when missing or malformed."""
    path = Path(run_dir) / OPTIONS_FILE
    if not path.is_file():
        raise InputError(path, "not found: is this a SPADE run folder made by `synthscope train`?")
    try:
        values = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(path, f"cannot read the run options ({error})") from error
    if not isinstance(values, dict):
        raise InputError(path, "the run options must be a JSON object")
    return SpadeConfig.from_dict(values, source=str(path))


def resumed_config(run_dir: str | Path, **changes: Any) -> SpadeConfig:
    """The stored options of ``run_dir`` with some :data:`RESUMABLE` options changed.

    Raises :class:`InvalidParameterError` naming any other option given with a different value.
    """
    stored = load_config(run_dir)
    refuse_changed_options(run_dir, stored.to_dict(), changes, RESUMABLE)
    return stored.replace(**changes)
