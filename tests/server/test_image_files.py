"""The image routes show only files the workspace recorded, re-encoded (issue 16, part 3)."""

from __future__ import annotations

import io

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from synthscope.server import Settings, create_app
from synthscope.workspace import Workspace, import_tf_projector


def test_imported_metadata_cannot_point_the_image_routes_anywhere(tmp_path):
    secret = tmp_path / "private" / "secret.png"
    secret.parent.mkdir()
    Image.fromarray(np.full((5, 7), 123, dtype=np.uint8)).save(secret)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    np.savetxt(bundle / "tensors.tsv", np.eye(3), delimiter="\t")
    (bundle / "metadata.tsv").write_text(
        f"label\tpath\tlabel_map\nreal\tok.png\t\nfake\tgone.png\t\nfake\tok2.png\t{secret}\n"
    )
    Image.new("L", (6, 4), 50).save(bundle / "ok.png")
    Image.new("L", (6, 4), 60).save(bundle / "ok2.png")
    import_tf_projector(bundle / "tensors.tsv", bundle / "metadata.tsv", tmp_path / "ws").close()
    secret_bytes = secret.read_bytes()
    with Workspace.open(tmp_path / "ws") as ws:
        # What a hostile bundle (or a hand edit) does: name a private file as the image.
        ws._connection.execute("UPDATE points SET path = ? WHERE id = 0", (str(secret),))
        ws._connection.execute(
            "UPDATE points SET path = ? WHERE id = 1", (str(tmp_path / "private" / "none.png"),)
        )
    app = create_app(Settings(workspace=tmp_path / "ws"))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        secret_answer = client.get("/api/image/0")
        missing_answer = client.get("/api/image/1")
        assert secret_answer.status_code == missing_answer.status_code == 404
        # Same words for "not allowed" and "missing": a page cannot probe which files exist.
        assert secret_answer.json()["detail"].replace("0", "#") == missing_answer.json()[
            "detail"
        ].replace("1", "#")
        assert secret_bytes not in secret_answer.content and "secret" not in secret_answer.text
        ok = client.get("/api/image/2")
        assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
        assert np.asarray(Image.open(io.BytesIO(ok.content))).max() == 60
        # The label map names the secret file too: it was decoded at import, so it is recorded
        # as a label map and shown re-encoded, never as the file's own bytes.
        labels = client.get("/api/image/2/labels")
        assert labels.status_code == 200 and labels.content != secret_bytes


def test_images_are_re_encoded_not_served_raw(client, ws_path):
    with Workspace.open(ws_path) as ws:
        original = ws.image_file(0)[0].read_bytes()
    answer = client.get("/api/image/0")
    assert answer.status_code == 200 and answer.content != original
    assert Image.open(io.BytesIO(answer.content)).mode == "L"


def test_label_maps_named_through_the_python_api_are_recorded(client, ws_path, tmp_path):
    labels = np.array([[0, 1], [2, 3]], dtype=np.uint8)
    Image.fromarray(labels).save(tmp_path / "map.png")
    with Workspace.open(ws_path) as ws:
        maps = [None] * ws.n_points
        maps[3] = str(tmp_path / "map.png")
        ws.set_columns({"label_map": maps}, kind="text")
    answer = client.get("/api/image/3/labels")
    assert answer.status_code == 200
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(answer.content))), labels)
    # The server's own edits cannot name one: label_map is not an editable column.
    edit = client.post("/api/labels", json={"ids": [4], "column": "label_map", "value": "/etc"})
    assert edit.status_code == 422
