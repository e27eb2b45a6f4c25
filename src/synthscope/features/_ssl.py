"""``ssl:RUN``: the self-supervised encoder trained by ``synthscope train-encoder`` (see
``synthscope.encoder``), stored as ``ssl.RUN``.

``ssl:RUN@SIZE`` resizes every image to SIZE: needed only for images of sizes the run was not
trained on, which ``ssl:RUN`` refuses (resized to the run's size they would sit at another scale).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, check_value
from synthscope.errors import InvalidParameterError
from synthscope.features._registry import Extractor, file_digest, register, safe_name

__all__ = ["SSLExtractor"]

_SIZE = Interval(Integral, 16, 1024)


@register
class SSLExtractor(Extractor):
    """Multi-scale pooled features of a trained self-supervised encoder (``15 * width`` numbers)."""

    kind = "ssl"
    syntax = "ssl:RUN[@SIZE]"
    batch_size = 64

    def __init__(
        self, run: str | Path, checkpoint: str = "latest", size: int | None = None
    ) -> None:
        self.run = Path(run)
        self.checkpoint = str(checkpoint)
        self.size = None if size is None else int(check_value("size", size, _SIZE))

    @classmethod
    def from_arg(cls, arg: str | None) -> SSLExtractor:
        if not arg:
            raise InvalidParameterError(
                "features 'ssl' needs an encoder run folder: ssl:RUN (made by"
                " `synthscope train-encoder WS RUN`)",
                parameter="features",
            )
        run, at, size = arg.rpartition("@")
        if at and size.isdigit() and run:
            if not _SIZE.is_satisfied_by(int(size)):
                raise InvalidParameterError(
                    f"features 'ssl:{arg}': the size must be 16..1024", parameter="features"
                )
            return cls(run, size=int(size))
        return cls(arg)

    @property
    def arg(self) -> str | None:
        return str(self.run) if self.size is None else f"{self.run}@{self.size}"

    @property
    def name(self) -> str:
        return "ssl." + safe_name(self.run.resolve().name)

    def _info(self) -> dict[str, Any]:
        """The run's input size and the checkpoint's epoch; empty while the run cannot be read."""
        cached = getattr(self, "_loaded_info", None)
        if cached is None:
            from synthscope.encoder import checkpoint_path, load_checkpoint, read_options

            try:
                config, _ = read_options(self.run)
                path = checkpoint_path(self.run, self.checkpoint)
                state = load_checkpoint(path)
            except Exception:  # prepare() reports a bad run with its own message
                return {}
            cached = {"path": path, "epoch": int(state["epoch"]), "input_size": config.size}
            self._loaded_info = cached
        return cached

    def params(self) -> dict[str, Any]:
        info = self._info()
        return {
            "run": str(self.run.resolve()),
            "checkpoint": self.checkpoint,
            "epoch": info.get("epoch"),
            "input_size": self.size or info.get("input_size"),
        }

    def input_size(self) -> int | None:
        return self.size or self._info().get("input_size")

    def model_digest(self) -> str | None:
        path = self._info().get("path")
        return file_digest(path) if path is not None else None

    def prepare(self) -> None:
        from synthscope.encoder import load_encoder

        if getattr(self, "_loaded_encoder", None) is None:
            self._loaded_encoder = load_encoder(self.run, self.checkpoint, "auto")

    def transform(
        self,
        images: Sequence[np.ndarray],
        label_maps: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        from synthscope.encoder import encode

        self.prepare()
        return encode(self._loaded_encoder, images, size=self.size, batch_size=self.batch_size)
