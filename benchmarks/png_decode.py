"""Why synthscope decodes 8-bit greyscale PNGs itself: its decoder against Pillow's, same files.

    python benchmarks/png_decode.py [--n 1200] [--size 500] [--repeats 5]

Two sets of the same N phantom frames: as Pillow writes them (every row Sub-filtered, as the
phantom's and many tools' files are) and with each row's filter chosen as libpng and OpenCV
choose it (the PNG specification's heuristic: the least sum of absolute differences), which
brings in the costlier Average and Paeth filters. Each set is decoded from memory with Pillow
(``Image.open(...).load()``) and with :func:`synthscope.io._png.decode_grey_png`, on one thread
and on all cores, interleaved; every frame must come out identical. The decoder's reasons are in
its module. Results: ``benchmarks/results/png_decode.json``.
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope.io._atlas import _png_chunk
from synthscope.io._png import decode_grey_png
from synthscope.phantom import write_phantom

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import machine, write_result


def adaptive_png(pixels: np.ndarray, level: int = 6) -> bytes:
    """``pixels`` as a PNG whose rows each take the filter with the least sum of absolute
    residuals (as signed bytes), libpng's default choice."""
    image = pixels.astype(np.int16)
    up = np.vstack([np.zeros((1, image.shape[1]), np.int16), image[:-1]])
    left = np.hstack([np.zeros((image.shape[0], 1), np.int16), image[:, :-1]])
    upper_left = np.hstack([np.zeros((image.shape[0], 1), np.int16), up[:, :-1]])
    estimate = left + up - upper_left
    to_left, to_up, to_corner = (np.abs(estimate - v) for v in (left, up, upper_left))
    paeth = np.where(
        (to_left <= to_up) & (to_left <= to_corner),
        left,
        np.where(to_up <= to_corner, up, upper_left),
    )
    predictions = [np.zeros_like(image), left, up, (left + up) // 2, paeth]
    residuals = np.stack([(image - p) % 256 for p in predictions]).astype(np.uint8)
    cost = np.abs(residuals.astype(np.int8).astype(np.int32)).sum(axis=2)  # (5, rows)
    best = cost.argmin(axis=0)
    rows = residuals[best, np.arange(image.shape[0])]
    scanlines = np.hstack([best[:, None].astype(np.uint8), rows]).tobytes()
    height, width = pixels.shape

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(scanlines, level)),
            _png_chunk(b"IEND", b""),
        )
    )


def pillow_load(data: bytes) -> None:
    """What is timed of Pillow: the file opened from memory and decoded."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def pillow_decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)


def timed(function, datas: list[bytes], threads: int) -> float:
    start = time.perf_counter()
    if threads == 1:
        for data in datas:
            function(data)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(function, datas))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1200)
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    started = machine()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        write_phantom(Path(tmp), n=args.n, size=args.size, seed=0, pullbacks=max(1, args.n // 100))
        pillow_written = [p.read_bytes() for p in sorted(Path(tmp, "images").glob("*.png"))]
    sets = {
        "pillow_written": pillow_written,
        "adaptive_filters": [adaptive_png(pillow_decode(d)) for d in pillow_written],
    }
    Image.core.set_blocks_max(8)  # Pillow at its fastest: freed image memory kept for reuse
    results: dict[str, dict] = {}
    print(f"{'':34}{'Pillow s':>10}{'synthscope s':>14}{'speed-up':>10}")
    for name, datas in sets.items():
        for data in datas:  # identical pixels, or the figures mean nothing
            if not np.array_equal(decode_grey_png(data), pillow_decode(data)):
                raise SystemExit(f"{name}: a frame decodes differently from Pillow")
        entry: dict[str, object] = {
            "mean_file_bytes": round(float(np.mean([len(d) for d in datas])))
        }
        for threads in sorted({1, cores}):
            pillow, ours = [], []
            for _ in range(args.repeats):
                pillow.append(timed(pillow_load, datas, threads))
                ours.append(timed(decode_grey_png, datas, threads))
            label = f"{threads}_thread{'s' * (threads > 1)}"
            entry[label] = {
                "pillow_s": [round(x, 3) for x in pillow],
                "synthscope_s": [round(x, 3) for x in ours],
                "speedup": round(min(pillow) / min(ours), 2),
            }
            print(
                f"{name + ', ' + label.replace('_', ' '):34}{min(pillow):10.2f}{min(ours):14.2f}"
                f"{min(pillow) / min(ours):9.2f}x"
            )
        results[name] = entry
    path = write_result(
        "png_decode",
        {"frames": args.n, "size": args.size, "repeats": args.repeats, "cores": cores, **results},
        started=started,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
