"""Feature extractors: turn images into vectors, one registry for every feature space.

A spec names an extractor and its argument (``pixels:32``, ``spade-disc:RUN``); the stored name is
what the workspace calls its vectors (``pixels32``, ``spade-disc.RUN``)::

    >>> from synthscope.features import parse_spec
    >>> extractor = parse_spec("pixels:16")
    >>> extractor.transform([image]).shape                      # doctest: +SKIP
    (1, 256)

Extractors register themselves when their module is imported; importing this package imports
them all (heavy libraries such as torch load only when an extractor runs).
"""

# isort: off
# Registration order is the order of spec_syntax() in help texts.
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
from synthscope.features._spade_disc import SpadeDiscExtractor
from synthscope.features._ssl import SSLExtractor

# isort: on

__all__ = [
    "Extractor",
    "PixelsExtractor",
    "SSLExtractor",
    "SpadeDiscExtractor",
    "extractor_kinds",
    "feature_name",
    "file_digest",
    "parse_pixel_size",
    "parse_spec",
    "pixel_feature_name",
    "pixel_vector",
    "pixels_to_float",
    "register",
    "spec_syntax",
]
