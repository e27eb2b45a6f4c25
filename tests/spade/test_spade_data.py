"""Checks before training: every bad label map stops the run naming the file and the values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import InputError, InvalidParameterError
from synthscope.spade import SpadeConfig, load_paired, training_loop
from synthscope.spade._data import epoch_order


def test_loads_pairs_and_infers_classes_and_channels(pairs: Path) -> None:
    data = load_paired(pairs, load_size=40)
    assert data.label_nc == 4 and data.image_channels == 1
    assert data.stems == [f"frame{i:03d}" for i in range(6)]
    assert data.images.shape == (6, 40, 40) and data.labels.shape == (6, 40, 40)
    assert set(np.unique(data.labels)) <= {0, 1, 2, 3}  # nearest resize adds no classes


def test_batches_depend_only_on_seed_epoch_and_index(pairs: Path) -> None:
    data = load_paired(pairs, load_size=40)
    idx = np.array([4, 1])
    a = data.batch(idx, size=32, flip=True, seed=3, epoch=2)
    b = data.batch(idx[::-1], size=32, flip=True, seed=3, epoch=2)
    np.testing.assert_array_equal(a[0], b[0][::-1])
    c = data.batch(idx, size=32, flip=True, seed=3, epoch=5)
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (2, 1, 32, 32) and a[1].shape == (2, 32, 32)
    np.testing.assert_array_equal(epoch_order(6, seed=1, epoch=0), epoch_order(6, seed=1, epoch=0))


def _save(path: Path, array: np.ndarray) -> None:
    Image.fromarray(array).save(path)


def test_rgb_label_map_names_file_and_colours(pairs: Path) -> None:
    colour = np.zeros((36, 36, 3), np.uint8)
    colour[:10] = (255, 0, 0)
    _save(pairs / "labels" / "frame002.png", colour)
    with pytest.raises(
        InputError, match=r"frame002\.png: is a colour \(RGB\) label map.*255, 0, 0"
    ):
        load_paired(pairs, load_size=36)


def test_gray_label_map_stored_as_rgb_is_accepted(pairs: Path) -> None:
    label = np.asarray(Image.open(pairs / "labels" / "frame002.png"))
    _save(pairs / "labels" / "frame002.png", np.repeat(label[..., None], 3, axis=-1))
    assert load_paired(pairs, load_size=36).label_nc == 4


def test_binary_0_255_mask_is_refused(pairs: Path) -> None:
    mask = np.zeros((36, 36), np.uint8)
    mask[5:20] = 255
    _save(pairs / "labels" / "frame001.png", mask)
    with pytest.raises(InputError, match=r"frame001\.png: holds only the values 0 and 255"):
        load_paired(pairs, load_size=36)


def test_value_out_of_range_for_given_classes(pairs: Path) -> None:
    with pytest.raises(InputError, match=r"frame000\.png: label values 3 are out of range for 3"):
        load_paired(pairs, load_size=36, label_nc=3)


def test_large_value_without_class_count(pairs: Path) -> None:
    label = np.asarray(Image.open(pairs / "labels" / "frame004.png")).copy()
    label[0, 0] = 200
    _save(pairs / "labels" / "frame004.png", label)
    with pytest.raises(InputError, match=r"frame004\.png: holds label value 200"):
        load_paired(pairs, load_size=36)


def test_unpaired_stems_are_named(pairs: Path) -> None:
    (pairs / "labels" / "frame005.png").rename(pairs / "labels" / "other.png")
    with pytest.raises(InputError, match=r"frame005\.png: has no label map with the same stem"):
        load_paired(pairs, load_size=36)


def test_size_mismatch_is_named(pairs: Path) -> None:
    _save(pairs / "labels" / "frame003.png", np.zeros((20, 20), np.uint8))
    with pytest.raises(InputError, match=r"frame003\.png: is 36x36 but its label map"):
        load_paired(pairs, load_size=36)


def test_training_checks_before_writing_checkpoints(pairs: Path, tmp_path: Path) -> None:
    _save(pairs / "labels" / "frame001.png", np.full((36, 36), 255, np.uint8))
    with pytest.raises(InputError, match="frame001"):
        training_loop(pairs, tmp_path / "run", SpadeConfig(size=32, ngf=4, ndf=4, batch_size=2))
    assert not (tmp_path / "run" / "checkpoints").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"size": 100}, r"size must be a multiple of 32 for num_upsampling='normal' \(got 100\)"),
        ({"num_upsampling": "many"}, "num_upsampling must be one of 'normal', 'more', 'most'"),
        ({"batch_size": 0}, r"batch_size must be >= 1 \(got 0\)"),
        ({"lr": -1.0}, r"lr must be > 0.0 \(got -1.0\)"),
        ({"device": "tpu"}, "device must be one of 'auto', 'cpu', 'cuda'"),
        ({"size": 32, "load_size": 16}, r"load_size must be >= 32 \(got 16\)"),
        ({"size": 32, "batch_size": 1}, "norm='batch' with batch_size=1 needs size >= 64"),
        ({"image_channels": 2}, "image_channels must be one of 1, 3 or None \\(got 2\\)"),
    ],
)
def test_option_checks(options: dict, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        SpadeConfig(**options)
