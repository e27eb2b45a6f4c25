"""Read routes: dataset, columns, projections, thumbnails, images, neighbours, downloads."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from synthscope._neighbors import query_neighbors
from synthscope.workspace import Workspace, import_tf_projector
from tests.server._helpers import decode_column


def test_dataset_lists_columns_features_and_projections(client, ws_path):
    body = client.get("/api/dataset").json()
    ws = Workspace.open(ws_path)
    assert body["count"] == ws.n_points == 12
    kinds = {c["name"]: (c["kind"], c["editable"]) for c in body["columns"]}
    assert kinds["label"] == ("text", True)
    assert kinds["source"] == ("text", False)
    assert kinds["score"] == ("real", True)
    assert body["features"] == ["pixels64"]
    assert sorted(p["dims"] for p in body["projections"]) == [2, 3]
    assert body["thumbs"]["n_tiles"] == 1 and body["thumbs"]["per_row"] == 32
    assert body["realism"] is False


def test_text_column_travels_as_codes_with_counts(client, ws_path):
    response = client.get("/api/column/source")
    assert response.headers["content-type"] == "application/octet-stream"
    header, codes = decode_column(response.content)
    values = Workspace.open(ws_path).column("source")
    assert header["kind"] == "text" and header["n"] == 12
    decoded = [header["categories"][c] for c in codes]
    assert decoded == list(values)
    assert sum(header["counts"]) == 12


def test_real_column_travels_as_float32(client, ws_path):
    header, values = decode_column(client.get("/api/column/score").content)
    expected = Workspace.open(ws_path).column("score")
    assert header["kind"] == "real"
    np.testing.assert_allclose(values, expected.astype(np.float32))
    assert header["min"] == pytest.approx(expected.min())
    as_json = client.get("/api/column/score", params={"format": "json"}).json()
    assert as_json["values"] == pytest.approx(list(expected))


def test_missing_text_values_get_code_minus_one(client):
    header, codes = decode_column(client.get("/api/column/group").content)
    assert header["categories"] == [] and set(codes.tolist()) == {-1}


def test_unknown_column_is_404_with_the_workspace_message(client):
    response = client.get("/api/column/nope")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]
    assert response.json()["error"] == "UnknownFeatureError"


def test_projection_is_little_endian_float32_row_major(client, ws_path):
    ws = Workspace.open(ws_path)
    for meta in ws.projections():
        expected, _ = ws.load_projection(meta["id"])
        response = client.get(f"/api/projection/{meta['id']}")
        assert response.status_code == 200
        got = np.frombuffer(response.content, dtype="<f4").reshape(expected.shape)
        np.testing.assert_array_equal(got, expected)
        assert response.headers["x-dims"] == str(expected.shape[1])


def test_unknown_projection_is_404(client):
    assert client.get("/api/projection/abcdef0123456789").status_code == 404


def test_thumbnail_tile_holds_each_thumbnail_in_its_cell(client, ws_path):
    thumbs = Workspace.open(ws_path).thumbnails()
    response = client.get("/api/thumbs/0")
    assert response.headers["content-type"] == "image/png"
    tile = np.asarray(Image.open(io.BytesIO(response.content)))
    assert tile.shape == (2048, 2048)
    for i in (0, 5, 11):
        np.testing.assert_array_equal(tile[0:64, i * 64 : (i + 1) * 64], thumbs[i])
    assert client.get("/api/thumbs/1").status_code == 404


def test_thumbnail_tile_is_packed_on_demand_when_not_on_disk(client, ws_path):
    (ws_path / "thumbs" / "tile_0000.png").unlink()
    thumbs = Workspace.open(ws_path).thumbnails()
    tile = np.asarray(Image.open(io.BytesIO(client.get("/api/thumbs/0").content)))
    np.testing.assert_array_equal(tile[0:64, 64:128], thumbs[1])
    assert tile[64:128].max() == 0  # no point there


def test_image_is_the_full_resolution_png(client, ws_path):
    expected = Workspace.open(ws_path).read_image(3)
    response = client.get("/api/image/3")
    image = np.asarray(Image.open(io.BytesIO(response.content)))
    np.testing.assert_array_equal(image, expected)
    assert client.get("/api/image/12").status_code == 404
    assert client.get("/api/image/-1").status_code == 404
    assert client.get("/api/image/3/labels").status_code == 404  # ingested without label maps


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_neighbors_match_a_brute_force_search(client, ws_path, metric):
    vectors = np.asarray(Workspace.open(ws_path).vectors("pixels64"), dtype=np.float64)
    body = client.get("/api/neighbors/4", params={"k": 5, "metric": metric}).json()
    if metric == "cosine":
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        dist = 1 - unit @ unit[4]
    else:
        dist = np.linalg.norm(vectors - vectors[4], axis=1)
    dist[4] = np.inf
    assert body["ids"] == np.argsort(dist, kind="stable")[:5].tolist()
    np.testing.assert_allclose(body["distances"], np.sort(dist)[:5], rtol=1e-6)


def test_neighbors_reject_bad_arguments(client):
    assert client.get("/api/neighbors/4", params={"metric": "manhattan"}).status_code == 422
    assert client.get("/api/neighbors/4", params={"k": 0}).status_code == 422
    assert client.get("/api/neighbors/99").status_code == 404


def test_nearest_neighbors_breaks_ties_by_id_and_clips_k():
    vectors = np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [5, 5]], dtype=np.float32)
    ids, dist = query_neighbors(vectors, 0, k=10, metric="euclidean")
    assert ids.tolist() == [1, 2, 3, 4]
    assert dist[:3].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="metric must be one of"):
        query_neighbors(vectors, 0, metric="l1")


def test_metadata_download_loads_back_with_import_tf_projector(client, ws_path, tmp_path):
    response = client.get("/api/metadata.tsv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert len(lines) == 13  # a header row (several columns) and one row per point
    header = lines[0].split("\t")
    assert "label" in header and "score" in header
    (tmp_path / "metadata.tsv").write_text(response.text)
    ws = Workspace.open(ws_path)
    tensors = tmp_path / "tensors.tsv"
    np.savetxt(tensors, np.asarray(ws.vectors("pixels64")), delimiter="\t", fmt="%.9g")
    back = import_tf_projector(tensors, tmp_path / "metadata.tsv", tmp_path / "back")
    assert list(back.column("label")) == list(ws.column("label"))
    np.testing.assert_allclose(back.column("score"), ws.column("score"))


def test_selection_download_has_ids_paths_labels_and_scores(client, ws_path):
    ws = Workspace.open(ws_path)
    text = client.get("/api/selection.tsv", params={"ids": "2,7-8"}).text
    rows = [line.split("\t") for line in text.splitlines()]
    assert rows[0][:4] == ["id", "path", "source", "label"] and "score" in rows[0]
    assert [r[0] for r in rows[1:]] == ["2", "7", "8"]
    assert rows[2][1] == ws.column("path")[7]
    posted = client.post("/api/selection.tsv", json={"ids": [2, 7, 8]}).text
    assert posted == text
    assert client.get("/api/selection.tsv", params={"ids": "1,x"}).status_code == 422
    assert client.get("/api/selection.tsv", params={"ids": "40"}).status_code == 422


def test_coordinates_csv_has_one_row_per_point(client, ws_path):
    ws = Workspace.open(ws_path)
    meta = next(p for p in ws.projections() if p["dims"] == 3)
    lines = client.get("/api/coordinates.csv", params={"projection": meta["id"]}).text.split()
    assert lines[0] == "id,x,y,z" and len(lines) == 13
    expected, _ = ws.load_projection(meta["id"])
    np.testing.assert_allclose([float(v) for v in lines[5].split(",")[1:]], expected[4], rtol=1e-6)


def test_realism_report_is_served_once_written(client, ws_path):
    assert client.get("/api/realism").status_code == 404
    (ws_path / "realism.json").write_text('{"verdict": "separable", "auc": 0.9}')
    assert client.get("/api/realism").json()["auc"] == 0.9
    assert client.get("/api/dataset").json()["realism"] is True


def test_point_route_gives_every_column_of_one_point(client, ws_path):
    ws = Workspace.open(ws_path)
    body = client.get("/api/point/7").json()
    assert body["values"]["path"] == ws.column("path")[7]
    assert body["values"]["score"] == pytest.approx(ws.column("score")[7])
    assert body["values"]["group"] is None
    assert client.get("/api/point/12").status_code == 404


def test_label_map_route_serves_the_ingested_map(tmp_path):
    from fastapi.testclient import TestClient

    from synthscope.server import Settings, create_app
    from synthscope.workspace import ingest

    rng = np.random.default_rng(3)
    for sub in ("images", "labels"):
        (tmp_path / "real" / sub).mkdir(parents=True)
    for i in range(4):
        Image.fromarray((rng.random((32, 32)) * 255).astype(np.uint8)).save(
            tmp_path / "real" / "images" / f"f{i}.png"
        )
        Image.fromarray(rng.integers(0, 5, (32, 32)).astype(np.uint8)).save(
            tmp_path / "real" / "labels" / f"f{i}.png"
        )
    ingest(tmp_path / "ws", real=[tmp_path / "real"], workers=1)
    expected = Workspace.open(tmp_path / "ws").label_map(2)
    assert expected is not None
    app = create_app(Settings(workspace=tmp_path / "ws"))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        response = client.get("/api/image/2/labels")
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(response.content))), expected)


def test_utility_is_404_until_a_study_ran_then_served(client, ws_path):
    response = client.get("/api/utility")
    assert response.status_code == 404 and "synthscope utility" in response.json()["detail"]
    (ws_path / "utility").mkdir()
    study = {"task": "segment", "verdict": "adding 12 curated frames raised Dice", "arms": []}
    (ws_path / "utility" / "result.json").write_text(json.dumps(study))
    assert client.get("/api/utility").json() == study
    assert client.get("/api/dataset").json()["utility"] is True
    (ws_path / "utility" / "result.json").write_text("{")
    response = client.get("/api/utility")
    assert response.status_code == 409 and "unreadable" in response.json()["detail"]
