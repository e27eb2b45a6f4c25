"""Extractor speed: images per second of every built-in feature space on phantom frames.

    python benchmarks/extractors_speed.py [--quick] [--n 256] [--repeats 3]

Times ``pixels`` (64) and ``texture`` on 500 x 500 frames, ``random-cnn`` (K = 4 and 8) on
128 x 128 frames, and a tiny ONNX model (exported here: three 3 x 3 convolutions at 128 x 128) on
128 x 128 frames, each after one warm-up call, in one process, one after another. For each: the
best wall-clock images/s of the repeats and the CPU time per image of that repeat (all threads of
the process; what other load on the machine cannot inflate much, unlike wall time). Targets
(issue 12): texture >= 100 images/s at 500 x 500 and random-cnn >= 100 images/s at 128 x 128 on
2 cores. The machine is shared: the load average before and after is written beside the figures.

Writes ``benchmarks/results/extractors_speed.json`` (machine, cores, load, date, versions, rows).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from synthscope.features import (
    OnnxExtractor,
    PixelsExtractor,
    RandomCNNExtractor,
    TextureExtractor,
)
from synthscope.features._threads import usable_cores
from synthscope.phantom import simulate

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "extractors_speed.json"


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best wall seconds over ``repeats`` and the CPU seconds of that repeat."""
    run()  # warm-up: compiles kernels, loads models, fills caches
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), cpu_seconds()
        run()
        best = min(best, (time.perf_counter() - wall, cpu_seconds() - cpu))
    return best


def tiny_onnx(folder: Path) -> Path:
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    ).eval()
    path = folder / "tiny.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.rand(2, 3, 128, 128),),
            str(path),
            dynamo=False,
            input_names=["images"],
            output_names=["features"],
            dynamic_axes={"images": {0: "batch"}, "features": {0: "batch"}},
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="64 frames, one repeat")
    parser.add_argument("--n", type=int, default=256, help="frames per extractor")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    n = 64 if args.quick else args.n
    repeats = 1 if args.quick else args.repeats
    cores = usable_cores()
    load_before = os.getloadavg()
    started = time.perf_counter()

    frames500 = list(simulate(min(n, 64), size=500, seed=0, pullbacks=4, workers=1).images)
    frames128 = list(simulate(min(n, 64), size=128, seed=0, pullbacks=4, workers=1).images)
    big = (frames500 * (n // len(frames500) + 1))[:n]
    small = (frames128 * (n // len(frames128) + 1))[:n]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("pixels", "pixels:64", PixelsExtractor(64), big, 500),
            ("texture", "texture", TextureExtractor(), big, 500),
            ("texture (1 thread)", "texture", TextureExtractor(threads=1), big, 500),
            ("random-cnn", "random-cnn", RandomCNNExtractor(4), small, 128),
            ("random-cnn8", "random-cnn:8", RandomCNNExtractor(8), small, 128),
            ("random-cnn (1 thread)", "random-cnn", RandomCNNExtractor(4, threads=1), small, 128),
        ]
        onnx = OnnxExtractor.from_arg(f"{tiny_onnx(Path(tmp))}?size=128&batch=64")
        cases.append(
            ("onnx tiny (3 conv, 128 px)", "onnx:tiny.onnx?size=128&batch=64", onnx, small, 128)
        )
        for label, spec, extractor, images, size in cases:
            batch = getattr(extractor, "batch_size", 64)

            def run(extractor=extractor, images=images, batch=batch) -> None:
                for start in range(0, len(images), batch):
                    extractor.transform(images[start : start + batch])

            load = os.getloadavg()[0]
            wall, cpu = timed(run, repeats)
            row = {
                "extractor": label,
                "spec": spec,
                "image_size": size,
                "images": len(images),
                "batch": batch,
                "images_per_s": round(len(images) / wall, 1),
                "cpu_ms_per_image": round(1000 * cpu / len(images), 2),
                "load_1min_at_start": round(load, 2),
            }
            rows.append(row)
            print(
                f"{label:28s} {size:4d} px  {row['images_per_s']:8.1f} images/s  "
                f"{row['cpu_ms_per_image']:6.2f} CPU ms/image  (load {load:.2f})",
                flush=True,
            )

    import numba
    import onnxruntime
    import torch

    result = {
        "benchmark": "extractors_speed",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "cores": cores,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "seconds": round(time.perf_counter() - started, 1),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "numba": numba.__version__,
            "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__,
        },
        "note": "images_per_s: best wall time of the repeats on a shared machine; "
        "cpu_ms_per_image: CPU time of all the process's threads in that repeat",
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".tmp")
    tmp_out.write_text(json.dumps(result, indent=2) + "\n")
    tmp_out.replace(args.out)
    print(f"load before {result['load_before']}, after {result['load_after']}; {cores} cores")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
