"""Ingest and import take odd inputs right or refuse them clearly (issue 16, parts 3 and 4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from synthscope.errors import ImageReadError, InputError
from synthscope.workspace import (
    Workspace,
    frame_key,
    import_projector_files,
    ingest,
    split_frame,
)
from tests.helpers import write_dicom, write_images
from tests.io.test_images import png_claiming


def test_a_bomb_stops_the_ingest_in_one_line_or_is_skipped(tmp_path):
    folder = tmp_path / "real"
    write_images(folder, 3)
    png_claiming(folder / "bomb.png", 20000, 20000)
    with pytest.raises(ImageReadError, match=r"bomb\.png: is .*pixels, over the limit"):
        ingest(tmp_path / "ws", [folder], workers=1)
    assert not (tmp_path / "ws").exists()
    report = ingest(tmp_path / "ws", [folder], on_error="skip", workers=1)
    assert report.added == 3 and [Path(s.path).name for s in report.skipped] == ["bomb.png"]


def test_max_pixels_lets_large_images_in_and_the_workspace_remembers(tmp_path):
    folder = tmp_path / "real"
    folder.mkdir()
    Image.new("L", (300, 200), 9).save(folder / "big.png")
    with pytest.raises(ImageReadError, match="60,000 pixels, over the limit of 50,000"):
        ingest(tmp_path / "ws", [folder], max_pixels=50_000, workers=1)
    ingest(tmp_path / "ws", [folder], max_pixels=60_000, workers=1)
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.read_image(0).shape == (200, 300)


def test_a_byte_order_mark_does_not_shift_the_sidecar_columns(tmp_path):
    folder = tmp_path / "real"
    write_images(folder, 2)
    table = "stem\tpullback\tburden\nimg000\tA\t0.5\nimg001\tB\t0.7\n"
    (folder / "frames.tsv").write_text(table, encoding="utf-8-sig")
    ingest(tmp_path / "ws", [folder], workers=1)
    with Workspace.open(tmp_path / "ws") as ws:
        assert list(ws.column("group")) == ["A", "B"]
        assert list(ws.column("burden")) == [0.5, 0.7]


def test_file_names_that_look_like_frames_stay_apart(tmp_path):
    # Extensionless DICOM files are found by their preamble: 'scan' has three frames
    # (scan#0, scan#1, scan#2), and another file is literally named 'scan#1'.
    folder = tmp_path / "real"
    folder.mkdir()
    write_dicom(folder / "scan", np.stack([np.full((6, 6), 100 * k, np.uint16) for k in (1, 2, 3)]))
    write_dicom(folder / "scan#1", np.arange(36, dtype=np.uint16).reshape(6, 6))
    write_dicom(folder / "x#", np.arange(36, dtype=np.uint16).reshape(6, 6)[::-1, ::-1])
    write_images(folder, 1)
    first = ingest(tmp_path / "ws", [folder], workers=1)
    again = ingest(tmp_path / "ws", [folder], workers=1)  # an IntegrityError before
    assert first.added == 6 and again.added == 0 and again.already_present == 4
    with Workspace.open(tmp_path / "ws") as ws:
        paths = [Path(p).name for p in ws.column("path")]
        assert paths == ["img000.png", "scan#0", "scan#1", "scan#2", "scan#1#", "x##"]
        assert int(ws.read_image(4)[0, 0]) == 0 and int(ws.read_image(4)[-1, -1]) == 255
        assert int(ws.read_image(5)[0, 0]) == 255


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab#0123456789/._ é", min_size=1, max_size=12),
    st.none() | st.integers(0, 10**6),
)
def test_frame_keys_round_trip(name, frame):
    file = Path("/data") / name.strip("/").replace("//", "/") if name.strip("/") else Path("/x")
    assert split_frame(frame_key(file, frame)) == (file, frame)


def test_the_workspace_inside_an_ingested_folder_is_never_ingested(tmp_path):
    folder = tmp_path / "real"
    write_images(folder / "pb1", 3)
    ws = folder / "ws"
    ingest(ws, [folder], workers=1)
    write_images(folder / "pb2", 2, seed=4)
    report = ingest(ws, [folder], workers=1)
    assert (report.added, report.n_points) == (2, 5)
    with Workspace.open(ws) as opened:
        assert not any("/ws/" in p for p in opened.column("path"))


def test_the_same_file_as_real_and_fake_is_refused_naming_it(tmp_path):
    folder = tmp_path / "images"
    write_images(folder / "sub", 2)
    with pytest.raises(InputError, match=r"img000\.png: is given as real .* and as generated"):
        ingest(tmp_path / "ws", [folder], [folder], workers=1)
    with pytest.raises(InputError, match=r"sub/img000\.png: is given as real"):
        ingest(tmp_path / "ws", [folder], [folder / "sub"], workers=1)
    assert not (tmp_path / "ws").exists()
    ingest(tmp_path / "ws", [folder], workers=1)
    with pytest.raises(InputError, match=r"img000\.png: is already in .* as real"):
        ingest(tmp_path / "ws", [], [folder / "sub"], workers=1)
    ingest(tmp_path / "ws", [folder, folder / "sub"], workers=1)  # twice as real: fine


def test_files_with_the_same_bytes_are_reported(tmp_path):
    real, fake = tmp_path / "real", tmp_path / "fake"
    (original,) = write_images(real, 1)
    fake.mkdir()
    shutil.copy(original, fake / "copy.png")
    write_images(fake / "other", 2, seed=8)
    report = ingest(tmp_path / "ws", [real], [fake], workers=1)
    assert report.duplicates == [(str(fake / "copy.png"), str(original))]
    shutil.copy(original, fake / "later.png")
    assert ingest(tmp_path / "ws", [real], [fake], workers=1).duplicates == [
        (str(fake / "later.png"), str(original))
    ]


def test_import_takes_relative_paths_from_the_bundle_and_lists_the_missing(tmp_path, monkeypatch):
    bundle = tmp_path / "bundle"
    (image,) = write_images(bundle / "imgs", 1)
    np.savetxt(bundle / "tensors.tsv", np.eye(3), delimiter="\t")
    (bundle / "metadata.tsv").write_text(
        "label\tpath\nreal\timgs/img000.png\nfake\tnowhere.png\nfake\t../outside.png\n"
    )
    Image.new("L", (4, 4), 1).save(tmp_path / "outside.png")
    monkeypatch.chdir(tmp_path / "bundle" / "imgs")  # not where the paths are relative to
    report = import_projector_files(
        bundle / "tensors.tsv", bundle / "metadata.tsv", tmp_path / "ws"
    )
    assert report.images == 2 and report.missing == [str(bundle / "nowhere.png")]
    with Workspace.open(report.workspace) as ws:
        assert list(ws.column("path")) == [
            str(image),
            str(bundle / "nowhere.png"),
            str(tmp_path / "outside.png"),
        ]
        assert ws.read_image(0).shape == (40, 48)
        assert ws.thumbnails()[0].any()


def test_a_workspace_from_before_files_were_recorded_still_shows_its_images(tmp_path):
    real = tmp_path / "real"
    write_images(real, 2)
    ingest(tmp_path / "ws", [real], workers=1)
    with Workspace.open(tmp_path / "ws") as ws:
        ws._connection.execute("DROP TABLE files")  # as an older synthscope left it
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.read_image(1).shape == (40, 48)
        assert ws.is_recorded(real / "img001.png")


def test_when_every_new_file_is_skipped_nothing_changes(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("b.png", "a.png"):
        (broken / name).write_bytes(b"not an image")
    with pytest.raises(InputError, match=r"broken: no image could be read \(all were skipped\)"):
        ingest(tmp_path / "ws", [broken], on_error="skip", workers=1)
    assert not (tmp_path / "ws").exists()
    real = tmp_path / "real"
    write_images(real, 2)
    ingest(tmp_path / "ws", [real], workers=1)
    report = ingest(tmp_path / "ws", [real], [broken], on_error="skip", workers=1)
    assert (report.added, report.already_present, report.n_points) == (0, 2, 2)
    assert [Path(item.path).name for item in report.skipped] == ["a.png", "b.png"]
