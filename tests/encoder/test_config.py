"""EncoderConfig: every constraint gives a message that names the option and what it accepts."""

from __future__ import annotations

import pytest

from synthscope.encoder import CONSTRAINTS, EncoderConfig
from synthscope.errors import InvalidParameterError

BAD = [
    ("size", 8, r"size must be in \[16, 1024\] \(got 8\)"),
    ("size", 128.0, r"size must be an integer \(got 128.0\)"),
    ("width", 1, r"width must be in \[2, 256\] \(got 1\)"),
    ("projector_dim", 4, r"projector_dim must be in \[8, 8192\] \(got 4\)"),
    ("method", "byol", r"method must be one of 'vicreg', 'simclr' \(got 'byol'\)"),
    ("epochs", 0, r"epochs must be in \[1, 100000\] \(got 0\)"),
    ("batch_size", 2, r"batch_size must be in \[4, 65536\] \(got 2\)"),
    ("batch_size", True, r"batch_size must be an integer \(got True\)"),
    ("lr", 0.0, r"lr must be in \(0, 1\] \(got 0.0\)"),
    ("lr", float("nan"), r"lr must be in \(0, 1\] \(got nan\)"),
    ("weight_decay", -1e-4, r"weight_decay must be in \[0, 1\] \(got -0.0001\)"),
    ("warmup_steps", -1, r"warmup_steps must be >= 0 \(got -1\)"),
    ("seed", -1, r"seed must be in \[0, 9223372036854775807\] \(got -1\)"),
    ("device", "tpu", r"device must be one of 'auto', 'cpu', 'cuda' \(got 'tpu'\)"),
    ("precision", "fp16", r"precision must be one of 'auto', 'fp32', 'bf16' \(got 'fp16'\)"),
    ("snapshot_every", 0, r"snapshot_every must be >= 1 \(got 0\)"),
]


def test_every_option_has_a_constraint_and_every_constraint_a_bad_value() -> None:
    assert set(CONSTRAINTS) == set(EncoderConfig().to_dict())
    assert {name for name, _, _ in BAD} == set(CONSTRAINTS)


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_bad_values_are_refused_naming_the_option(name: str, value: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message) as caught:
        EncoderConfig(**{name: value})
    assert caught.value.parameter == name
    with pytest.raises(InvalidParameterError, match=message):
        EncoderConfig().replace(**{name: value})  # replace() checks again


def test_defaults_and_round_trip() -> None:
    config = EncoderConfig()
    assert (config.size, config.method, config.device) == (128, "vicreg", "auto")
    assert config.feature_dim == 15 * config.width
    assert EncoderConfig.from_dict(config.to_dict()) == config
    with pytest.raises(InvalidParameterError, match="unknown encoder option"):
        EncoderConfig.from_dict({**config.to_dict(), "momentum": 0.99})
