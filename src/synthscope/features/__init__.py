"""Feature extractors: turn images into vectors, one registry for every feature space.

A spec names an extractor and its argument (``pixels:32``, ``spade-disc:RUN``); the stored name is
what the workspace calls its vectors (``pixels32``, ``spade-disc.RUN``)::

    >>> from synthscope.features import parse_spec
    >>> extractor = parse_spec("pixels:16")
    >>> extractor.transform([image]).shape                      # doctest: +SKIP
    (1, 256)

Extractors register themselves when their module is imported; importing this package imports
them all (heavy libraries such as torch and onnxruntime load only when an extractor runs).

Feature spaces: ``pixels[:N]`` (the founding study's raw pixels), ``texture`` (speckle and texture
statistics, 150 named columns), ``random-cnn[:K]`` (K random networks), ``spade-disc:RUN``, and the
user's own ``torchscript:PATH`` / ``onnx:PATH`` models; see ``docs/features.md``.
"""

# isort: off
# Registration order is the order of spec_syntax() in help texts (DESIGN.md's order).
from synthscope.features._registry import (
    Extractor,
    extractor_kinds,
    feature_name,
    file_digest,
    parse_spec,
    register,
    spec_syntax,
)
from synthscope.features._pixels import (
    PixelsExtractor,
    parse_pixel_size,
    pixel_feature_name,
    pixel_vector,
    pixels_to_float,
)
from synthscope.features._texture import TextureExtractor, texture_row
from synthscope.features._random_cnn import RandomCNNExtractor
from synthscope.features._spade_disc import SpadeDiscExtractor
from synthscope.features._ssl import SSLExtractor
from synthscope.features._user_model import OnnxExtractor, TorchScriptExtractor
from synthscope.features._model_options import ModelOptions
from synthscope.features._standardize import needs_standardizing, standardize

# isort: on

__all__ = [
    "Extractor",
    "ModelOptions",
    "OnnxExtractor",
    "PixelsExtractor",
    "RandomCNNExtractor",
    "SSLExtractor",
    "SpadeDiscExtractor",
    "TextureExtractor",
    "TorchScriptExtractor",
    "extractor_kinds",
    "feature_name",
    "file_digest",
    "needs_standardizing",
    "parse_pixel_size",
    "parse_spec",
    "pixel_feature_name",
    "pixel_vector",
    "pixels_to_float",
    "register",
    "spec_syntax",
    "standardize",
    "texture_row",
]
