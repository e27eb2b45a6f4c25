"""Trivial cues: sizes, depths and formats that differ between real and generated images are said
before any verdict, and ``ingest --resize`` compares like with like."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import InvalidParameterError
from synthscope.io import native_properties
from synthscope.workspace import Workspace, ingest, score_workspace
from tests.helpers import write_dicom, write_images

FAST = {"n_permutations": 10, "n_components": 4, "kid_subsets": 2, "store": False}


def _sets(tmp_path, *, real=(40, 48), fake=(40, 48), real_suffix=".png", fake_suffix=".png"):
    for k in range(2):
        write_images(tmp_path / "real" / f"pb{k}", 6, size=real, seed=k, suffix=real_suffix)
        write_images(tmp_path / "fake" / f"pb{k}", 6, size=fake, seed=9 + k, suffix=fake_suffix)
    return tmp_path / "real", tmp_path / "fake"


def _score(tmp_path, **ingest_options):
    ingest(tmp_path / "ws", [tmp_path / "real"], [tmp_path / "fake"], **ingest_options)
    return score_workspace(tmp_path / "ws", **FAST)


def test_identical_sets_raise_no_warning(tmp_path):
    _sets(tmp_path)
    report = _score(tmp_path)
    assert report.cues == () and report.warnings == ()
    assert json.loads(report.to_json())["cues"] == []


def test_different_sizes_are_warned_above_the_verdict(tmp_path):
    _sets(tmp_path, fake=(20, 20))
    report = _score(tmp_path)
    (cue,) = report.cues
    assert cue["property"] == "size"
    assert cue["real"] == {"48×40": 12} and cue["generated"] == {"20×20": 12}
    assert report.warnings[0].startswith("real images are 48×40, generated 20×20: a test may "
                                         "detect the resize rather than the generator")  # fmt: skip
    assert "--resize" in report.warnings[0]
    html = report.to_html()
    assert html.index("Warning: real images are 48×40") < html.index("class='verdict'")


def test_different_formats_are_warned(tmp_path):
    _sets(tmp_path, fake_suffix=".jpg")
    properties = {c["property"] for c in _score(tmp_path).cues}
    assert properties == {"format", "compression"}


def test_different_bit_depths_are_warned(tmp_path):
    _, fake = _sets(tmp_path)
    for path in sorted(fake.rglob("*.png")):
        pixels = np.asarray(Image.open(path)).astype(np.uint16) * 257
        Image.fromarray(pixels).save(path)  # 16-bit grayscale PNG
    cues = {c["property"]: c for c in _score(tmp_path).cues}
    assert set(cues) == {"bit depth"} and cues["bit depth"]["generated"] == {"16": 12}


def test_native_properties_of_png_jpeg_and_dicom(tmp_path):
    png = write_images(tmp_path, 1, size=(30, 20))[0]
    assert native_properties(png) == {
        "image_width": 20,
        "image_height": 30,
        "image_bit_depth": 8,
        "image_channels": 1,
        "image_format": "PNG",
        "image_compression": "deflate",
        "image_photometric": None,
        "image_pixel_spacing": None,
    }
    rgb = tmp_path / "c.jpg"
    Image.new("RGB", (9, 7)).save(rgb)
    props = native_properties(rgb)
    assert (props["image_format"], props["image_channels"], props["image_width"]) == ("JPEG", 3, 9)
    dcm = write_dicom(tmp_path / "a.dcm", np.zeros((2, 12, 10), np.uint16))
    props = native_properties(dcm)
    assert props["image_format"] == "DICOM" and props["image_photometric"] == "MONOCHROME2"
    # bits stored, not allocated: the helper writes 12-bit data in 16-bit words
    assert (props["image_width"], props["image_height"], props["image_bit_depth"]) == (10, 12, 12)


def test_resize_compares_like_with_like_and_says_so(tmp_path):
    _sets(tmp_path, fake=(24, 24))
    report = _score(tmp_path, resize=24)
    (cue,) = report.cues
    assert cue["resolved"] and report.warnings == ()
    assert "brought to 24×24 at ingest before any feature" in cue["message"]
    assert report.parameters["resize"] == 24
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.resize == 24
        first = ws.read_image(0)
        assert first.shape == (24, 24)
        expected = Image.open(ws.image_file(0)[0]).convert("L").resize((24, 24), Image.LANCZOS)
        np.testing.assert_array_equal(first, np.asarray(expected))
        # a generated image already 24 x 24 is left exactly as it is
        fake = int(np.flatnonzero(ws.column("source") == "fake")[0])
        original = np.asarray(Image.open(ws.image_file(fake)[0]).convert("L"))
        np.testing.assert_array_equal(ws.read_image(fake), original)
        assert ws.column("image_width")[0] == 48  # native properties stay native
        assert "image_width" not in ws.editable_columns()
    with pytest.raises(
        InvalidParameterError, match=r"resize must match the workspace's: .* at 24 x 24 \(got 32\)"
    ):
        ingest(tmp_path / "ws", [tmp_path / "real"], resize=32)


def test_a_workspace_from_before_gets_a_note_not_an_error(tmp_path):
    _sets(tmp_path, fake=(20, 20))
    ingest(tmp_path / "ws", [tmp_path / "real"], [tmp_path / "fake"])
    with Workspace.open(tmp_path / "ws") as ws:  # as an older synthscope left it
        connection = ws._connection
        connection.execute("DELETE FROM columns WHERE name = 'image_bit_depth'")
    report = score_workspace(tmp_path / "ws", **FAST)
    assert report.cues == ()
    assert any(line.startswith("The check for trivial cues") for line in report.evidence)
