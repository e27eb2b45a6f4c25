"""``torchscript:PATH`` and ``onnx:PATH``: tiny models exported here, fed as the options say,
checked against running the torch module directly; and every bad model named with its problem."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from torch import nn

from synthscope.errors import InputError, InvalidParameterError
from synthscope.features import OnnxExtractor, TorchScriptExtractor, parse_spec

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


class Tiny(nn.Module):
    """Conv, ReLU, then (N, 4) features or, with ``maps``, the (N, 4, H, W) maps themselves."""

    def __init__(self, channels: int = 3, maps: bool = False) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(channels, 4, 3, stride=2)
        self.maps = maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.conv(x))
        return y if self.maps else y.mean(dim=(2, 3))


class Tokens(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(2)  # (N, C, H*W): rank 3


class FixedBatch(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(1, -1)[:, :8]  # one row whatever the batch


class NotFinite(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.mean(dim=(2, 3))
        return torch.where(y > 0.5, y / 0.0, y)  # inf for bright images


class Pair(nn.Module):
    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x.mean(dim=(2, 3)), x.amax(dim=(2, 3))


def export_onnx(
    module: nn.Module,
    path: Path,
    example: torch.Tensor,
    *,
    dynamic: bool = True,
    outputs=("features",),
) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (example,),
            str(path),
            dynamo=False,
            input_names=["images"],
            output_names=list(outputs),
            dynamic_axes={"images": {0: "batch"}, **{o: {0: "batch"} for o in outputs}}
            if dynamic
            else None,
        )
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    x3, x1 = torch.rand(2, 3, 32, 32), torch.rand(2, 1, 32, 32)
    out = {}
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch")
    torch.jit.script(Tiny()).save(str(root / "tiny.pt"))
    out["tiny.pt"] = root / "tiny.pt"
    for name, module in (
        ("maps.pt", Tiny(maps=True)),
        ("tokens.pt", Tokens()),
        ("fixed.pt", FixedBatch()),
        ("nan.pt", NotFinite()),
        ("pair.pt", Pair()),
    ):
        torch.jit.trace(module, x3).save(str(root / name))
        out[name] = root / name
    out["tiny.onnx"] = export_onnx(Tiny(), root / "tiny.onnx", x3)
    out["maps.onnx"] = export_onnx(Tiny(maps=True), root / "maps.onnx", x3)
    out["fixed.onnx"] = export_onnx(Tiny(), root / "fixed.onnx", x3, dynamic=False)
    out["grey.onnx"] = export_onnx(Tiny(channels=1), root / "grey.onnx", x1, dynamic=False)
    out["pair.onnx"] = export_onnx(Pair(), root / "pair.onnx", x3, outputs=("mean", "max"))
    out["nan.onnx"] = export_onnx(NotFinite(), root / "nan.onnx", x3)
    (root / "garbage.onnx").write_bytes(b"not a model at all" * 10)
    (root / "garbage.pt").write_bytes(b"not a model at all" * 10)
    out["garbage.onnx"], out["garbage.pt"] = root / "garbage.onnx", root / "garbage.pt"
    return out


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        rng.integers(0, 256, shape).astype(np.uint8)
        for shape in [(40, 40), (50, 64), (32, 32), (70, 45), (33, 33)]
    ]


def reference_batch(images, size, channels, mean, std) -> torch.Tensor:
    """The documented preprocessing, written out independently."""
    rows = []
    for image in images:
        h, w = image.shape
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        square = Image.fromarray(image[top : top + side, left : left + side])
        grey = np.asarray(square.resize((size, size), Image.BILINEAR), np.float32) / 255
        rows.append(
            (np.repeat(grey[None], channels, 0) - np.reshape(mean, (-1, 1, 1)))
            / np.reshape(std, (-1, 1, 1))
        )
    return torch.from_numpy(np.stack(rows).astype(np.float32))


@pytest.mark.parametrize("kind", ["torchscript", "onnx"])
def test_model_output_equals_the_torch_module_on_the_documented_input(models, images, kind):
    suffix = "pt" if kind == "torchscript" else "onnx"
    spec = f"{kind}:{models['tiny.' + suffix]}?size=32&mean=imagenet&std=imagenet&batch=2"
    extractor = parse_spec(spec)
    assert extractor.name == f"{kind}.tiny"
    rows = extractor.transform(images)
    with torch.no_grad():
        expected = Tiny()(reference_batch(images, 32, 3, IMAGENET_MEAN, IMAGENET_STD)).numpy()
    assert rows.shape == (5, 4) and rows.dtype == np.float32
    np.testing.assert_allclose(rows, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["maps.pt", "maps.onnx"])
def test_four_dimensional_outputs_are_averaged_over_space(models, images, name):
    kind = "torchscript" if name.endswith(".pt") else "onnx"
    rows = parse_spec(f"{kind}:{models[name]}?size=32").transform(images)
    with torch.no_grad():
        expected = (
            Tiny(maps=True)(reference_batch(images, 32, 3, [0.0], [1.0])).mean(dim=(2, 3)).numpy()
        )
    np.testing.assert_allclose(rows, expected, rtol=1e-5, atol=1e-6)


def test_options_land_in_params_and_the_spec(models):
    path = models["tiny.onnx"]
    extractor = parse_spec(
        f"onnx:{path}?size=64&channels=3&mean=0.5&std=0.25,0.5,1&batch=8&output=features"
    )
    params = extractor.params()
    assert params["path"] == str(path.resolve())
    assert (params["size"], params["channels"], params["batch"], params["output"]) == (
        64,
        3,
        8,
        "features",
    )
    assert params["mean"] == [0.5, 0.5, 0.5] and params["std"] == [0.25, 0.5, 1.0]
    assert extractor.input_size() == 64 and extractor.batch_size == 8
    assert parse_spec(extractor.spec).params() == params
    defaults = parse_spec(f"torchscript:{models['tiny.pt']}").params()
    assert (defaults["size"], defaults["channels"], defaults["batch"]) == (224, 3, 32)
    assert (
        defaults["mean"] == [0.0] * 3 and defaults["std"] == [1.0] * 3 and "output" not in defaults
    )


def test_model_digest_follows_the_file(models, tmp_path):
    copy = tmp_path / "copy.onnx"
    copy.write_bytes(models["tiny.onnx"].read_bytes())
    extractor = parse_spec(f"onnx:{copy}")
    before = extractor.identity()["model_sha1"]
    copy.write_bytes(models["maps.onnx"].read_bytes())
    assert extractor.identity()["model_sha1"] != before


def test_a_fixed_batch_onnx_model_needs_its_batch_and_then_takes_any_count(models, images):
    with pytest.raises(
        InputError,
        match=r"fixed\.onnx: was exported with a fixed batch size of 2 and the spec asks for batch 32: add \?batch=2",
    ):
        parse_spec(f"onnx:{models['fixed.onnx']}?size=32").transform(images)
    rows = parse_spec(f"onnx:{models['fixed.onnx']}?size=32&batch=2").transform(
        images
    )  # 5 = 2 + 2 + 1
    np.testing.assert_allclose(
        rows,
        parse_spec(f"onnx:{models['tiny.onnx']}?size=32").transform(images),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_fixed_batch_torchscript_model_is_named(models, images):
    with pytest.raises(
        InputError, match=r"fixed\.pt: returned 1 rows for a batch of 32 images: .*add \?batch=1"
    ):
        parse_spec(f"torchscript:{models['fixed.pt']}?size=32").transform(images)


def test_static_channels_and_size_are_checked_and_grey_models_work(models, images):
    grey = models["grey.onnx"]
    with pytest.raises(
        InputError,
        match=r"grey\.onnx: expects 1 input channels, the spec gives 3: add \?channels=1",
    ):
        parse_spec(f"onnx:{grey}?batch=2&size=32").transform(images)
    with pytest.raises(
        InputError, match=r"grey\.onnx: expects 32x32 inputs, the spec gives 224x224: add \?size=32"
    ):
        parse_spec(f"onnx:{grey}?batch=2&channels=1").transform(images)
    rows = parse_spec(f"onnx:{grey}?batch=2&channels=1&size=32").transform(images)
    with torch.no_grad():
        expected = Tiny(channels=1)(reference_batch(images, 32, 1, [0.0], [1.0])).numpy()
    np.testing.assert_allclose(rows, expected, rtol=1e-5, atol=1e-6)


def test_outputs_are_chosen_by_name_and_tuples_give_their_first(models, images):
    pair = models["pair.onnx"]
    mean = parse_spec(f"onnx:{pair}?size=32").transform(images)
    high = parse_spec(f"onnx:{pair}?size=32&output=max").transform(images)
    assert mean.shape == high.shape == (5, 3) and (high >= mean).all() and (high > mean).any()
    np.testing.assert_allclose(
        parse_spec(f"torchscript:{models['pair.pt']}?size=32").transform(images),
        mean,
        rtol=1e-5,
        atol=1e-6,
    )
    with pytest.raises(
        InputError, match=r"pair\.onnx: has no output 'min'; its outputs are mean, max"
    ):
        parse_spec(f"onnx:{pair}?size=32&output=min").transform(images)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("garbage.onnx", r"garbage\.onnx: is not a loadable ONNX model \("),
        ("garbage.pt", r"garbage\.pt: is not a loadable TorchScript model \("),
        ("tokens.pt", r"tokens\.pt: returned an output of rank 3 \(shape \(32, 3, 1024\)\)"),
        ("nan.pt", r"nan\.pt: returned NaN or infinite values for 1 of 32 images \(first: image 0"),
        ("nan.onnx", r"nan\.onnx: returned NaN or infinite values for 1 of 32 images"),
    ],
)
def test_bad_models_name_the_file_and_the_problem(models, name, message):
    kind = "torchscript" if name.endswith(".pt") else "onnx"
    bright = [np.full((40, 40), 250, np.uint8), np.full((40, 40), 10, np.uint8)]
    with pytest.raises(InputError, match=message):
        parse_spec(f"{kind}:{models[name]}?size=32").transform(bright)


def test_a_model_that_fails_on_the_input_is_named(models, images):
    with pytest.raises(
        InputError,
        match=r"tiny\.pt: failed on a batch of shape \(32, 1, 32, 32\) .*check the size, channels",
    ):
        parse_spec(f"torchscript:{models['tiny.pt']}?size=32&channels=1").transform(images)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?size=0", r"size must be an integer in \[8, 4096\] \(got '0'\)"),
        ("?size=abc", r"size must be an integer"),
        (
            "?colour=1",
            r"unknown option 'colour'; options are size, channels, mean, std, batch, output",
        ),
        ("?size=32&size=64", r"option 'size' is given twice"),
        ("?mean=", r"option 'mean' has no value"),
        ("?mean=0.1,0.2", r"mean has 2 values for 3 channels \(give 1 or 3\)"),
        ("?std=0", r"std must be > 0"),
        ("?mean=a,b", r"mean must be numbers separated by commas, or imagenet"),
        ("?channels=1&mean=imagenet", r"mean has 3 values for 1 channels"),
    ],
)
def test_bad_options_name_the_spec(models, query, message):
    spec = f"onnx:{models['tiny.onnx']}{query}"
    with pytest.raises(InvalidParameterError, match=message) as caught:
        parse_spec(spec)
    assert caught.value.parameter == "features" and str(caught.value).startswith(
        f"features {spec!r}"
    )


def test_torchscript_takes_no_output_option_and_files_must_exist(models, tmp_path):
    with pytest.raises(
        InvalidParameterError,
        match=r"unknown option 'output'; options are size, channels, mean, std, batch$",
    ):
        parse_spec(f"torchscript:{models['tiny.pt']}?output=x")
    with pytest.raises(InvalidParameterError, match=r"no such model file '.*missing\.onnx'"):
        parse_spec(f"onnx:{tmp_path / 'missing.onnx'}")
    with pytest.raises(
        InvalidParameterError, match=r"features 'onnx': needs a model file: onnx:PATH"
    ):
        parse_spec("onnx")


def test_loaded_models_stay_behind_when_pickled(models, images):
    for extractor in (
        TorchScriptExtractor.from_arg(f"{models['tiny.pt']}?size=32"),
        OnnxExtractor.from_arg(f"{models['tiny.onnx']}?size=32"),
    ):
        rows = extractor.transform(images)
        clone = pickle.loads(pickle.dumps(extractor))
        assert all(value is None for key, value in vars(clone).items() if key.startswith("_loaded"))
        np.testing.assert_allclose(clone.transform(images), rows, rtol=1e-6)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    image=st.tuples(st.integers(16, 300), st.integers(16, 300)).flatmap(
        lambda shape: arrays(np.uint8, shape, elements=st.integers(0, 255))
    )
)
def test_any_image_gives_a_finite_row_from_a_user_model(models, image):
    rows = parse_spec(f"onnx:{models['tiny.onnx']}?size=32&batch=4").transform([image])
    assert rows.shape == (1, 4) and rows.dtype == np.float32 and np.isfinite(rows).all()
