"""``ssl:RUN`` in the feature registry: spec, stored name, provenance, vectors."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from synthscope.encoder import encode, load_encoder
from synthscope.errors import InvalidParameterError
from synthscope.features import SSLExtractor, extractor_kinds, file_digest, parse_spec, spec_syntax


def test_the_spec_is_registered_and_named_after_the_run(trained_run: Path) -> None:
    assert "ssl" in extractor_kinds() and "ssl:RUN[@SIZE]" in spec_syntax()
    extractor = parse_spec(f"ssl:{trained_run}")
    assert isinstance(extractor, SSLExtractor)
    assert extractor.name == "ssl.run" and extractor.spec == f"ssl:{trained_run}"
    sized = parse_spec(f"ssl:{trained_run}@48")
    assert (sized.size, sized.name, sized.spec) == (48, "ssl.run", f"ssl:{trained_run}@48")
    with pytest.raises(InvalidParameterError, match="features 'ssl' needs an encoder run folder"):
        parse_spec("ssl")
    with pytest.raises(InvalidParameterError, match=r"the size must be 16\.\.1024"):
        parse_spec(f"ssl:{trained_run}@4")


def test_provenance_names_run_epoch_input_size_and_weights(trained_run: Path) -> None:
    extractor = parse_spec(f"ssl:{trained_run}")
    assert extractor.params() == {
        "run": str(trained_run.resolve()),
        "checkpoint": "latest",
        "epoch": 1,
        "input_size": 32,
    }
    assert extractor.input_size() == 32
    assert extractor.model_digest() == file_digest(trained_run / "checkpoints" / "latest.pt")
    assert extractor.identity()["kind"] == "ssl"
    assert parse_spec(f"ssl:{trained_run}@48").params()["input_size"] == 48


def test_transform_is_encode_and_pickles_without_the_model(
    trained_run: Path, frames: np.ndarray
) -> None:
    extractor = parse_spec(f"ssl:{trained_run}")
    vectors = extractor.transform(list(frames[:4]))
    expected = encode(load_encoder(trained_run, device="cpu"), list(frames[:4]))
    assert vectors.dtype == np.float32 and np.array_equal(vectors, expected)
    extractor.params()  # caches the run's epoch and size
    copy = pickle.loads(pickle.dumps(extractor))
    assert copy._loaded_encoder is None and copy._loaded_info is None
    assert np.array_equal(copy.transform(list(frames[:4])), expected)


def test_a_missing_run_fails_in_prepare_naming_the_file(tmp_path: Path) -> None:
    extractor = parse_spec(f"ssl:{tmp_path / 'gone'}")
    assert extractor.params()["epoch"] is None and extractor.model_digest() is None
    with pytest.raises(Exception, match=r"gone/options.json: not found"):
        extractor.prepare()
