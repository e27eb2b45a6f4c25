"""``spade-disc:RUN``: pooled activations of a trained SPADE discriminator (see ``synthscope.spade``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synthscope.errors import InvalidParameterError
from synthscope.features._registry import Extractor, file_digest, register, safe_name

__all__ = ["SpadeDiscExtractor"]


@register
class SpadeDiscExtractor(Extractor):
    """The discriminator of a SPADE run, seeing each image with its own label map."""

    kind = "spade-disc"
    syntax = "spade-disc:RUN"
    needs_label_maps = True
    batch_size = 16

    def __init__(self, run: str | Path, checkpoint: str = "latest") -> None:
        self.run = Path(run)
        self.checkpoint = checkpoint

    @classmethod
    def from_arg(cls, arg: str | None) -> SpadeDiscExtractor:
        if not arg:
            raise InvalidParameterError(
                "features 'spade-disc' needs a run folder: spade-disc:RUN", parameter="features"
            )
        return cls(arg)

    @property
    def arg(self) -> str | None:
        return str(self.run)

    @property
    def name(self) -> str:
        return "spade-disc." + safe_name(self.run.resolve().name)

    def params(self) -> dict[str, Any]:
        return {"run": str(self.run.resolve()), "checkpoint": self.checkpoint}

    def _checkpoint_file(self) -> Path | None:
        from synthscope.spade import checkpoint_path

        try:
            return Path(checkpoint_path(self.run, self.checkpoint))
        except Exception:  # a missing run is reported by prepare() with its own message
            return None

    def model_digest(self) -> str | None:
        file = self._checkpoint_file()
        return file_digest(file) if file is not None and file.is_file() else None

    def prepare(self) -> None:
        from synthscope.spade import load_trained

        if getattr(self, "_loaded_run", None) is None:
            self._loaded_run = load_trained(self.run, self.checkpoint, "auto")

    def transform(
        self,
        images: Sequence[np.ndarray],
        label_maps: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        from synthscope.spade import discriminator_features

        if label_maps is None or any(label is None for label in label_maps):
            raise InvalidParameterError(
                "spade-disc features need a label map for every image", parameter="features"
            )
        self.prepare()
        return discriminator_features(
            self._loaded_run, images, label_maps, batch_size=self.batch_size
        )
