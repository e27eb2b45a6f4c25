"""An ingest's driver keeps nothing per file in memory: what it holds does not grow with the files.

What it must remember of each file (the scan, the records, the SHA-1s, the keys) lives on disk
(issue 18, part 2). tracemalloc sees Python's allocations, where that grew by ~2 KB a file before.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope.io import iter_folder
from synthscope.workspace import Workspace, ingest

# Held at the end of the largest run beyond the smallest's: far below the ~2 KB a file that the
# scan's lists, the records and the SHA-1 map took (several MB here).
SLACK_BYTES = 300_000
# The interpreter's table of interned strings, which pathlib fills with every file name it
# parses, grows by itself; it is not the driver's.
NOT_OURS = [tracemalloc.Filter(False, "*/pathlib.py")]


def _folder(root: Path, n: int, *, images: bool) -> Path:
    """``n`` tiny distinct PNGs (empty files named .png when only scanned), in the phantom's
    layout, with a sidecar row and a label map for each."""
    rng = np.random.default_rng(n)
    for sub in ("images", "labels"):
        (root / sub).mkdir(parents=True)
    rows = ["stem\tpullback\tframe\tarea"]
    for index in range(n):
        name = f"pb{index // 100:03d}_f{index:05d}"
        for sub in ("images", "labels"):
            path = root / sub / f"{name}.png"
            if images:
                Image.fromarray(rng.integers(0, 256, (8, 8), dtype=np.uint8)).save(path)
            else:
                path.touch()
        rows.append(f"{name}\tpb{index // 100:03d}\t{index % 100}\t{rng.random():.4f}")
    (root / "frames.tsv").write_text("\n".join(rows) + "\n")
    return root


def _held(run: Callable[[Callable[[], None]], None]) -> int:
    """Bytes allocated and still held when ``run`` calls the ``mark`` it is given (once, late)."""
    marked: list[tracemalloc.Snapshot] = []
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot().filter_traces(NOT_OURS)
        run(lambda: marked.append(tracemalloc.take_snapshot().filter_traces(NOT_OURS)))
    finally:
        tracemalloc.stop()
    (at_mark,) = marked
    return sum(stat.size_diff for stat in at_mark.compare_to(before, "filename"))


def test_scanning_a_folder_holds_none_of_it(tmp_path):
    small = _folder(tmp_path / "small", 300, images=False)
    large = _folder(tmp_path / "large", 6000, images=False)

    def scan(folder: Path, mark: Callable[[], None]) -> None:
        for count, _ in enumerate(iter_folder(folder, "real"), start=1):
            if count == (300 if folder is small else 6000):
                mark()  # at the last entry, each one dropped as the next came

    scan(small, lambda: None)  # imports and caches first
    held_small = _held(lambda mark: scan(small, mark))
    held_large = _held(lambda mark: scan(large, mark))
    assert held_large < held_small + SLACK_BYTES, (held_small, held_large)


def test_ingest_holds_nothing_per_file(tmp_path):
    small = _folder(tmp_path / "small", 200, images=True)
    large = _folder(tmp_path / "large", 3000, images=True)
    ingest(tmp_path / "warm", [small], workers=1)  # imports and caches first

    def run(folder: Path, mark: Callable[[], None]) -> None:
        def progress(done: int, total: int) -> None:
            if done == total:  # every file decoded and written, none committed yet
                mark()

        ingest(tmp_path / f"ws-{folder.name}", [folder], workers=1, progress=progress)

    held_small = _held(lambda mark: run(small, mark))
    held_large = _held(lambda mark: run(large, mark))
    assert held_large < held_small + SLACK_BYTES, (held_small, held_large)
    with Workspace.open(tmp_path / "ws-large") as ws:
        assert ws.n_points == 3000 and ws.column_kind("area") == "real"


def test_pillow_reuses_freed_image_blocks_during_an_ingest_and_not_after(tmp_path):
    from PIL import Image

    from synthscope.workspace._ingest import IMAGE_BLOCKS_KEPT

    folder = _folder(tmp_path / "in", 20, images=True)
    seen: list[int] = []
    before = Image.core.get_blocks_max()
    ingest(
        tmp_path / "ws",
        [folder],
        workers=1,
        progress=lambda done, total: seen.append(Image.core.get_blocks_max()),
    )
    assert max(seen) == IMAGE_BLOCKS_KEPT >= 4  # a thread's images reuse freed memory
    assert Image.core.get_blocks_max() == before  # and the process's Pillow is as it was
