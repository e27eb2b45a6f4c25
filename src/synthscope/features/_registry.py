"""The registry of feature extractors: a spec (``name[:arg]``) in, an :class:`Extractor` out.

An extractor turns decoded images (8-bit grayscale ``(H, W)`` arrays at their full resolution,
with their label maps where the workspace has them) into one float32 vector per image. It is a
small picklable settings object: models are loaded lazily by :meth:`Extractor.prepare`, so one
extractor can be shipped to a worker process and load its model there once.

Each extractor class registers itself under its ``kind``; :func:`parse_spec` finds it::

    >>> extractor = parse_spec("pixels:32")
    >>> extractor.name, extractor.params()
    ('pixels32', {'size': 32})

The workspace stores an extractor's vectors under :attr:`Extractor.name` with
:meth:`Extractor.identity` beside them; stored vectors are reused only while the identity matches
(same kind, version, parameters and, for model files, the same file contents).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthscope.errors import InvalidParameterError

__all__ = [
    "Extractor",
    "extractor_kinds",
    "feature_name",
    "file_digest",
    "parse_spec",
    "register",
    "spec_syntax",
]

_REGISTRY: dict[str, type[Extractor]] = {}
# Stored names become file names: keep them to letters, digits and _ . -
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


class Extractor:
    """Base class of every feature extractor.

    Subclasses set :attr:`kind` (the spec's name), :attr:`syntax` (how its spec reads, for help
    texts), :attr:`version` (bump it when the vectors it makes change), and implement
    :meth:`from_arg`, :meth:`params` and :meth:`transform`.
    """

    kind: ClassVar[str] = ""
    syntax: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    #: True when :meth:`transform` needs a label map for every image (``spade-disc``).
    needs_label_maps: ClassVar[bool] = False
    #: True when the columns come in different units (``texture``): the realism tests then
    #: standardise every column first, and the report says so.
    standardize: ClassVar[bool] = False
    #: Images per :meth:`transform` call: bounds memory and paces the progress bar.
    batch_size: int = 64

    @classmethod
    def from_arg(cls, arg: str | None) -> Extractor:
        """Build from the part of the spec after ``:`` (``None`` when there is none)."""
        raise NotImplementedError

    @property
    def spec(self) -> str:
        """The spec that makes this extractor again."""
        arg = self.arg
        return self.kind if arg is None else f"{self.kind}:{arg}"

    @property
    def arg(self) -> str | None:
        """The spec's argument, or None."""
        return None

    @property
    def name(self) -> str:
        """The name its vectors are stored under in a workspace."""
        return self.kind

    def params(self) -> dict[str, Any]:
        """The settings that shape the vectors (JSON-ready)."""
        return {}

    def input_size(self) -> int | None:
        """The side length images are brought to before extraction, or None for full size."""
        return None

    def model_digest(self) -> str | None:
        """SHA-1 of the model file the vectors depend on, or None when there is none."""
        return None

    def identity(self) -> dict[str, Any]:
        """What must not change for stored vectors to stay valid."""
        return {
            "kind": self.kind,
            "version": self.version,
            "params": self.params(),
            "model_sha1": self.model_digest(),
        }

    def prepare(self) -> None:
        """Load what :meth:`transform` needs (a model, say) once; errors name the file."""

    def transform(
        self,
        images: Sequence[np.ndarray],
        label_maps: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        """One float32 row per image: ``(len(images), d)``, finite.

        Parameters
        ----------
        images
            uint8 grayscale ``(H, W)`` arrays, any sizes.
        label_maps
            The label map of each image (``(H, W)`` uint8 class indices) or None where an image
            has none; None when the workspace holds no label maps at all.
        """
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        # Loaded models stay behind: a worker that unpickles the extractor loads its own.
        state = dict(self.__dict__)
        for key in [k for k in state if k.startswith("_loaded")]:
            state[key] = None
        return state

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"


def register(cls: type[Extractor]) -> type[Extractor]:
    """Class decorator: make ``cls`` findable by its ``kind``."""
    if not cls.kind or (cls.kind in _REGISTRY and _REGISTRY[cls.kind] is not cls):
        raise ValueError(f"extractor kind {cls.kind!r} is empty or taken")
    _REGISTRY[cls.kind] = cls
    return cls


def extractor_kinds() -> list[str]:
    """The registered kinds, in registration order."""
    return list(_REGISTRY)


def spec_syntax() -> str:
    """Every spec form, for help texts and error messages."""
    return " | ".join(cls.syntax or cls.kind for cls in _REGISTRY.values())


def parse_spec(spec: str) -> Extractor:
    """The extractor a spec names (``pixels:32``, ``texture``, ``onnx:model.onnx``, ...)."""
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidParameterError(
            f"features must be a feature spec: {spec_syntax()} (got {spec!r})",
            parameter="features",
        )
    kind, sep, arg = spec.strip().partition(":")
    cls = _REGISTRY.get(kind)
    if cls is None:
        raise InvalidParameterError(
            f"features {spec!r} is not a feature spec; expected {spec_syntax()}",
            parameter="features",
        )
    return cls.from_arg(arg if sep else None)


def feature_name(spec: str) -> str:
    """The workspace name under which feature ``spec`` is stored."""
    return parse_spec(spec).name


def safe_name(text: str) -> str:
    """``text`` reduced to characters a stored name may hold."""
    return _UNSAFE.sub("_", text)


def file_digest(path: str | Path) -> str:
    """SHA-1 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha1(usedforsecurity=False)
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
