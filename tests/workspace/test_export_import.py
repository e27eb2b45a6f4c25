from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import InvalidParameterError, SynthscopeError, TableError, WorkspaceError
from synthscope.io import read_projector_config, sprite_tile_size
from synthscope.workspace import Workspace, export, import_tf_projector, ingest


@pytest.fixture
def workspace(tmp_path, image_folders):
    real, fake = image_folders(6, 5)
    ingest(tmp_path / "ws", [real], [fake])
    with Workspace.open(tmp_path / "ws") as ws:
        ws.set_column("realism", [np.nan] * 6 + [0.1, 0.2, 0.3, 0.4, 0.5])
        ws.relabel([7, 8], "label", "real")
        yield ws


def test_tf_projector_bundle(workspace, tmp_path):
    out = tmp_path / "bundle"
    export(workspace, out, "tf-projector")
    (config,) = read_projector_config(out / "projector_config.pbtxt")
    assert config.tensor_shape == (11, 4096) and config.sprite_size == 64
    assert (config.tensor_path, config.metadata_path, config.sprite_path) == (
        "tensors.tsv",
        "metadata.tsv",
        "sprite.png",
    )
    header = (out / "metadata.tsv").read_text().splitlines()[0].split("\t")
    assert header[:4] == ["label", "source", "group", "path"] and "realism" in header
    sprite = Image.open(out / "sprite.png")
    assert sprite.size == (4 * 64, 4 * 64)  # ceil(sqrt(11)) = 4 thumbnails a side
    np.testing.assert_array_equal(np.asarray(sprite)[64:128, 192:256], workspace.thumbnails()[7])


def test_sprite_shrinks_to_fit_8192_px():
    assert sprite_tile_size(3600) == 64
    assert sprite_tile_size(16384) == 64
    assert sprite_tile_size(16385) == 63
    assert sprite_tile_size(100_000) == 25
    assert sprite_tile_size(100_000) * 317 <= 8192


def test_round_trip_through_projector_files_keeps_vectors_labels_and_images(workspace, tmp_path):
    export(workspace, tmp_path / "bundle", "tf-projector")
    with import_tf_projector(
        tmp_path / "bundle" / "tensors.tsv",
        tmp_path / "bundle" / "metadata.tsv",
        tmp_path / "back",
        feature="pixels64",
    ) as back:
        np.testing.assert_array_equal(back.vectors("pixels64"), workspace.vectors("pixels64"))
        for column in ("label", "source", "group", "path"):
            assert list(back.column(column)) == list(workspace.column(column))
        np.testing.assert_array_equal(back.column("realism"), workspace.column("realism"))
        np.testing.assert_array_equal(back.thumbnails(), workspace.thumbnails())
        np.testing.assert_array_equal(back.read_image(3), workspace.read_image(3))


def test_import_seed_style_single_column_metadata(tmp_path):
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "tensors.tsv", rng.random((4, 3)), delimiter="\t")
    (tmp_path / "metadata.tsv").write_text("real\nreal\nfake\nfake\n")
    with import_tf_projector(
        tmp_path / "tensors.tsv", tmp_path / "metadata.tsv", tmp_path / "ws"
    ) as ws:
        assert list(ws.column("source")) == ["real", "real", "fake", "fake"]
        assert list(ws.column("label")) == ["real", "real", "fake", "fake"]
        assert ws.vectors("imported").shape == (4, 3)
        assert ws.thumbnails().shape == (4, 64, 64)


def test_import_projector_edited_metadata(tmp_path):
    np.savetxt(tmp_path / "tensors.tsv", np.eye(3), delimiter="\t")
    (tmp_path / "metadata-edited.tsv").write_text(
        "label\tsource\tscore\nreal\treal\t1\nreal\tfake\t\nfake\tfake\t2.5\n"
    )
    with import_tf_projector(
        tmp_path / "tensors.tsv", tmp_path / "metadata-edited.tsv", tmp_path / "ws"
    ) as ws:
        assert list(ws.column("label")) == ["real", "real", "fake"]
        assert list(ws.column("source")) == ["real", "fake", "fake"]
        np.testing.assert_array_equal(ws.column("score"), [1.0, np.nan, 2.5])


