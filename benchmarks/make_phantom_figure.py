"""Make ``docs/images/phantom_grid.png``: phantom frames beside their label maps, from a real run.

    python benchmarks/make_phantom_figure.py [--out docs/images/phantom_grid.png] [--seed 4]

Runs ``write_phantom`` into a temporary folder (6 pullbacks at 500 x 500), reads the first frame of
each pullback back from disk, and lays each B-mode frame beside its colour-coded label map, with a
legend. Pillow and numpy only.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synthscope.phantom import write_phantom

# Label value -> RGB: outside, lumen, plaque, perivascular, calcium.
PALETTE = np.array(
    [[0, 0, 0], [178, 34, 34], [240, 180, 40], [70, 110, 160], [250, 250, 250]], dtype=np.uint8
)
NAMES = ["lumen (incl. catheter)", "plaque", "perivascular", "calcium"]
TILE, GAP, COLUMNS = 240, 8, 3


def tile(path: Path, colour: bool) -> Image.Image:
    array = np.asarray(Image.open(path))
    image = Image.fromarray(PALETTE[array]) if colour else Image.open(path).convert("RGB")
    resample = Image.Resampling.NEAREST if colour else Image.Resampling.LANCZOS
    return image.resize((TILE, TILE), resample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images/phantom_grid.png"))
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "phantom"
        write_phantom(root, n=12, size=500, seed=args.seed, pullbacks=6)
        with open(root / "frames.tsv", newline="") as handle:
            rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["frame"] == "0"]
        pairs = [
            (
                tile(root / "images" / f"{r['stem']}.png", False),
                tile(root / "labels" / f"{r['stem']}.png", True),
            )
            for r in rows
        ]
    rows_n = -(-len(pairs) // COLUMNS)
    pair_w = 2 * TILE + GAP
    legend_h = 28
    width = COLUMNS * pair_w + (COLUMNS + 1) * 3 * GAP - 2 * GAP
    height = rows_n * (TILE + GAP) + GAP + legend_h
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    for index, (frame, labels) in enumerate(pairs):
        x = 2 * GAP + (index % COLUMNS) * (pair_w + 3 * GAP)
        y = GAP + (index // COLUMNS) * (TILE + GAP)
        canvas.paste(frame, (x, y))
        canvas.paste(labels, (x + TILE + GAP, y))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    x, y = 2 * GAP, height - legend_h + 6
    for value, name in enumerate(NAMES, start=1):
        draw.rectangle(
            [x, y, x + 14, y + 14], fill=tuple(int(c) for c in PALETTE[value]), outline=(0, 0, 0)
        )
        draw.text((x + 20, y + 1), name, fill=(0, 0, 0), font=font)
        x += 30 + int(draw.textlength(name, font=font)) + 20
    args.out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(args.out, optimize=True)
    print(f"wrote {args.out} ({canvas.width}x{canvas.height}) from {len(pairs)} frames")


if __name__ == "__main__":
    main()
