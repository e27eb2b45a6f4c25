"""The phantom's parameters: one frozen dataclass, checked against a small constraint table.

The *shift knobs* are the imaging parameters a realism study varies one at a time: a set made with
``dataclasses.replace(DEFAULT_PARAMS, knob=value)`` under the same seed has the same anatomy and the
same random scatterers as the default set and differs only where that knob acts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from synthscope._params import Integral, Interval, Options, Real, fail
from synthscope._params import check_params as check_params_table
from synthscope.errors import InvalidParameterError

__all__ = ["SHIFT_KNOBS", "PhantomParams", "check_params"]


@dataclass(frozen=True, kw_only=True)
class PhantomParams:
    """Everything the phantom's physics and anatomy depend on, except size, seed and counts.

    Imaging (the shift knobs, :data:`SHIFT_KNOBS`)
    ----------------------------------------------
    speckle_size : float
        Scale of the point-spread function (axial pulse length and lateral beam width) relative
        to a 40 MHz catheter: larger grains, same brightness.
    dynamic_range_db : float
        Span of envelope levels mapped onto 0..255 by log compression.
    gain_db : float
        Overall receive gain: shifts every level before log compression.
    blur_px : float
        Standard deviation, in output pixels, of a Gaussian blur applied after scan conversion
        (a display filter; 0 = none).
    noise_db : float
        Power of additive electronic noise relative to fibrous plaque (0 dB), entered before
        time-gain compensation so that it grows with depth.
    attenuation_db_cm_mhz : float
        Attenuation slope of soft tissue (one way); blood and calcium scale with it.
    tgc_db_cm : float
        Time-gain compensation slope (round trip); the default compensates most of the
        default tissue attenuation.
    center_frequency_mhz : float
        Transducer centre frequency: sets the wavelength (lateral beam width) and attenuation.
    fractional_bandwidth : float
        -6 dB bandwidth over centre frequency: sets the axial pulse length.
    blood_echo_db : float
        Echogenicity of blood relative to fibrous plaque (faint speckle in the lumen).
    ringdown : float
        Amplitude factor of the catheter ring-down artefact (0 = none).

    Anatomy
    -------
    field_of_view_mm : float
        Diameter of the imaging circle; the frame spans it edge to edge.
    calcium_probability : float
        Probability that a pullback carries calcified plaque.
    plaque_burden_min, plaque_burden_max : float
        Range of plaque burden (1 - lumen area / EEM area) the vessels move through.
    frame_spacing_mm : float
        Distance between consecutive frames along the pullback; anatomy changes over a few mm.
    guidewire : bool
        Whether a guidewire (bright echo with a shadow behind it) lies in the lumen.
    n_lines : int
        A-lines per frame (the polar grid's angular sampling).
    """

    speckle_size: float = 1.0
    dynamic_range_db: float = 50.0
    gain_db: float = 0.0
    blur_px: float = 0.0
    noise_db: float = -42.0
    attenuation_db_cm_mhz: float = 0.5
    tgc_db_cm: float = 24.0
    center_frequency_mhz: float = 40.0
    fractional_bandwidth: float = 0.5
    blood_echo_db: float = -24.0
    ringdown: float = 1.0
    field_of_view_mm: float = 10.0
    calcium_probability: float = 0.5
    plaque_burden_min: float = 0.3
    plaque_burden_max: float = 0.75
    frame_spacing_mm: float = 0.2
    guidewire: bool = True
    n_lines: int = 512

    def __post_init__(self) -> None:
        check_params(self)

    def shifted(self, **changes: float) -> PhantomParams:
        """Return a copy with the named knobs changed (and checked)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise InvalidParameterError(f"unknown phantom parameter(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)


#: The imaging knobs a realism study shifts, each with a shifted value that is clearly visible but
#: still plausible; the default set is ``PhantomParams()``.
SHIFT_KNOBS: dict[str, float] = {
    "attenuation_db_cm_mhz": 1.0,
    "blood_echo_db": -14.0,
    "blur_px": 1.5,
    "center_frequency_mhz": 20.0,
    "dynamic_range_db": 35.0,
    "gain_db": 6.0,
    "noise_db": -28.0,
    "ringdown": 0.0,
    "speckle_size": 1.8,
}

# Every numeric parameter's range; the uniform message comes from synthscope._params.
_CONSTRAINTS: dict[str, Interval] = {
    "speckle_size": Interval(Real, 0, 10, closed="right"),
    "dynamic_range_db": Interval(Real, 10, 120),
    "gain_db": Interval(Real, -60, 60),
    "blur_px": Interval(Real, 0, 20),
    "noise_db": Interval(Real, -200, 20),
    "attenuation_db_cm_mhz": Interval(Real, 0, 5),
    "tgc_db_cm": Interval(Real, 0, 200),
    "center_frequency_mhz": Interval(Real, 5, 80),
    "fractional_bandwidth": Interval(Real, 0.1, 1.5),
    "blood_echo_db": Interval(Real, -80, 10),
    "ringdown": Interval(Real, 0, 10),
    "field_of_view_mm": Interval(Real, 6, 20),
    "calcium_probability": Interval(Real, 0, 1),
    "plaque_burden_min": Interval(Real, 0.05, 0.9),
    "plaque_burden_max": Interval(Real, 0.05, 0.9),
    "frame_spacing_mm": Interval(Real, 0, 10, closed="right"),
    "n_lines": Interval(Integral, 64, 4096),
    "guidewire": Options(True, False),
}


def check_params(params: PhantomParams) -> None:
    """Raise :class:`InvalidParameterError` naming the first parameter outside its range."""
    check_params_table(dataclasses.asdict(params), _CONSTRAINTS)
    if params.plaque_burden_min > params.plaque_burden_max:
        raise fail(
            "plaque_burden_min",
            "must be <= plaque_burden_max "
            f"(got {params.plaque_burden_min} > {params.plaque_burden_max})",
        )
