"""The options of a user-model spec: ``onnx:PATH?size=224&channels=3&mean=imagenet&std=imagenet``.

Options follow the file path after ``?``, as ``name=value`` pairs joined by ``&`` (quote the spec
on a shell command line: ``&`` and ``?`` are special there). All are optional:

=============  ===========  ==============================================================
option         default      meaning
=============  ===========  ==============================================================
``size``       224          images are brought to size x size (centred square, bilinear)
``channels``   3            the grey image is repeated to this many channels
``mean``       0            subtracted per channel from grey / 255 (one value or one per
                            channel; ``imagenet`` = 0.485,0.456,0.406)
``std``        1            then divided per channel (``imagenet`` = 0.229,0.224,0.225)
``batch``      32           images per model call; a model exported with a fixed batch size
                            needs exactly that (the last batch is padded, the padding dropped)
``output``     first        (ONNX only) the name of the output to read
=============  ===========  ==============================================================

Every option lands in the extractor's ``params()``, so it is stored with the vectors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from synthscope._params import Integral, Interval
from synthscope.errors import InvalidParameterError

__all__ = ["ModelOptions", "parse_model_spec"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SIZE = Interval(Integral, 8, 4096)
CHANNELS = Interval(Integral, 1, 16)
BATCH = Interval(Integral, 1, 4096)
_ORDER = ("size", "channels", "mean", "std", "batch", "output")


@dataclass(frozen=True)
class ModelOptions:
    """How images are fed to a user's model (see the module docstring)."""

    size: int = 224
    channels: int = 3
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    batch: int = 32
    output: str | None = None

    def per_channel(self, values: tuple[float, ...]) -> tuple[float, ...]:
        """``values`` (one, or one per channel) as one per channel."""
        return values * self.channels if len(values) == 1 else values

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["mean"] = list(self.per_channel(self.mean))
        out["std"] = list(self.per_channel(self.std))
        return out


def _fail(spec: str, problem: str) -> InvalidParameterError:
    return InvalidParameterError(f"features {spec!r}: {problem}", parameter="features")


def _integer(spec: str, name: str, text: str, interval: Interval) -> int:
    if not text.isdigit() or not interval.is_satisfied_by(int(text)):
        raise _fail(
            spec, f"{name} must be an integer in [{interval.low}, {interval.high}] (got {text!r})"
        )
    return int(text)


def _numbers(spec: str, name: str, text: str, preset: tuple[float, ...]) -> tuple[float, ...]:
    if text.lower() == "imagenet":
        return preset
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if not values or any(v != v or abs(v) == float("inf") for v in values):
        raise _fail(spec, f"{name} must be numbers separated by commas, or imagenet (got {text!r})")
    return values


def parse_model_spec(
    kind: str, arg: str | None, *, allow_output: bool
) -> tuple[Path, ModelOptions, dict[str, str]]:
    """The model file, its options, and the options as written (for the spec), from ``arg``.

    Raises :class:`InvalidParameterError` naming the spec for a missing file, an unknown or
    repeated option, or a value out of range.
    """
    spec = f"{kind}:{arg}" if arg is not None else kind
    if not arg or not arg.partition("?")[0]:
        raise _fail(spec, f"needs a model file: {kind}:PATH[?size=224&channels=3&...]")
    path_text, _, query = arg.partition("?")
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise _fail(spec, f"no such model file {path_text!r}")
    valid = _ORDER if allow_output else _ORDER[:-1]
    given: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in valid:
            raise _fail(spec, f"unknown option {name!r}; options are {', '.join(valid)}")
        if name in given:
            raise _fail(spec, f"option {name!r} is given twice")
        if not value:
            raise _fail(spec, f"option {name!r} has no value")
        given[name] = value
    values: dict[str, Any] = {}
    if "size" in given:
        values["size"] = _integer(spec, "size", given["size"], SIZE)
    if "channels" in given:
        values["channels"] = _integer(spec, "channels", given["channels"], CHANNELS)
    if "batch" in given:
        values["batch"] = _integer(spec, "batch", given["batch"], BATCH)
    if "mean" in given:
        values["mean"] = _numbers(spec, "mean", given["mean"], IMAGENET_MEAN)
    if "std" in given:
        values["std"] = _numbers(spec, "std", given["std"], IMAGENET_STD)
        if any(v <= 0 for v in values["std"]):
            raise _fail(spec, f"std must be > 0 (got {given['std']!r})")
    if "output" in given:
        values["output"] = given["output"]
    options = ModelOptions(**values)
    for name in ("mean", "std"):
        count = len(getattr(options, name))
        if count not in (1, options.channels):
            raise _fail(
                spec,
                f"{name} has {count} values for {options.channels} channels (give 1 or {options.channels})",
            )
    return path, options, {name: given[name] for name in _ORDER if name in given}


def format_query(given: dict[str, str]) -> str:
    """The options part of a spec (``?a=1&b=2``, or empty)."""
    if not given:
        return ""
    return "?" + "&".join(f"{name}={quote(value, safe=',.-_')}" for name, value in given.items())
