"""The built-in IVUS phantom: anatomy, echo physics and pullbacks of frames with label maps.

>>> from synthscope.phantom import PhantomParams, simulate, write_phantom
>>> frames = simulate(4, size=128, seed=0, pullbacks=2, workers=1)   # arrays, no files
>>> frames.images.shape, frames.labels.dtype, frames.records[0].stem
((4, 128, 128), dtype('uint8'), 'pb000_f0000')
>>> noisy = PhantomParams().shifted(noise_db=-28.0)    # differs from the default in noise alone
>>> # write_phantom("out", n=3600, pullbacks=10, params=noisy)   # images/, labels/, frames.tsv

Modules: ``_params`` (the knobs), ``_anatomy`` (borders along a pullback), ``_echo`` (scatterers,
point-spread function, envelope, log compression), ``_render`` (tissue properties, image and label
map of one frame), ``_scan`` (polar grid and scan conversion), ``_simulate`` (seeding, records,
workers), ``_write`` and ``_png`` (the folder on disk).
"""

from synthscope.phantom._params import SHIFT_KNOBS, PhantomParams
from synthscope.phantom._render import LABELS
from synthscope.phantom._simulate import FrameRecord, PhantomFrames, simulate, simulate_pullback
from synthscope.phantom._write import write_phantom

__all__ = [
    "FrameRecord",
    "LABELS",
    "PhantomFrames",
    "PhantomParams",
    "SHIFT_KNOBS",
    "simulate",
    "simulate_pullback",
    "write_phantom",
]