def test_import_errors_leave_nothing_behind(tmp_path):
    np.savetxt(tmp_path / "tensors.tsv", np.eye(3), delimiter="\t")
    (tmp_path / "metadata.tsv").write_text("label\tsource\nreal\treal\n")
    with pytest.raises(TableError, match=r"metadata\.tsv: has 1 data rows but there are 3 vectors"):
        import_tf_projector(tmp_path / "tensors.tsv", tmp_path / "metadata.tsv", tmp_path / "ws")
    assert not (tmp_path / "ws").exists()
    (tmp_path / "ws2").mkdir()
    (tmp_path / "ws2" / "keep.txt").write_text("x")
    with pytest.raises(WorkspaceError, match="already exists"):
        import_tf_projector(tmp_path / "tensors.tsv", None, tmp_path / "ws2")


def test_metadata_csv_and_parquet_exports(workspace, tmp_path):
    (path,) = export(workspace, tmp_path / "meta.tsv", "metadata")
    lines = path.read_text().splitlines()
    assert len(lines) == 12 and lines[8].split("\t")[0] == "real"  # relabelled point 7
    (path,) = export(workspace, tmp_path / "out", "csv")
    with path.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["id", "label", "source", "group", "path"]
    assert len(rows) == 12 and len(rows[1]) == 1 + len(rows[0]) - 1
    first = np.array(rows[1][-4096:], dtype=np.float32)
    np.testing.assert_array_equal(first, workspace.vectors("pixels64")[0])

    import pyarrow.parquet as pq

    (path,) = export(workspace, tmp_path / "v.parquet", "parquet")
    table = pq.read_table(path)
    assert table.num_rows == 11
    vectors = np.asarray(table.column("pixels64").to_pylist(), dtype=np.float32)
    np.testing.assert_array_equal(vectors, workspace.vectors("pixels64"))
    assert table.column("realism").to_pylist()[:2] == [None, None]


def test_export_rejects_unknown_format(workspace, tmp_path):
    with pytest.raises(InvalidParameterError, match="format must be one of 'tf-projector'"):
        export(workspace, tmp_path / "x", "xlsx")


def test_export_images_where_copies_the_curated_generated_images(workspace, tmp_path):
    # fixture: points 7 and 8 (generated) were relabelled real; realism 0.1..0.5 on the fakes
    files = export(workspace, tmp_path / "curated", "images", where=["label=real", "source=fake"])
    names = sorted(p.name for p in files if p.suffix == ".png")
    assert names == ["000007_img001.png", "000008_img002.png"]
    original = Path(workspace.column("path")[7]).read_bytes()
    assert (tmp_path / "curated" / "000007_img001.png").read_bytes() == original
    rows = (tmp_path / "curated" / "metadata.tsv").read_text().splitlines()
    assert rows[0].split("\t")[:3] == ["file", "id", "label"] and len(rows) == 3
    files = export(workspace, tmp_path / "best", "images", where=["realism>=0.35"])
    assert sorted(p.name[:6] for p in files if p.suffix == ".png") == ["000009", "000010"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (["label"], "expected COLUMN=VALUE"),
        (["realism>=high"], "column 'realism' is numeric; 'high' is not a number"),
        (["label>=real"], ">= needs a numeric column"),
        (["label=nothing"], "no point meets label=nothing"),
        (["nope=1"], "no column 'nope'"),
    ],
)
def test_export_images_bad_conditions(workspace, tmp_path, where, message):
    with pytest.raises(SynthscopeError, match=message):
        export(workspace, tmp_path / "out", "images", where=where)
    assert not (tmp_path / "out").exists()


def test_where_needs_images_format(workspace, tmp_path):
    with pytest.raises(
        InvalidParameterError, match="where chooses images: use it with format 'images'"
    ):
        export(workspace, tmp_path / "m.tsv", "metadata", where=["label=real"])
