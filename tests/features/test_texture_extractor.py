"""The ``texture`` extractor: its interface, any input, label maps, threads, and the phantom's
shift knobs moving the columns that should move, in the direction they should."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from synthscope.errors import InvalidParameterError
from synthscope.features import TextureExtractor, parse_spec
from synthscope.features._fov import disc
from tests.features._data import SIZE, rayleigh_disc

COLUMNS = TextureExtractor.columns()
WIDTH = len(COLUMNS)


def columns(rows: np.ndarray, *names: str) -> np.ndarray:
    return rows[:, [COLUMNS.index(name) for name in names]]


def test_spec_name_params_and_columns():
    extractor = parse_spec("texture")
    assert isinstance(extractor, TextureExtractor)
    assert extractor.name == "texture" and extractor.spec == "texture"
    assert extractor.params()["columns"] == WIDTH == 150
    assert extractor.input_size() == 256
    assert len(set(COLUMNS)) == WIDTH
    described = TextureExtractor.describe()
    assert [name for name, _ in described] == COLUMNS
    assert all(text and "\n" not in text for _, text in described)
    assert COLUMNS[:3] == ["fov_radius", "mean", "std"] and COLUMNS[-1] == "psd_15"
    assert TextureExtractor.standardize is True


def test_texture_takes_no_argument():
    with pytest.raises(
        InvalidParameterError, match=r"features 'texture:3': texture takes no argument"
    ):
        parse_spec("texture:3")


def test_empty_batch_and_mismatched_label_maps():
    extractor = TextureExtractor()
    assert extractor.transform([]).shape == (0, WIDTH)
    with pytest.raises(InvalidParameterError, match="2 label maps for 1 images"):
        extractor.transform([rayleigh_disc(32)], [None, None])


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    image=st.tuples(st.integers(16, 300), st.integers(16, 300)).flatmap(
        lambda shape: arrays(np.uint8, shape, elements=st.integers(0, 255))
    ),
    constant=st.booleans(),
)
def test_any_image_gives_a_finite_row_of_the_right_width(image, constant):
    if constant:
        image = np.full_like(image, image.flat[0])
    row = TextureExtractor(threads=1).transform([image])
    assert row.shape == (1, WIDTH) and row.dtype == np.float32
    assert np.isfinite(row).all()


def test_threads_and_batches_do_not_change_the_rows(phantom):
    images = list(phantom.images)
    one = TextureExtractor(threads=1).transform(images)
    two = TextureExtractor(threads=2).transform(images)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(TextureExtractor().transform(images[2:3]), one[2:3])


def test_images_of_another_size_land_on_the_same_grid(phantom):
    from PIL import Image

    image = phantom.images[0]
    big = np.asarray(Image.fromarray(image).resize((512, 512), Image.BILINEAR))
    rows = TextureExtractor().transform([image, big])
    # Same field of view and similar statistics; speckle at 512 px is only resampled.
    assert columns(rows, "fov_radius")[:, 0].tolist() == [1.0, 1.0]
    assert abs(columns(rows, "mean")[1, 0] - columns(rows, "mean")[0, 0]) < 2


def test_label_maps_set_the_field_of_view(phantom):
    image = phantom.images[0]
    inner = np.where(disc(SIZE, 64), 2, 0).astype(np.uint8)
    extractor = TextureExtractor()
    plain, labelled, own = extractor.transform([image] * 3, [None, inner, phantom.labels[0]])
    assert plain[COLUMNS.index("fov_radius")] == 1.0
    assert labelled[COLUMNS.index("fov_radius")] == pytest.approx(0.5)
    assert not np.allclose(plain, labelled)
    # The phantom's own label map covers the whole disc: the same view as without it.
    np.testing.assert_allclose(own, plain, rtol=1e-5, atol=1e-6)


def test_the_extractor_pickles():
    extractor = pickle.loads(pickle.dumps(TextureExtractor(threads=1)))
    assert extractor.transform([rayleigh_disc(64)]).shape == (1, WIDTH)


def mean_change(base: np.ndarray, shifted: np.ndarray, name: str) -> tuple[float, float]:
    """Mean paired change of a column (same seed: same anatomy and scatterers) and the fraction of
    frames whose change has that sign."""
    i = COLUMNS.index(name)
    change = shifted[:, i].astype(np.float64) - base[:, i]
    return float(change.mean()), float(np.mean(np.sign(change) == np.sign(change.mean())))


# knob -> (column, direction) pairs that physics predicts.
EXPECTED = {
    "speckle_size": [
        ("speckle_lateral_b2", +1),
        ("speckle_lateral_b3", +1),
        ("speckle_axial_b3", +1),
        ("glcm_correlation_d1_lateral", +1),
        ("glcm_correlation_d1_axial", +1),
        ("psd_12", -1),
    ],
    "blur_px": [
        ("sharp_tenengrad", -1),
        ("sharp_laplacian", -1),
        ("sharp_ratio", -1),
        ("psd_14", -1),
        ("speckle_axial_b2", +1),
        ("speckle_lateral_b2", +1),
    ],
    "gain_db": [("mean", +1), ("p50", +1), ("p01", +1), ("black_fraction", -1)],
    "dynamic_range_db": [("black_fraction", +1), ("std", +1), ("mean", -1), ("band2_snr", -1)],
}


@pytest.mark.parametrize("knob", sorted(EXPECTED))
def test_shift_knobs_move_the_expected_columns(phantom, phantom_shifted, knob):
    extractor = TextureExtractor()
    base = extractor.transform(list(phantom.images))
    shifted = extractor.transform(list(phantom_shifted[knob].images))
    for name, direction in EXPECTED[knob]:
        change, agreeing = mean_change(base, shifted, name)
        assert np.sign(change) == direction, (name, change)
        assert agreeing == 1.0, (name, agreeing)
    # The field of view does not move with any knob.
    np.testing.assert_array_equal(columns(shifted, "fov_radius"), columns(base, "fov_radius"))


def test_the_docs_list_every_column_with_its_description():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "features.md").read_text()
    for name, text in TextureExtractor.describe():
        assert f"| `{name}` | {text} |" in docs, name
