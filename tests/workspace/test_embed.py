from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import ImageReadError, InvalidParameterError, WorkspaceError
from synthscope.workspace import Workspace, embed, feature_name, ingest


def test_pixels_n_matches_pillow_nearest(tmp_path, image_folders):
    real, fake = image_folders(3, 3)
    ingest(tmp_path / "ws", [real], [fake])
    with Workspace.open(tmp_path / "ws") as ws:
        assert embed(ws, "pixels:16") == "pixels16"
        vectors = ws.vectors("pixels16")
        assert vectors.shape == (6, 256)
        for i, path in enumerate(ws.column("path")):
            image = Image.open(path).convert("L").resize((16, 16), Image.NEAREST)
            np.testing.assert_array_equal(
                vectors[i], np.asarray(image).reshape(-1) / np.float32(255)
            )
        assert embed(ws, "pixels") == "pixels64"
        np.testing.assert_array_equal(
            ws.vectors("pixels64")[0] * 255, np.round(ws.vectors("pixels64")[0] * 255)
        )


def test_embed_recomputes_after_points_were_added(tmp_path, image_folders):
    real, fake = image_folders(2, 2)
    ingest(tmp_path / "ws", [real], [fake])
    with Workspace.open(tmp_path / "ws") as ws:
        embed(ws, "pixels:8")
    from tests.helpers import write_images

    write_images(fake / "new", 2, seed=5)
    ingest(tmp_path / "ws", fake=[fake])
    with Workspace.open(tmp_path / "ws") as ws:
        with pytest.raises(WorkspaceError, match="covers 4 of 6 points"):
            ws.vectors("pixels8")
        embed(ws, "pixels:8")
        assert ws.vectors("pixels8").shape == (6, 64)


def test_bad_feature_specs(tmp_path, image_folders):
    with pytest.raises(InvalidParameterError, match="expected pixels"):
        feature_name("colour-histogram")
    with pytest.raises(InvalidParameterError, match=r"the pixel size must be 2\.\.1024"):
        feature_name("pixels:1")
    real, fake = image_folders(2, 2)
    ingest(tmp_path / "ws", [real], [fake])
    Path(real / "pb1" / "img000.png").unlink()
    with (
        Workspace.open(tmp_path / "ws") as ws,
        pytest.raises(ImageReadError, match=r"img000\.png: file not found"),
    ):
        embed(ws, "pixels:8")
