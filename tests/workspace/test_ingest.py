from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import ImageReadError, InputError, WorkspaceError
from synthscope.workspace import THUMBS_PER_TILE, Workspace, ingest
from tests.helpers import write_dicom, write_images


def seed_vector(path: Path) -> np.ndarray:
    """The founding study's recipe, written out independently of synthscope."""
    image = Image.open(path).convert("L").resize((64, 64), Image.NEAREST)
    return (np.asarray(image).reshape(-1) / 255).astype(np.float32)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_ingest_makes_points_in_order_with_seed_pixels(tmp_path, image_folders):
    real, fake = image_folders(6, 5)
    report = ingest(tmp_path / "ws", [real], [fake])
    assert (report.added, report.n_points, report.created) == (11, 11, True)
    with Workspace.open(tmp_path / "ws") as ws:
        paths = list(ws.column("path"))
        assert paths[:3] == [str(real / "pb1" / f"img{i:03d}.png") for i in range(3)]
        assert list(ws.column("source")) == ["real"] * 6 + ["fake"] * 5
        assert list(ws.column("label")) == list(ws.column("source"))
        assert list(ws.column("group")) == ["pb1"] * 3 + ["pb2"] * 3 + [None] * 5
        vectors = ws.vectors("pixels64")
        assert vectors.dtype == np.float32 and vectors.shape == (11, 4096)
        for i, path in enumerate(paths):
            np.testing.assert_array_equal(vectors[i], seed_vector(Path(path)))
        thumbs = ws.thumbnails()
        assert thumbs.shape == (11, 64, 64) and thumbs.dtype == np.uint8
        tile = Image.open(ws.thumbnail_tile(0))
        assert tile.size == (2048, 2048)
        np.testing.assert_array_equal(np.asarray(tile)[:64, 64:128], thumbs[1])


def test_thumbnails_keep_aspect_ratio(tmp_path):
    folder = tmp_path / "wide"
    folder.mkdir()
    Image.fromarray(np.full((20, 80), 200, dtype=np.uint8)).save(folder / "a.png")
    ingest(tmp_path / "ws", [folder])
    with Workspace.open(tmp_path / "ws") as ws:
        thumb = ws.thumbnails()[0]
    assert thumb[0].max() == 0 and thumb[-1].max() == 0  # letterbox bands top and bottom
    assert thumb[32].min() == 200


def test_reingest_appends_only_new_files_and_marks_other_features_stale(tmp_path, image_folders):
    real, fake = image_folders(4, 4)
    ws_path = tmp_path / "ws"
    ingest(ws_path, [real], [fake])
    with Workspace.open(ws_path) as ws:
        ws.write_vectors("pixels8", np.zeros((8, 64), dtype=np.float32))
    report = ingest(ws_path, [real], [fake])
    assert (report.added, report.already_present) == (0, 8)
    write_images(fake / "more", 3, seed=9)
    report = ingest(ws_path, [real], [fake])
    assert (report.added, report.already_present, report.n_points) == (3, 8, 11)
    with Workspace.open(ws_path) as ws:
        assert ws.vectors("pixels64").shape == (11, 4096)
        assert list(ws.column("group"))[-3:] == ["more"] * 3
        with pytest.raises(WorkspaceError, match="covers 8 of 11 points"):
            ws.vectors("pixels8")


@pytest.mark.parametrize("suffix", [".jpg", ".tif", ".bmp"])
def test_other_formats(tmp_path, suffix):
    write_images(tmp_path / "in", 3, suffix=suffix)
    ingest(tmp_path / "ws", fake=[tmp_path / "in"])
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.n_points == 3
        expected = seed_vector(tmp_path / "in" / f"img000{suffix}")
        np.testing.assert_array_equal(ws.vectors("pixels64")[0], expected)


