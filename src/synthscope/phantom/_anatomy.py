"""Vessel anatomy along a pullback, in polar coordinates around the catheter.

Each border is a smooth closed curve given as a radius per A-line. The lumen and the external
elastic membrane (EEM) are offset circles (the catheter is rarely centred in the lumen) with a few
low harmonics; the EEM circle is shifted towards the plaque side, which makes the plaque eccentric.
Every shape parameter is a smooth random function of the position along the pullback (a short sum
of sinusoids with periods of 6 to 40 mm), so consecutive frames change slowly and a frame's anatomy
depends only on its pullback's seed and its position, never on how many frames are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthscope.phantom._params import PhantomParams

__all__ = ["CATHETER_RADIUS_MM", "FrameAnatomy", "PullbackAnatomy"]

CATHETER_RADIUS_MM = 0.5  # a 3 F imaging catheter (about 1 mm across)
GUIDEWIRE_RADIUS_MM = 0.18  # a 0.014-inch coronary guidewire
MEDIA_THICKNESS_MM = 0.15  # the hypoechoic media just inside the EEM
_MIN_WALL_MM = 0.12
_LUMEN_MARGIN_MM = 0.2  # lumen border keeps this clear of the catheter


@dataclass(frozen=True)
class FrameAnatomy:
    """One frame's borders, each as a radius in mm per A-line (shape ``(n_lines,)``).

    ``calcium_inner == calcium_outer`` on A-lines without calcium. ``guidewire`` is
    ``(angle_rad, distance_mm, radius_mm)`` or ``None``.
    """

    position_mm: float
    lumen: np.ndarray
    eem: np.ndarray
    calcium_inner: np.ndarray
    calcium_outer: np.ndarray
    guidewire: tuple[float, float, float] | None
    texture: tuple[np.ndarray, ...]  # (amplitude, k, m, phase) of the plaque/tissue texture terms

    @property
    def has_calcium(self) -> bool:
        return bool(np.any(self.calcium_outer > self.calcium_inner))


class _Smooth:
    """A smooth random function of position (mm) with values in [-1, 1]."""

    def __init__(self, rng: np.random.Generator, terms: int = 3) -> None:
        self.amp = rng.uniform(0.3, 1.0, terms)
        self.amp /= self.amp.sum()
        self.freq = rng.uniform(1 / 40, 1 / 6, terms)  # cycles per mm
        self.phase = rng.uniform(0, 2 * np.pi, terms)

    def __call__(self, u: float) -> float:
        return float(np.sum(self.amp * np.sin(2 * np.pi * self.freq * u + self.phase)))

    def between(self, u: float, low: float, high: float) -> float:
        return low + (high - low) * 0.5 * (1.0 + self(u))


def _offset_circle(theta: np.ndarray, cx: float, cy: float, radius: float) -> np.ndarray:
    """Distance from the origin to a circle (centre ``cx, cy`` around it) along each angle."""
    along = cx * np.cos(theta) + cy * np.sin(theta)
    return along + np.sqrt(np.maximum(radius**2 - (cx * cx + cy * cy) + along**2, 0.0))


class PullbackAnatomy:
    """The anatomy of one pullback; :meth:`frame` evaluates it at a frame index.

    All random draws happen here, in a fixed order and number, so that parameters such as
    ``calcium_probability`` change what they name and nothing else.
    """

    def __init__(self, params: PhantomParams, rng: np.random.Generator) -> None:
        self.params = params
        self.theta = (np.arange(params.n_lines) * (2 * np.pi / params.n_lines)).astype(np.float64)
        self.lumen_radius = _Smooth(rng)
        self.lumen_offset = _Smooth(rng)
        self.lumen_angle = _Smooth(rng)
        self.burden = _Smooth(rng)
        self.eccentricity = _Smooth(rng)
        self.plaque_angle = _Smooth(rng)
        self.calcium_span = _Smooth(rng)
        self.calcium_angle = _Smooth(rng)
        self.calcium_depth = _Smooth(rng)
        self.calcium_thickness = _Smooth(rng)
        self.wire_angle = _Smooth(rng)
        self.wire_distance = _Smooth(rng)
        self.harmonics = [_Smooth(rng) for _ in range(6)]
        self.harmonic_phase = rng.uniform(0, 2 * np.pi, 6)
        self.base_angles = rng.uniform(0, 2 * np.pi, 4)  # lumen, plaque, calcium, wire
        self.calcium_draw = rng.random()
        self.calcium_mean_deg = rng.uniform(50, 140)
        self.calcium_swing_deg = rng.uniform(50, 110)
        # Texture terms: (amplitude dB, angular order, radial order, phase, drift rad/mm).
        self.texture_amp = rng.uniform(1.0, 3.0, 8)
        self.texture_k = rng.integers(1, 9, 8)
        self.texture_m = rng.integers(0, 4, 8)
        self.texture_phase = rng.uniform(0, 2 * np.pi, 8)
        self.texture_drift = rng.normal(0.0, 0.15, 8)

    def frame(self, index: int) -> FrameAnatomy:
        """Return the borders of frame ``index`` (position ``index * frame_spacing_mm``)."""
        p = self.params
        u = index * p.frame_spacing_mm
        theta = self.theta
        fov_radius = p.field_of_view_mm / 2

        rho_l = self.lumen_radius.between(u, 1.1, 2.0)
        room = rho_l - CATHETER_RADIUS_MM - _LUMEN_MARGIN_MM
        d_l = max(room, 0.0) * self.lumen_offset.between(u, 0.0, 0.75)
        phi_l = self.base_angles[0] + np.pi * self.lumen_angle(u)
        lx, ly = d_l * np.cos(phi_l), d_l * np.sin(phi_l)
        lumen = _offset_circle(theta, lx, ly, rho_l)
        lumen *= 1.0 + self._harmonics(u, 0, 0.05)

        burden = self.burden.between(u, p.plaque_burden_min, p.plaque_burden_max)
        rho_e = rho_l / np.sqrt(1.0 - burden)
        ecc = self.eccentricity.between(u, 0.15, 0.85)
        phi_p = self.base_angles[1] + np.pi * self.plaque_angle(u)
        shift = ecc * (rho_e - rho_l)
        eem = _offset_circle(theta, lx + shift * np.cos(phi_p), ly + shift * np.sin(phi_p), rho_e)
        eem *= 1.0 + self._harmonics(u, 3, 0.03)
        eem = np.maximum(eem, lumen + _MIN_WALL_MM)

        # Keep perivascular tissue in view: shrink the vessel about the catheter if it is too big.
        limit = fov_radius - 0.6
        scale = min(1.0, limit / float(eem.max()))
        lumen = np.maximum(lumen * scale, CATHETER_RADIUS_MM + _LUMEN_MARGIN_MM)
        eem = np.maximum(eem * scale, lumen + _MIN_WALL_MM)

        inner, outer = self._calcium(u, theta, lumen, eem, phi_p)
        wire = self._guidewire(u, theta, lumen) if p.guidewire else None
        drift = self.texture_drift * u
        texture = (
            self.texture_amp,
            self.texture_k,
            self.texture_m,
            self.texture_phase + drift,
        )
        return FrameAnatomy(
            position_mm=u,
            lumen=lumen.astype(np.float32),
            eem=eem.astype(np.float32),
            calcium_inner=inner.astype(np.float32),
            calcium_outer=outer.astype(np.float32),
            guidewire=wire,
            texture=texture,
        )

    def _harmonics(self, u: float, first: int, size: float) -> np.ndarray:
        total = np.zeros_like(self.theta)
        for order, j in enumerate(range(first, first + 3), start=2):
            amp = size / order * self.harmonics[j](u)
            total += amp * np.cos(order * self.theta + self.harmonic_phase[j])
        return total

    def _calcium(
        self, u: float, theta: np.ndarray, lumen: np.ndarray, eem: np.ndarray, phi_p: float
    ) -> tuple[np.ndarray, np.ndarray]:
        none = (lumen.copy(), lumen.copy())
        if self.calcium_draw >= self.params.calcium_probability:
            return none
        span = np.deg2rad(self.calcium_mean_deg + self.calcium_swing_deg * self.calcium_span(u))
        if span < np.deg2rad(10):
            return none
        centre = phi_p + np.deg2rad(60) * self.calcium_angle(u)
        delta = np.angle(np.exp(1j * (theta - centre)))  # wrapped to (-pi, pi]
        half = span / 2
        inside = np.abs(delta) < half
        taper = np.sqrt(np.clip(1.0 - (delta / half) ** 2, 0.0, 1.0))  # rounded arc ends
        wall = eem - lumen
        inner = lumen + wall * self.calcium_depth.between(u, 0.05, 0.45)
        thick = np.minimum(self.calcium_thickness.between(u, 0.2, 0.55), (eem - inner) * 0.8)
        outer = inner + thick * taper
        keep = inside & (wall > 0.15) & (outer - inner > 0.02)
        if not keep.any():
            return none
        return inner, np.where(keep, outer, inner)

    def _guidewire(
        self, u: float, theta: np.ndarray, lumen: np.ndarray
    ) -> tuple[float, float, float]:
        angle = float((self.base_angles[3] + np.pi * self.wire_angle(u)) % (2 * np.pi))
        line = round(angle / (2 * np.pi) * len(theta)) % len(theta)
        nearest = CATHETER_RADIUS_MM + GUIDEWIRE_RADIUS_MM + 0.05
        farthest = float(lumen[line]) - GUIDEWIRE_RADIUS_MM - 0.05
        distance = nearest + max(farthest - nearest, 0.0) * self.wire_distance.between(u, 0.0, 0.8)
        return angle, distance, GUIDEWIRE_RADIUS_MM
