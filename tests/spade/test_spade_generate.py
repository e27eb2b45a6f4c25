"""Generation from label maps alone, and the discriminator features."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from synthscope.errors import InputError, InvalidParameterError
from synthscope.io import read_sidecar_table
from synthscope.spade import discriminator_features, generate_images, load_trained
from synthscope.spade._generate import style_codes


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_generate_writes_the_phantom_layout_deterministically(trained_run, tmp_path: Path) -> None:
    data, run = trained_run
    labels = tmp_path / "labels_in"
    shutil.copytree(data / "labels", labels)
    # A frames.tsv beside the label folder has its columns copied by stem.
    (tmp_path / "frames.tsv").write_text(
        "stem\tpullback\tangle\n"
        + "".join(f"frame{i:03d}\tpb{i % 2}\t{i * 10}\n" for i in range(6))
    )
    first = generate_images(run, labels, tmp_path / "a", batch_size=4)
    generate_images(run, labels, tmp_path / "b", batch_size=1)
    assert first.stems == [f"frame{i:03d}" for i in range(6)]
    assert _bytes(tmp_path / "a" / "images") == _bytes(tmp_path / "b" / "images")
    image = np.asarray(Image.open(tmp_path / "a" / "images" / "frame000.png"))
    assert image.shape == (32, 32) and image.dtype == np.uint8  # grayscale at the run's size
    used = np.asarray(Image.open(tmp_path / "a" / "labels" / "frame000.png"))
    assert used.shape == (32, 32) and set(np.unique(used)) <= {0, 1, 2, 3}
    columns, rows = read_sidecar_table(tmp_path / "a" / "frames.tsv")
    assert columns[:3] == ["stem", "pullback", "angle"] and "spade_step" in columns
    assert rows[3][:3] == ["frame003", "pb1", "30"]


def test_generate_refuses_labels_beyond_the_run_classes(trained_run, tmp_path: Path) -> None:
    _, run = trained_run
    (tmp_path / "bad").mkdir()
    label = np.zeros((32, 32), np.uint8)
    label[:4] = 7
    Image.fromarray(label).save(tmp_path / "bad" / "x.png")
    with pytest.raises(InputError, match=r"x\.png: label values 7 are out of range for 4 classes"):
        generate_images(run, tmp_path / "bad", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_style_codes_depend_on_seed_and_position_only() -> None:
    a = style_codes(3, [0, 1, 2], 8)
    np.testing.assert_array_equal(style_codes(3, [2], 8)[0], a[2])
    assert not np.array_equal(style_codes(4, [0], 8)[0], a[0])


def test_discriminator_features_shape_and_determinism(trained_run) -> None:
    data, run = trained_run
    images = [np.asarray(Image.open(p)) for p in sorted((data / "images").iterdir())]
    labels = [np.asarray(Image.open(p)) for p in sorted((data / "labels").iterdir())]
    first = discriminator_features(run, images, labels, batch_size=4)
    again = discriminator_features(run, images, labels, batch_size=2)
    assert first.shape == (6, 2 * (8 + 16 + 32 + 64)) and first.dtype == np.float32
    np.testing.assert_allclose(first, again, rtol=1e-5, atol=1e-6)
    assert np.isfinite(first).all()
    assert not np.allclose(first[0], first[3])  # different images, different features
    # Any image size works: it is resized to the run's size.
    big = discriminator_features(run, [np.kron(images[0], np.ones((2, 2), np.uint8))], [labels[0]])
    assert big.shape == (1, first.shape[1])
    with pytest.raises(InvalidParameterError, match="same length"):
        discriminator_features(run, images, labels[:2])


def test_vae_generation_is_deterministic_per_seed(pairs: Path, tmp_path: Path, tiny: dict) -> None:
    from synthscope.spade import SpadeConfig, training_loop

    config = SpadeConfig(**{**tiny, "use_vae": True, "z_dim": 8, "max_steps": 1})
    training_loop(pairs, tmp_path / "run", config)
    for name, seed, batch in (("a", 5, 4), ("b", 5, 1)):
        generate_images(
            tmp_path / "run", pairs / "labels", tmp_path / name, seed=seed, batch_size=batch
        )
    assert _bytes(tmp_path / "a" / "images") == _bytes(tmp_path / "b" / "images")
    # Another seed gives other style codes and so other outputs (too close to tell apart in
    # 8 bits after one step, hence compared before rounding).
    model = load_trained(tmp_path / "run", device="cpu").model
    seg = torch.zeros(1, 4, 32, 32)
    seg[:, 1] = 1
    with torch.no_grad():
        a, c = (model.generator(seg, style_codes(seed, [0], 8)) for seed in (5, 6))
    assert not torch.equal(a, c)


def test_feature_errors_name_the_pair(trained_run) -> None:
    _, run = trained_run
    image = np.zeros((32, 32), np.uint8)
    with pytest.raises(InputError, match=r"point 7: label values 9 are out of range"):
        discriminator_features(run, [image], [np.full((32, 32), 9, np.uint8)], names=["point 7"])
