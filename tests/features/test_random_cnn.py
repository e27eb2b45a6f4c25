"""``random-cnn[:K]``: fixed-seed weights, the same rows in every call and process, K sets the
width, and the features see blur and speckle size on the phantom."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch import nn

from synthscope.errors import InvalidParameterError
from synthscope.features import RandomCNNExtractor, parse_spec
from synthscope.features._random_cnn import STAGES, random_cnn_weights
from tests.features._data import frames

ROOT = Path(__file__).resolve().parents[2]
PER_NETWORK = 2 * sum(channels for channels, _ in STAGES)  # 240
# sha1 of network 0's weights: changes only if the weights change (then bump the version).
WEIGHTS_SHA1 = "1a7228446d0e7d35866dc11da6d3e3a43d119169"


def digest(rows: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(rows).tobytes()).hexdigest()


@pytest.mark.parametrize(
    ("spec", "name", "networks"),
    [
        ("random-cnn", "random-cnn", 4),
        ("random-cnn:4", "random-cnn", 4),
        ("random-cnn:8", "random-cnn8", 8),
        ("random-cnn:1", "random-cnn1", 1),
    ],
)
def test_spec_name_and_width(spec, name, networks, phantom):
    extractor = parse_spec(spec)
    assert extractor.name == name and extractor.networks == networks
    assert extractor.params()["networks"] == networks and extractor.input_size() == 128
    assert extractor.transform(list(phantom.images[:2])).shape == (2, PER_NETWORK * networks)


@pytest.mark.parametrize("arg", ["0", "65", "x", "-1", ""])
def test_bad_network_counts_are_refused(arg):
    with pytest.raises(
        InvalidParameterError,
        match=rf"features 'random-cnn:{arg}': the number of networks K must be 1..64",
    ):
        parse_spec(f"random-cnn:{arg}")


def test_weights_come_from_fixed_seeds():
    weights = random_cnn_weights(1)
    assert hashlib.sha1(b"".join(w.tobytes() for w in weights)).hexdigest() == WEIGHTS_SHA1
    # Network k's weights do not depend on how many networks there are.
    for small, large in zip(random_cnn_weights(2), random_cnn_weights(5), strict=True):
        np.testing.assert_array_equal(large[: small.shape[0]], small)
    first = weights[0][:, 0]
    assert np.abs(first[::2].sum(axis=(1, 2))).max() < 1e-6  # the zero-mean filters


def test_rows_are_identical_across_calls_batches_threads_and_pickling(phantom):
    images = list(phantom.images)
    extractor = RandomCNNExtractor()
    rows = extractor.transform(images)
    np.testing.assert_array_equal(extractor.transform(images), rows)
    np.testing.assert_array_equal(RandomCNNExtractor(threads=1).transform(images), rows)
    np.testing.assert_array_equal(
        np.concatenate([extractor.transform([im]) for im in images]), rows
    )
    clone = pickle.loads(pickle.dumps(extractor))
    assert clone._loaded_weights is None
    np.testing.assert_array_equal(clone.transform(images), rows)


def test_rows_are_identical_in_a_fresh_process(phantom):
    rows = RandomCNNExtractor(8).transform(list(phantom.images[:3]))
    code = textwrap.dedent(
        """
        import hashlib, numpy as np
        from synthscope.features import RandomCNNExtractor
        from tests.features._data import frames
        rows = RandomCNNExtractor(8).transform(list(frames().images[:3]))
        print(hashlib.sha1(np.ascontiguousarray(rows).tobytes()).hexdigest())
        """
    )
    env = {"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == digest(rows)


def test_rows_equal_the_networks_run_one_by_one(phantom):
    """Reference: each network as its own torch Sequential (no grouped convolutions), pooled with
    torch.std_mean, on the documented input."""
    from PIL import Image

    networks = 3
    images = list(phantom.images[:3])
    x = np.stack(
        [np.asarray(Image.fromarray(im).resize((128, 128), Image.BILINEAR)) for im in images]
    )
    x = (torch.from_numpy(x).float()[:, None] / 255 - 0.5) / 0.25
    weights = random_cnn_weights(networks)
    per_stage: list[list[torch.Tensor]] = [[] for _ in STAGES]
    for k in range(networks):
        h = x
        for s, ((channels, stride), w) in enumerate(zip(STAGES, weights, strict=True)):
            conv = nn.Conv2d(h.shape[1], channels, 3, stride=stride, padding=1, bias=False)
            conv.weight.data = torch.from_numpy(w[k * channels : (k + 1) * channels])
            with torch.no_grad():
                h = torch.relu(conv(h))
            per_stage[s].append(h)
    expected = []
    for maps in per_stage:
        std, mean = torch.std_mean(torch.cat(maps, dim=1), dim=(2, 3), correction=0)
        expected += [mean, std]
    expected = torch.cat(expected, dim=1).numpy()
    rows = RandomCNNExtractor(networks).transform(images)
    np.testing.assert_allclose(rows, expected, rtol=1e-4, atol=1e-5)


def test_the_first_networks_columns_are_the_same_whatever_k(phantom):
    images = list(phantom.images[:2])
    four, eight = RandomCNNExtractor(4).transform(images), RandomCNNExtractor(8).transform(images)
    # Per stage: the channel means of every network, then the standard deviations.
    start4 = start8 = 0
    for channels, _ in STAGES:
        for _ in ("mean", "std"):
            np.testing.assert_allclose(
                eight[:, start8 : start8 + 4 * channels],
                four[:, start4 : start4 + 4 * channels],
                rtol=1e-6,
                atol=1e-7,
            )
            start4, start8 = start4 + 4 * channels, start8 + 8 * channels
    assert start4 == four.shape[1] and start8 == eight.shape[1]


@settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    image=st.tuples(st.integers(16, 300), st.integers(16, 300)).flatmap(
        lambda shape: arrays(np.uint8, shape, elements=st.integers(0, 255))
    )
)
def test_any_image_gives_a_finite_row(image):
    row = RandomCNNExtractor(2, threads=1).transform([image])
    assert row.shape == (1, 2 * PER_NETWORK) and row.dtype == np.float32 and np.isfinite(row).all()


@pytest.mark.parametrize(
    ("knob", "value", "min_auroc"), [("blur_px", 1.5, 1.0), ("speckle_size", 1.8, 0.9)]
)
def test_features_see_blur_and_speckle_size(knob, value, min_auroc):
    """The mean paired shift (same seed, so same anatomy and scatterers) learned on one set of
    pullbacks ranks the shifted frames of other pullbacks above their unshifted twins."""
    extractor = RandomCNNExtractor()
    train, train_shifted = (
        extractor.transform(list(frames(3, **s).images)) for s in ({}, {knob: value})
    )
    test, test_shifted = (
        extractor.transform(list(frames(4, **s).images)) for s in ({}, {knob: value})
    )
    scale = np.vstack([train, test]).std(axis=0)
    scale += 0.1 * np.median(scale) + 1e-6
    direction = ((train_shifted - train) / scale).mean(axis=0)
    plain, shifted = (test / scale) @ direction, (test_shifted / scale) @ direction
    auroc = np.mean(shifted[:, None] > plain[None, :])
    assert auroc >= min_auroc
