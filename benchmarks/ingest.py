"""Ingest speed against the fastest decode-only loop Pillow allows, in one process on the same files.

    python benchmarks/ingest.py [--n 3600] [--size 500] [--repeats 3]

Makes N grayscale PNG frames (the IVUS phantom's when available, else speckle-like noise with
smooth structure), then times (a) decoding every file with Pillow on all cores, threads, nothing
else, and (b) ``synthscope.workspace.ingest`` to a new workspace (decode, pixels64, thumbnails,
atlas tiles, database). Target: (b) <= 1.3 x (a). Between the two, the same threads doing only
what ingest's decoding threads do with each file, with nothing written: decode and SHA-1, then
also the thumbnail and pixels64; the rest of (b) is the driver's. Ingest decodes these PNGs
with synthscope's own decoder (see ``png_decode.py``), so the same decode-only loop with it is
timed too: (b) against that one is what everything beyond decoding costs. Results:
``benchmarks/results/ingest.json``.
For ingest on a Dask cluster see ``cluster.py``; for its memory, ``memory.py``.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope.io import ImageEntry, read_image_file
from synthscope.io._png import decode_grey_png
from synthscope.workspace import ingest
from synthscope.workspace._ingest import IMAGE_BLOCKS_KEPT, _decode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import machine, write_result

DISTINCT_NOISE_FRAMES = 1000


def make_frames(folder: Path, n: int, size: int, seed: int = 0, phantom: bool = True) -> list[Path]:
    """The phantom's frames, or (``phantom=False``) speckle-like noise with smooth rings in a disc.

    The noise frames are quick to make at any ``n``: ``DISTINCT_NOISE_FRAMES`` images are encoded
    once, and file ``i`` holds image ``i mod 1000`` with a PNG text chunk naming ``i``, so every
    file's bytes (and SHA-1) differ while decoding costs what a distinct frame would.
    """
    try:
        from synthscope.phantom import write_phantom
    except ImportError:
        write_phantom = None
    if phantom and write_phantom is not None:
        write_phantom(folder, n=n, size=size, seed=seed, pullbacks=max(1, n // 100))
        return sorted((folder / "images").glob("*.png"))
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    radius = np.hypot(yy - size / 2, xx - size / 2)
    encoded = []
    for index in range(min(n, DISTINCT_NOISE_FRAMES)):
        speckle = rng.rayleigh(1.0, (size, size))
        rings = 0.5 + 0.5 * np.cos(radius / (8 + index % 5))
        image = np.clip(60 * speckle * rings, 0, 255).astype(np.uint8)
        image[radius > size / 2] = 0
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        encoded.append(buffer.getvalue())
    paths = []
    for index in range(n):
        path = folder / f"frame{index:06d}.png"
        path.write_bytes(_with_text_chunk(encoded[index % len(encoded)], f"frame {index}"))
        paths.append(path)
    return paths


def _with_text_chunk(png: bytes, text: str) -> bytes:
    """``png`` with a tEXt chunk (keyword ``Comment``) right after its header chunk."""
    data = b"Comment\0" + text.encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    header_end = 8 + 4 + 4 + 13 + 4  # signature, then IHDR: length, type, 13 bytes, CRC
    return png[:header_end] + chunk + png[header_end:]


def decode_only(paths: list[Path], blocks_kept: int = 0) -> float:
    """Pillow's decode of every file on all cores; ``blocks_kept``: freed image blocks Pillow
    keeps for reuse (0, its default, or what ingest keeps: ``IMAGE_BLOCKS_KEPT``)."""

    def load(path: Path) -> None:
        with Image.open(path) as image:
            image.load()

    return threaded(load, paths, blocks_kept)


def decode_only_synthscope(paths: list[Path]) -> float:
    """The same loop with the decoder ingest uses for these files (8-bit greyscale PNGs)."""

    def load(path: Path) -> None:
        if decode_grey_png(path.read_bytes()) is None:
            raise SystemExit(f"{path}: not a plain 8-bit greyscale PNG")

    return threaded(load, paths, 0)  # Pillow's blocks: this loop makes no Pillow image


def per_file(paths: list[Path], work: str) -> float:
    """What ingest's decoding threads do with each file, and nothing after (no driver):
    ``"read"`` decodes it and hashes its bytes (:func:`synthscope.io.read_image_file`);
    ``"products"`` adds what ingest keeps of it, the 64 px thumbnail and pixels64."""

    def function(path: Path) -> None:  # nothing kept: each image is freed as ingest frees it
        if work == "read":
            read_image_file(path)
        else:
            _decode(ImageEntry(path, "real"))

    return threaded(function, paths, IMAGE_BLOCKS_KEPT)


def threaded(function, paths: list[Path], blocks_kept: int) -> float:
    before = Image.core.get_blocks_max()
    Image.core.set_blocks_max(blocks_kept)
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            list(pool.map(function, paths, chunksize=1))
        return time.perf_counter() - start
    finally:
        Image.core.set_blocks_max(before)


def ingest_once(folder: Path, workspace: Path) -> float:
    shutil.rmtree(workspace, ignore_errors=True)
    start = time.perf_counter()
    ingest(workspace, [folder])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3600)
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--frames", type=Path, help="a phantom folder made by an earlier run")
    args = parser.parse_args()
    started_machine = machine()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "frames"
        started = time.perf_counter()
        if args.frames is not None:
            folder, paths = args.frames, sorted((args.frames / "images").glob("*.png"))
        else:
            paths = make_frames(folder, args.n, args.size)
        print(
            f"made {len(paths)} {args.size}x{args.size} PNGs in {time.perf_counter() - started:.1f} s"
        )
        decode_only(paths)  # warm the page cache so both sides read from memory
        # Pillow's decode as it comes, and with the freed-block reuse ingest turns on: the
        # ratio is taken against the faster of the two, the fastest decode-only loop.
        # Between the two, ingest's threads alone: where its time goes before the driver writes.
        default, kept, ours, read, products, full = [], [], [], [], [], []
        for _ in range(args.repeats):  # interleaved, so drift in machine load hits all alike
            default.append(decode_only(paths))
            kept.append(decode_only(paths, IMAGE_BLOCKS_KEPT))
            ours.append(decode_only_synthscope(paths))
            read.append(per_file(paths, "read"))
            products.append(per_file(paths, "products"))
            full.append(ingest_once(folder, Path(tmp) / "ws"))
        decode = default if min(default) < min(kept) else kept
        best_decode, best_ingest = min(decode), min(full)
        print(f"{'':32}{'best s':>10}{'images/s':>12}{'ratio':>9}")
        for label, times in (
            ("decode only (Pillow)", default),
            ("... reusing blocks", kept),
            ("decode only (synthscope's)", ours),
            ("+ SHA-1 (ingest's threads)", read),
            ("+ thumbnail, pixels64", products),
            ("synthscope ingest", full),
        ):
            print(
                f"{label:32}{min(times):10.2f}{len(paths) / min(times):12.0f}"
                f"{min(times) / best_decode:8.2f}x"
            )
        print(
            f"ratio ingest / Pillow's decode-only: {best_ingest / best_decode:.2f} (target <= 1.30)"
        )
        print(f"ratio ingest / synthscope's decode-only: {best_ingest / min(ours):.2f}")
        with Image.open(paths[0]) as first:  # before the temporary folder goes
            size = first.size[0]
    path = write_result(
        "ingest",
        {
            "frames": len(paths),
            "size": size,
            "repeats": args.repeats,
            "decode_only_s": [round(x, 3) for x in decode],
            "decode_only_default_s": [round(x, 3) for x in default],
            "decode_only_reusing_blocks_s": [round(x, 3) for x in kept],
            "image_blocks_kept": IMAGE_BLOCKS_KEPT,
            "decode_only_synthscope_s": [round(x, 3) for x in ours],
            "read_and_hash_s": [round(x, 3) for x in read],
            "per_file_products_s": [round(x, 3) for x in products],
            "ingest_s": [round(x, 3) for x in full],
            "ratio": round(best_ingest / best_decode, 3),
            # ingest's threads alone, before any writing: the part of the ratio per file
            "read_and_hash_ratio": round(min(read) / best_decode, 3),
            "per_file_products_ratio": round(min(products) / best_decode, 3),
            # everything beyond decoding, against the decoder ingest uses
            "ratio_to_synthscope_decode": round(best_ingest / min(ours), 3),
            "target": "<= 1.3",
        },
        started=started_machine,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