def test_colour_and_16_bit_images_become_8_bit_grayscale(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rgb = np.zeros((8, 8, 3), dtype=np.uint8)
    rgb[..., 0] = 255
    Image.fromarray(rgb, mode="RGB").save(folder / "a.png")
    Image.fromarray(np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).save(folder / "b.png")
    ingest(tmp_path / "ws", [folder])
    with Workspace.open(tmp_path / "ws") as ws:
        red = ws.read_image(0)
        assert red.dtype == np.uint8 and int(red[0, 0]) == 76  # Pillow's L: 299/1000 of red
        wide = ws.read_image(1)
        assert (int(wide.min()), int(wide.max())) == (0, 255)


def test_dicom_single_and_multi_frame_with_window(tmp_path):
    folder = tmp_path / "dicom"
    folder.mkdir()
    ramp = np.arange(16 * 16, dtype=np.uint16).reshape(16, 16) * 10  # 0..2550
    write_dicom(folder / "one.dcm", ramp)  # no window: min-max
    write_dicom(folder / "cine.dcm", np.stack([ramp, ramp[::-1], ramp.T]))
    write_dicom(folder / "windowed.dcm", ramp, window=(1000.0, 500.0))
    ingest(tmp_path / "ws", [folder])
    with Workspace.open(tmp_path / "ws") as ws:
        paths = [Path(p).name for p in ws.column("path")]
        assert paths == ["cine.dcm#0", "cine.dcm#1", "cine.dcm#2", "one.dcm", "windowed.dcm"]
        one = ws.read_image(3)
        assert (int(one.min()), int(one.max())) == (0, 255)
        np.testing.assert_array_equal(ws.read_image(1), one[::-1])
        windowed = ws.read_image(4).astype(int)
        values = ramp.astype(float)
        assert windowed[values <= 750].max() == 0 and windowed[values >= 1250].min() == 255
        middle = (values > 800) & (values < 1200)
        assert 0 < windowed[middle].min() < windowed[middle].max() < 255


def test_image_label_layout_records_label_maps_group_and_extra_columns(tmp_path):
    data = tmp_path / "phantom"
    write_images(data / "images", 4)
    labels = data / "labels"
    labels.mkdir()
    for i in range(4):
        Image.fromarray(np.full((40, 48), i % 3, dtype=np.uint8)).save(labels / f"img{i:03d}.png")
    (data / "frames.tsv").write_text(
        "stem\tpullback\tframe\tplaque_burden\n"
        + "".join(f"img{i:03d}\tpb{i // 2}\t{i % 2}\t0.{i + 1}\n" for i in range(4))
    )
    ingest(tmp_path / "ws", [data])
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.n_points == 4  # the label maps are not points
        assert list(ws.column("group")) == ["pb0", "pb0", "pb1", "pb1"]
        np.testing.assert_allclose(ws.column("plaque_burden"), [0.1, 0.2, 0.3, 0.4])
        assert ws.column_kind("pullback") == "text"
        assert ws.column_kind("frame") == "real"
        assert int(ws.label_map(2)[0, 0]) == 2


def test_truncated_image_fails_and_leaves_workspace_untouched(tmp_path, image_folders):
    real, fake = image_folders(4, 4)
    ws_path = tmp_path / "ws"
    ingest(ws_path, [real], [fake])
    before = snapshot(ws_path)
    more = tmp_path / "more"
    good = write_images(more, 3)
    data = good[1].read_bytes()
    good[1].write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageReadError, match=r"more/img001\.png"):
        ingest(ws_path, fake=[more])
    assert snapshot(ws_path) == before
    report = ingest(ws_path, fake=[more], on_error="skip")
    assert report.added == 2
    assert [Path(s.path).name for s in report.skipped] == ["img001.png"]


def test_failed_first_ingest_leaves_no_workspace(tmp_path):
    folder = tmp_path / "in"
    write_images(folder, 2)
    (folder / "img001.png").write_bytes(b"not an image at all")
    with pytest.raises(ImageReadError, match=r"img001\.png: not a readable image"):
        ingest(tmp_path / "ws", [folder])
    assert not (tmp_path / "ws").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in"]


def test_empty_and_missing_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images here")
    with pytest.raises(InputError, match="empty: holds no images"):
        ingest(tmp_path / "ws", [tmp_path / "empty"])
    with pytest.raises(InputError, match="nothere: folder not found"):
        ingest(tmp_path / "ws", [tmp_path / "nothere"])


def test_dicom_without_pixel_data(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_dicom(folder / "empty.dcm", np.zeros((4, 4)), pixel_data=False)
    with pytest.raises(ImageReadError, match=r"empty\.dcm: DICOM file has no pixel data"):
        ingest(tmp_path / "ws", [folder])


def test_refuses_a_folder_that_is_not_a_workspace(tmp_path, image_folders):
    real, _ = image_folders(2, 2)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("precious")
    with pytest.raises(WorkspaceError, match="not a synthscope workspace"):
        ingest(tmp_path / "busy", [real])
    assert (tmp_path / "busy" / "thesis.tex").read_text() == "precious"


def test_tiles_split_at_tile_size(tmp_path, monkeypatch):
    from synthscope.workspace import _thumbs

    monkeypatch.setattr(_thumbs, "THUMBS_PER_ROW", 2)
    monkeypatch.setattr(_thumbs, "THUMBS_PER_TILE", 4)
    write_images(tmp_path / "in", 6)
    ingest(tmp_path / "ws", [tmp_path / "in"])
    with Workspace.open(tmp_path / "ws") as ws:
        tiles = [Image.open(ws.thumbnail_tile(t)) for t in (0, 1)]
        assert tiles[1].size == (128, 128)
        np.testing.assert_array_equal(np.asarray(tiles[1])[:64, 64:], ws.thumbnails()[5])
    assert THUMBS_PER_TILE == 1024
