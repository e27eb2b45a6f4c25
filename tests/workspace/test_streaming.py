"""Vectors that need not fit in memory: rows streamed to disk as batches come, read in blocks."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from PIL import Image

from synthscope.features import PixelsExtractor
from synthscope.io import atlas_tile
from synthscope.workspace import Workspace, embed, ingest
from synthscope.workspace._ingest import _WRITE_CHUNK
from synthscope.workspace._npy import NpyRowWriter, iter_row_blocks, npy_rows
from synthscope.workspace._vectors import array_digest
from tests.helpers import write_images


def test_rows_streamed_into_an_npy_file_are_what_numpy_reads_and_hashed_as_written(tmp_path):
    rows = np.random.default_rng(0).random((12345, 7), dtype=np.float32)
    with npy_rows(tmp_path / "a.npy", None) as writer:
        for start in range(0, len(rows), 1000):  # the header grows from 0 to 5 digits of rows
            writer.append(rows[start : start + 1000])
    assert writer.sha1 == array_digest(rows)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), rows)
    blocks = list(iter_row_blocks(tmp_path / "a.npy", 12000, block_bytes=7 * 4 * 5000))
    assert [len(b) for b in blocks] == [5000, 5000, 2000]
    np.testing.assert_array_equal(np.concatenate(blocks), rows[:12000])
    # a failure, or a count other than the one expected, leaves nothing behind
    with (
        pytest.raises(ValueError, match="3 rows written, 4 expected"),
        npy_rows(tmp_path / "b.npy", (7,), expected_rows=4) as writer,
    ):
        writer.append(rows[:3])
    with pytest.raises(RuntimeError), npy_rows(tmp_path / "c.npy", (7,)) as writer:
        writer.append(rows[:3])
        raise RuntimeError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npy"]


def test_a_growing_file_is_flushed_in_the_background_and_every_flush_ends_before_it_closes(
    tmp_path, monkeypatch
):
    """Write-behind: a flush starts each time 8 MB more were written, in a thread of its own,
    and none is left running (or can touch the descriptor) once the writer's block ends."""
    flushed: list[tuple[int, int, str]] = []  # (descriptor, bytes on disk, thread)
    fsync = os.fsync

    def recording(fd: int) -> None:
        thread = threading.current_thread().name
        if thread == "write-behind":
            time.sleep(0.2)  # a slow disk: the block's end must still wait for it
        flushed.append((fd, os.fstat(fd).st_size, thread))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recording)
    block = np.ones((1 << 20, 1), dtype=np.float32)  # 4 MB a block
    with npy_rows(tmp_path / "big.npy", (1,)) as writer:
        for index in range(6):
            writer.append(block)
            if (
                index < 5
            ):  # so that each 8 MB crossed starts one; the block's end waits for the last
                writer._behind.wait()
    behind = [size for _, size, thread in flushed if thread == "write-behind"]
    assert len(behind) == 3 and behind == sorted(behind) and behind[0] >= 8 << 20
    assert not [t for t in threading.enumerate() if t.name == "write-behind"]
    # the last flush is the one that makes the whole file durable, on the writer's thread
    assert flushed[-1][1] == (tmp_path / "big.npy").stat().st_size
    assert flushed[-1][2] == threading.current_thread().name
    np.testing.assert_array_equal(np.load(tmp_path / "big.npy"), np.ones((6 << 20, 1)))


@pytest.fixture
def blocks_written(monkeypatch) -> list[int]:
    """The number of rows of every block any row writer takes."""
    sizes: list[int] = []
    append = NpyRowWriter.append

    def recording(self, rows):
        sizes.append(len(rows))
        return append(self, rows)

    monkeypatch.setattr(NpyRowWriter, "append", recording)
    return sizes


def test_ingest_and_embed_write_a_batch_at_a_time_never_the_whole_feature(tmp_path, blocks_written):
    write_images(tmp_path / "in", 60)
    ingest(tmp_path / "ws", [tmp_path / "in"])
    # pixels and thumbs, a few files at a time: 60 files in blocks of at most 16
    assert sum(blocks_written) == 120 and max(blocks_written) == _WRITE_CHUNK == 16
    assert len(blocks_written) == 2 * 4
    blocks_written.clear()
    extractor = PixelsExtractor(16)
    extractor.batch_size = 7
    with Workspace.open(tmp_path / "ws") as ws:
        embed(ws, extractor)
        assert max(blocks_written) == 7
        np.testing.assert_array_equal(
            ws.vectors("pixels16")[3], extractor.transform([ws.read_image(3)])[0]
        )
        for name in ("pixels64", "pixels16"):  # the digest made while writing is the file's
            assert ws.feature_info(name)["vectors_sha1"] == array_digest(ws.vectors(name))


class Failing(PixelsExtractor):
    """pixels:16 that fails on its second batch."""

    def transform(self, images, label_maps=None):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 2:
            raise RuntimeError("second batch")
        return super().transform(images, label_maps)


def test_a_failed_embed_leaves_the_stored_feature_and_no_temporary_file(tmp_path):
    write_images(tmp_path / "in", 12)
    ingest(tmp_path / "ws", [tmp_path / "in"])
    with Workspace.open(tmp_path / "ws") as ws:
        embed(ws, "pixels:16")
        before = ws.vectors_file("pixels16").read_bytes()
        failing = Failing(16)
        failing.batch_size = 5
        with pytest.raises(RuntimeError, match="second batch"):
            embed(ws, failing, force=True)
        assert ws.vectors_file("pixels16").read_bytes() == before
        assert ws.feature_info("pixels16") is not None
    leftovers = [p.name for p in (tmp_path / "ws").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_appending_keeps_the_old_rows_and_rewrites_the_last_tile(tmp_path, monkeypatch):
    from synthscope.workspace import _thumbs

    monkeypatch.setattr(_thumbs, "THUMBS_PER_ROW", 2)
    monkeypatch.setattr(_thumbs, "THUMBS_PER_TILE", 4)
    write_images(tmp_path / "a", 5, seed=1)
    write_images(tmp_path / "b", 6, seed=2)
    ingest(tmp_path / "ws", [tmp_path / "a"])
    with Workspace.open(tmp_path / "ws") as ws:
        first = np.array(ws.vectors("pixels64"))
    ingest(tmp_path / "ws", [tmp_path / "b"])
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.n_points == 11
        np.testing.assert_array_equal(ws.vectors("pixels64")[:5], first)
        assert ws.feature_info("pixels64")["vectors_sha1"] == array_digest(ws.vectors("pixels64"))
        thumbs = np.array(ws.thumbnails())
        for tile in range(3):  # tile 1 held point 4 and now points 4..7; tile 2 is new
            drawn = np.asarray(Image.open(ws.thumbnail_tile(tile)))
            np.testing.assert_array_equal(drawn, atlas_tile(thumbs, tile, 2))
