"""Determinism, seeding and the on-disk layout written by ``write_phantom``."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import InvalidParameterError
from synthscope.phantom import PhantomParams, _write, simulate, simulate_pullback, write_phantom


def test_same_seed_same_frames_other_seed_other_frames():
    a = simulate(3, size=96, seed=7, pullbacks=2, workers=1)
    b = simulate(3, size=96, seed=7, pullbacks=2, workers=1)
    c = simulate(3, size=96, seed=8, pullbacks=2, workers=1)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels)
    assert a.records == b.records
    assert not np.array_equal(a.images, c.images)
    assert not np.array_equal(a.labels, c.labels)


def test_a_pullback_does_not_depend_on_how_the_set_is_split():
    two = simulate(6, size=96, seed=3, pullbacks=2, workers=1)  # 3 frames each
    three = simulate(9, size=96, seed=3, pullbacks=3, workers=1)  # 3 frames each
    assert np.array_equal(two.images, three.images[:6])
    alone = simulate_pullback(2, size=96, seed=3, pullback=1, first_frame=1, workers=1)
    assert np.array_equal(alone.images, two.images[4:6])
    assert np.array_equal(alone.labels, two.labels[4:6])
    assert [r.stem for r in alone.records] == ["pb001_f0001", "pb001_f0002"]


def test_parallel_backends_give_the_serial_bytes():
    serial = simulate(8, size=64, seed=2, pullbacks=2, workers=1)
    from synthscope.phantom._simulate import _Job, _tasks, run_ordered

    for backend in ("threads", "fork"):
        job = _Job(PhantomParams(), 64, 2, range(2))
        images = [image for image, _, _ in run_ordered(job, _tasks(8, 2), 2, None, backend)]
        assert np.array_equal(np.stack(images), serial.images), backend


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, r"n must be >= 1 \(got 0\)"),
        ({"size": 16}, r"size must be in \[32, 4096\] \(got 16\)"),
        ({"n": 2, "pullbacks": 3}, r"pullbacks must be <= n, .*got 3 for 2 frames"),
        ({"seed": -1}, r"seed must be >= 0 \(got -1\)"),
        ({"workers": 0}, r"workers must be >= 1 \(got 0\)"),
    ],
)
def test_bad_counts_are_refused(kwargs, message):
    args = {"n": 2, "size": 64, "pullbacks": 1} | kwargs
    with pytest.raises(InvalidParameterError, match=message):
        simulate(**args)


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_write_phantom_layout_and_bytes(tmp_path):
    seen = []
    records = write_phantom(
        tmp_path / "a",
        n=5,
        size=64,
        seed=1,
        pullbacks=2,
        workers=1,
        progress=lambda done, total: seen.append((done, total)),
    )
    write_phantom(tmp_path / "b", n=5, size=64, seed=1, pullbacks=2, workers=1)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b
    stems = [r.stem for r in records]
    assert sorted(f for f in a if f.startswith("images/")) == [f"images/{s}.png" for s in stems]
    assert sorted(f for f in a if f.startswith("labels/")) == [f"labels/{s}.png" for s in stems]
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)

    with open(tmp_path / "a" / "frames.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    header = list(rows[0])
    assert header[0] == "stem" and "pullback" in header and "plaque_burden" in header
    assert [row["stem"] for row in rows] == stems
    assert [row["pullback"] for row in rows] == ["pb000"] * 3 + ["pb001"] * 2
    assert {row["calcium_present"] for row in rows} <= {"0", "1"}

    for stem in stems:
        image = Image.open(tmp_path / "a" / "images" / f"{stem}.png")
        labels = Image.open(tmp_path / "a" / "labels" / f"{stem}.png")
        assert image.mode == "L" and labels.mode == "L" and image.size == (64, 64)
        assert set(np.unique(np.asarray(labels))) <= {0, 1, 2, 3, 4}
    frames = simulate(5, size=64, seed=1, pullbacks=2, workers=1)
    assert np.array_equal(
        np.asarray(Image.open(tmp_path / "a" / "images" / f"{stems[3]}.png")), frames.images[3]
    )


def test_write_phantom_refuses_a_full_folder_unless_told(tmp_path):
    out = tmp_path / "set"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(InvalidParameterError, match="exists and is not empty"):
        write_phantom(out, n=2, size=64, workers=1)
    write_phantom(out, n=2, size=64, workers=1, overwrite=True)
    assert not (out / "keep.txt").exists() and (out / "frames.tsv").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    write_phantom(empty, n=1, size=64, workers=1)
    assert (empty / "frames.tsv").exists()


def test_an_interrupted_write_leaves_nothing_behind(tmp_path, monkeypatch):
    calls = []

    def failing(self, stem, image, labels):
        calls.append(stem)
        if len(calls) == 3:
            raise OSError("disk full")

    monkeypatch.setattr(_write._PngWriter, "__call__", failing)
    with pytest.raises(OSError, match="disk full"):
        write_phantom(tmp_path / "set", n=6, size=64, workers=1)
    assert list(tmp_path.iterdir()) == []
