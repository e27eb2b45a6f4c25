"""The built-in IVUS phantom: anatomy, echo physics and pullbacks of frames with label maps."""

from synthscope.phantom._params import SHIFT_KNOBS, PhantomParams
from synthscope.phantom._render import LABELS
from synthscope.phantom._simulate import FrameRecord, PhantomFrames, simulate, simulate_pullback
from synthscope.phantom._write import write_phantom

__all__ = [
    "LABELS",
    "SHIFT_KNOBS",
    "FrameRecord",
    "PhantomFrames",
    "PhantomParams",
    "simulate",
    "simulate_pullback",
    "write_phantom",
]
