from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys

from typer.testing import CliRunner

from synthscope.cli import app
from synthscope.cli._phantom import phantom_command
from synthscope.phantom import PhantomParams

# CLI option -> PhantomParams field it sets.
OPTION_FIELDS = {
    "speckle_size": "speckle_size",
    "dynamic_range": "dynamic_range_db",
    "gain": "gain_db",
    "blur": "blur_px",
    "noise": "noise_db",
    "attenuation": "attenuation_db_cm_mhz",
    "frequency": "center_frequency_mhz",
    "blood_echo": "blood_echo_db",
    "ringdown": "ringdown",
    "calcium_probability": "calcium_probability",
}


def test_cli_defaults_are_the_library_defaults():
    signature = inspect.signature(phantom_command)
    defaults = {f.name: f.default for f in dataclasses.fields(PhantomParams)}
    for option, field in OPTION_FIELDS.items():
        assert signature.parameters[option].default == defaults[field], option


def test_phantom_command_writes_a_set(tmp_path):
    out = tmp_path / "set"
    result = CliRunner().invoke(
        app, ["phantom", str(out), "--n", "3", "--size", "64", "--seed", "2", "--blur", "1.0"]
    )
    assert result.exit_code == 0, result.output
    assert len(list((out / "images").glob("*.png"))) == 3
    assert (out / "frames.tsv").read_text().startswith("stem\tpullback\t")
    assert '"blur_px": 1.0' in (out / "phantom.json").read_text()


def test_phantom_command_reports_bad_values_on_one_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "synthscope",
            "phantom",
            str(tmp_path / "x"),
            "--n",
            "2",
            "--dynamic-range",
            "5",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "dynamic_range_db must be in [10, 120] (got 5.0)" in result.stderr
    assert "Traceback" not in result.stderr
