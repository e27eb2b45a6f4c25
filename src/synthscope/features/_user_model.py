"""``torchscript:PATH`` and ``onnx:PATH``: the user's own feature extractor, exported elsewhere.

A DINOv2, a RadImageNet network or a model trained in-house, saved as TorchScript (``torch.jit``)
or ONNX (run with onnxruntime on the CPU). Images are fed as the options say (``_model_options``:
size, channels, mean, std, batch, output): centred square, Pillow bilinear to size x size, grey /
255 repeated to the channels, minus mean, over std, float32 ``(batch, channels, size, size)``.

The model must return ``(N, D)`` (used as it is) or ``(N, C, H, W)`` (averaged over H and W);
anything else, a model file that does not load, a fixed batch size other than ``batch``, or NaN /
infinite outputs raise :class:`~synthscope.errors.InputError` naming the file and the problem.
Stored as ``torchscript.<file stem>`` and ``onnx.<file stem>``; the file's SHA-1 is part of the
stored vectors' identity, so a changed model file is never silently reused.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthscope.errors import InputError
from synthscope.features._model_options import ModelOptions, format_query, parse_model_spec
from synthscope.features._registry import Extractor, file_digest, register, safe_name
from synthscope.features._threads import usable_cores
from synthscope.features._working import to_working_size

__all__ = ["OnnxExtractor", "TorchScriptExtractor", "UserModelExtractor"]


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


class UserModelExtractor(Extractor):
    """What TorchScript and ONNX models share: options, preprocessing, batching, output checks."""

    allow_output: ClassVar[bool] = False
    format_name: ClassVar[str] = ""

    def __init__(
        self,
        path: str | Path,
        options: ModelOptions | None = None,
        given: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.options = options or ModelOptions()
        self.given = dict(given or {})
        self.batch_size = self.options.batch

    @classmethod
    def from_arg(cls, arg: str | None) -> UserModelExtractor:
        path, options, given = parse_model_spec(cls.kind, arg, allow_output=cls.allow_output)
        return cls(path, options, given)

    @property
    def arg(self) -> str | None:
        return str(self.path) + format_query(self.given)

    @property
    def name(self) -> str:
        return f"{self.kind}.{safe_name(self.path.stem)}"

    def params(self) -> dict[str, Any]:
        out = {"path": str(self.path.resolve()), **self.options.to_json()}
        if not self.allow_output:
            out.pop("output")
        out["resize"] = "centre square, Pillow bilinear"
        out["scale"] = "grey / 255, repeated to channels, (x - mean) / std"
        return out

    def input_size(self) -> int | None:
        return self.options.size

    def model_digest(self) -> str | None:
        return file_digest(self.path) if self.path.is_file() else None

    def _error(self, problem: str) -> InputError:
        return InputError(self.path, problem)

    def _batch(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """``(len(images), channels, size, size)`` float32 model input."""
        o = self.options
        grey = np.stack([to_working_size(image, o.size) for image in images]).astype(np.float32)
        grey /= 255.0
        x = np.repeat(grey[:, None], o.channels, axis=1)
        mean = np.asarray(o.per_channel(o.mean), dtype=np.float32)[None, :, None, None]
        std = np.asarray(o.per_channel(o.std), dtype=np.float32)[None, :, None, None]
        return np.ascontiguousarray((x - mean) / std, dtype=np.float32)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        """The model's raw output for one full batch."""
        raise NotImplementedError

    def _rows(self, output: Any, n: int) -> np.ndarray:
        """The model's output for a batch of ``n`` as ``(n, d)`` float32, checked."""
        out = np.asarray(output)
        if out.ndim == 4:
            out = out.mean(axis=(2, 3))
        elif out.ndim != 2:
            raise self._error(
                f"returned an output of rank {out.ndim} (shape {tuple(out.shape)}); synthscope takes "
                "(N, D) features, or (N, C, H, W) maps that it averages over H and W"
            )
        if out.shape[0] != n:
            raise self._error(
                f"returned {out.shape[0]} rows for a batch of {n} images: the model seems exported "
                f"with a fixed batch size; add ?batch={out.shape[0]} to the spec, or export with a "
                "dynamic batch axis"
            )
        out = out.astype(np.float32)
        bad = ~np.isfinite(out).all(axis=1)
        if bad.any():
            raise self._error(
                f"returned NaN or infinite values for {int(bad.sum())} of {n} images "
                f"(first: image {int(np.flatnonzero(bad)[0])} of the batch)"
            )
        return out

    def transform(
        self,
        images: Sequence[np.ndarray],
        label_maps: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        self.prepare()
        batch = self.options.batch
        rows: list[np.ndarray] = []
        for start in range(0, len(images), batch):
            part = self._batch(images[start : start + batch])
            n = part.shape[0]
            if n < batch:  # pad to the full batch, so a fixed-batch model takes the last one too
                part = np.concatenate([part, np.zeros((batch - n, *part.shape[1:]), np.float32)])
            rows.append(self._rows(self._run(part), batch)[:n])
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.ascontiguousarray(np.concatenate(rows), dtype=np.float32)


@register
class TorchScriptExtractor(UserModelExtractor):
    """``torchscript:PATH[?options]``: a TorchScript module (``torch.jit.trace`` / ``script``)."""

    kind = "torchscript"
    syntax = "torchscript:PATH[?OPTIONS]"
    format_name = "TorchScript"

    def prepare(self) -> None:
        if getattr(self, "_loaded_module", None) is not None:
            return
        import torch

        try:
            with warnings.catch_warnings():  # PyTorch deprecates TorchScript; we support it
                warnings.simplefilter("ignore", DeprecationWarning)
                module = torch.jit.load(str(self.path), map_location="cpu")
        except Exception as error:
            raise self._error(
                f"is not a loadable TorchScript model ({_first_line(error)})"
            ) from error
        self._loaded_module = module.eval()

    def _run(self, batch: np.ndarray) -> np.ndarray:
        import torch

        try:
            with torch.inference_mode():
                out = self._loaded_module(torch.from_numpy(batch))
        except Exception as error:
            raise self._error(
                f"failed on a batch of shape {tuple(batch.shape)} ({_first_line(error)}); check the "
                "size, channels and batch options"
            ) from error
        if isinstance(out, tuple | list) and out and isinstance(out[0], torch.Tensor):
            out = out[0]
        if not isinstance(out, torch.Tensor):
            raise self._error(
                f"returned a {type(out).__name__}, not a tensor (or a tuple starting with one)"
            )
        return out.detach().float().numpy()


@register
class OnnxExtractor(UserModelExtractor):
    """``onnx:PATH[?options]``: an ONNX model, run by onnxruntime on the CPU."""

    kind = "onnx"
    syntax = "onnx:PATH[?OPTIONS]"
    format_name = "ONNX"
    allow_output = True

    def __init__(self, *args: Any, threads: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threads = threads

    def prepare(self) -> None:
        if getattr(self, "_loaded_session", None) is not None:
            return
        import onnxruntime as ort

        settings = ort.SessionOptions()
        settings.intra_op_num_threads = self.threads or usable_cores()
        settings.inter_op_num_threads = 1
        settings.log_severity_level = 3
        # Threads that spin while waiting for each other cost a loaded machine dearly.
        settings.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(
                str(self.path), settings, providers=["CPUExecutionProvider"]
            )
        except Exception as error:
            raise self._error(f"is not a loadable ONNX model ({_first_line(error)})") from error
        self._check_io(session)
        self._loaded_session = session

    def _check_io(self, session: Any) -> None:
        inputs = session.get_inputs()
        if len(inputs) != 1:
            names = ", ".join(i.name for i in inputs)
            raise self._error(
                f"has {len(inputs)} inputs ({names}); synthscope feeds one image batch"
            )
        shape = list(inputs[0].shape)
        if len(shape) != 4:
            raise self._error(
                f"expects an input of rank {len(shape)} ({shape}); synthscope feeds (N, C, H, W)"
            )
        o = self.options
        n, c, h, w = (d if isinstance(d, int) else None for d in shape)
        if n is not None and n != o.batch:
            raise self._error(
                f"was exported with a fixed batch size of {n} and the spec asks for batch {o.batch}: "
                f"add ?batch={n} to the spec, or export with a dynamic batch axis"
            )
        if c is not None and c != o.channels:
            raise self._error(
                f"expects {c} input channels, the spec gives {o.channels}: add ?channels={c}"
            )
        if (h is not None and h != o.size) or (w is not None and w != o.size):
            raise self._error(
                f"expects {h}x{w} inputs, the spec gives {o.size}x{o.size}: add ?size={h or w}"
            )
        outputs = [output.name for output in session.get_outputs()]
        if o.output is not None and o.output not in outputs:
            raise self._error(f"has no output {o.output!r}; its outputs are {', '.join(outputs)}")
        self._loaded_io = (inputs[0].name, o.output or outputs[0], inputs[0].type)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        name, output, kind = self._loaded_io
        if kind == "tensor(float16)":
            batch = batch.astype(np.float16)
        elif kind == "tensor(double)":
            batch = batch.astype(np.float64)
        try:
            (out,) = self._loaded_session.run([output], {name: batch})
        except Exception as error:
            raise self._error(
                f"failed on a batch of shape {tuple(batch.shape)} ({_first_line(error)}); check the "
                "size, channels and batch options"
            ) from error
        return np.asarray(out, dtype=np.float32)
