"""One frame: anatomy to tissue properties to B-mode image, and anatomy to label map.

Tissue properties per polar sample (echogenicity in dB relative to fibrous plaque, scatterer
density, attenuation) follow the layered look of 40 MHz IVUS: faint blood speckle, bright
heterogeneous plaque, a dark media band just inside the EEM, bright adventitia fading into
spotty perivascular fat, and calcium as a bright arc whose strong reflection and attenuation leave a
shadow behind it. The guidewire is a specular reflector with a shadow and reverberation ghosts at
two and three times its distance. Ring-down, guidewire and shadows are drawn in the image only; the
label map holds anatomy, as manual annotations do.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from synthscope.phantom._anatomy import CATHETER_RADIUS_MM, MEDIA_THICKNESS_MM, FrameAnatomy
from synthscope.phantom._echo import FrameDraws, log_compress, speckle_envelope
from synthscope.phantom._params import PhantomParams
from synthscope.phantom._scan import ScanGeometry

__all__ = ["LABELS", "frame_envelope", "label_frame", "render_frame"]

#: Label values of the label maps.
LABELS: dict[str, int] = {"outside": 0, "lumen": 1, "plaque": 2, "perivascular": 3, "calcium": 4}

_CATHETER_DB = -90.0  # fluid inside the sheath: nothing scatters
_CALCIUM_DB = 20.0
_PLAQUE_DB = -3.0
_ADVENTITIA_DB = 6.0
_FAT_DB = -10.0
_MEDIA_DB = -18.0
_FAT_DENSITY = 0.2
_BLOOD_ATTENUATION = 0.3  # relative to soft tissue
_CALCIUM_ATTENUATION = 15.0  # relative to soft tissue
_CALCIUM_ENTRY_DB = 5.0  # round-trip loss at the calcium's front surface (impedance mismatch)
_WIRE_ECHO = 4.0  # coherent amplitude per sample on the wire's front surface
_WIRE_LOSS_DB = 45.0
_SHEATH_ECHO = 0.7


def _tissue(
    anatomy: FrameAnatomy, params: PhantomParams, geometry: ScanGeometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Echo amplitude (with attenuation), density and coherent reflectors on the polar grid."""
    r = geometry.depth_mm[None, :]
    lumen = anatomy.lumen[:, None]
    eem = anatomy.eem[:, None]
    theta = (np.arange(geometry.n_lines) * (2 * np.pi / geometry.n_lines)).astype(np.float32)

    # Texture: a few separable cosines in angle and depth (dB), drifting along the pullback.
    amp, k, m, phase = anatomy.texture
    texture = np.zeros((geometry.n_lines, geometry.n_depth), dtype=np.float32)
    depth = geometry.depth_mm
    for a, kj, mj, ph in zip(amp, k, m, phase, strict=True):
        along = (a * np.cos(kj * theta + ph)).astype(np.float32)
        across = np.cos(np.pi * (mj + 0.5) * depth / 1.5 + 0.7 * ph).astype(np.float32)
        texture += along[:, None] * across[None, :]

    in_lumen = r < lumen
    in_wall = (r >= lumen) & (r < eem)
    in_calcium = (r >= anatomy.calcium_inner[:, None]) & (r < anatomy.calcium_outer[:, None])
    behind = np.maximum(r - eem, 0.0)
    # Perivascular: bright adventitia fading into spotty fat over ~0.3 mm.
    echo = _FAT_DB + (_ADVENTITIA_DB - _FAT_DB) * np.exp(-behind / 0.3) + 1.5 * texture
    media = np.clip((r - (eem - MEDIA_THICKNESS_MM)) / 0.04, 0.0, 1.0)  # soft inner edge
    plaque = texture + np.float32(_PLAQUE_DB)
    wall_db = plaque + (_MEDIA_DB - plaque) * media
    echo = np.where(in_wall, wall_db, echo)
    echo = np.where(in_lumen, np.float32(params.blood_echo_db), echo)
    echo = np.where(r < CATHETER_RADIUS_MM, np.float32(_CATHETER_DB), echo)
    echo = np.where(in_calcium, np.float32(_CALCIUM_DB), echo)

    density = np.where(in_wall | in_lumen, np.float32(1.0), np.float32(_FAT_DENSITY))

    # Round-trip attenuation in dB per sample, summed along each A-line.
    per_mm = 2 * params.attenuation_db_cm_mhz * params.center_frequency_mhz / 10
    atten = np.full(echo.shape, per_mm * geometry.dr_mm, dtype=np.float32)
    atten = np.where(in_lumen, atten * _BLOOD_ATTENUATION, atten)
    atten = np.where(in_calcium, atten * _CALCIUM_ATTENUATION, atten)
    atten = np.where(r < CATHETER_RADIUS_MM, np.float32(0.0), atten)
    entry = in_calcium & ~np.roll(in_calcium, 1, axis=1)
    atten = atten + entry * np.float32(_CALCIUM_ENTRY_DB)

    coherent = np.zeros(echo.shape, dtype=np.float32)
    sheath = np.exp(-0.5 * ((depth - CATHETER_RADIUS_MM) / 0.015) ** 2).astype(np.float32)
    coherent += _SHEATH_ECHO * sheath[None, :]
    if anatomy.guidewire is not None:
        _guidewire(anatomy.guidewire, theta, geometry, atten, coherent)

    cumulative = np.cumsum(atten, axis=1) - atten  # loss on the way to (and back from) a sample
    amplitude = np.power(np.float32(10.0), (echo - cumulative) / np.float32(20.0))
    return amplitude.astype(np.float32), density.astype(np.float32), coherent, theta


def _guidewire(
    wire: tuple[float, float, float],
    theta: np.ndarray,
    geometry: ScanGeometry,
    atten: np.ndarray,
    coherent: np.ndarray,
) -> None:
    """Add the wire's front-surface echo, its shadow and its reverberation ghosts in place."""
    angle, distance, radius = wire
    delta = np.angle(np.exp(1j * (theta.astype(np.float64) - angle)))
    off_axis = distance * np.sin(delta)
    hit = (np.abs(off_axis) < radius) & (np.abs(delta) < np.pi / 2)
    lines = np.flatnonzero(hit)
    front = distance * np.cos(delta[lines]) - np.sqrt(radius**2 - off_axis[lines] ** 2)
    for echo_times, strength in ((1, 1.0), (2, 0.25), (3, 0.07)):
        index = np.floor(front * echo_times / geometry.dr_mm).astype(np.intp)
        ok = index < geometry.n_depth
        coherent[lines[ok], index[ok]] += _WIRE_ECHO * strength
    index = np.minimum(np.floor(front / geometry.dr_mm).astype(np.intp) + 1, geometry.n_depth - 1)
    atten[lines, index] += _WIRE_LOSS_DB


def _ringdown(
    draws: FrameDraws, params: PhantomParams, geometry: ScanGeometry, theta: np.ndarray
) -> np.ndarray | None:
    """Transducer ring-down: decaying bright rings near the catheter, varying a little by angle."""
    if params.ringdown == 0.0:
        return None
    depth = geometry.depth_mm
    start = 0.12
    x = np.maximum(depth - start, 0.0)
    profile = np.exp(-x / 0.1) * (0.75 + 0.25 * np.cos(2 * np.pi * x / 0.07))
    profile = np.where(depth >= start, profile, 0.0) * 2.0 * params.ringdown
    c = draws.ringdown
    orders = np.arange(1, 5)[:, None]
    swing = (c[:4, None] * np.cos(orders * theta) + c[4:, None] * np.sin(orders * theta)).sum(0)
    return (np.outer(1.0 + 0.15 * swing, profile)).astype(np.float32)


def frame_envelope(
    anatomy: FrameAnatomy, draws: FrameDraws, params: PhantomParams, geometry: ScanGeometry
) -> np.ndarray:
    """The frame's envelope on the polar grid (after TGC, before log compression)."""
    amplitude, density, coherent, theta = _tissue(anatomy, params, geometry)
    depth_cm = np.maximum(geometry.depth_mm - CATHETER_RADIUS_MM, 0.0) / 10
    tgc = np.power(10.0, params.tgc_db_cm * depth_cm / 20).astype(np.float32)
    return speckle_envelope(
        amplitude,
        density,
        draws,
        params,
        geometry,
        coherent=coherent,
        after_psf=_ringdown(draws, params, geometry, theta),
        tgc=tgc,
    )


def render_frame(
    anatomy: FrameAnatomy, draws: FrameDraws, params: PhantomParams, geometry: ScanGeometry
) -> np.ndarray:
    """The B-mode frame: ``(size, size)`` uint8, black outside the imaging circle."""
    polar = log_compress(frame_envelope(anatomy, draws, params, geometry), params)
    image = geometry.to_cartesian(polar)
    if params.blur_px > 0:
        image = ndimage.gaussian_filter(image, params.blur_px, mode="constant")
        flat = image.reshape(-1)
        outside = np.ones(flat.shape, dtype=bool)
        outside[geometry.inside] = False
        flat[outside] = 0.0
    return np.rint(image).astype(np.uint8)


def label_frame(anatomy: FrameAnatomy, geometry: ScanGeometry) -> np.ndarray:
    """The label map: ``(size, size)`` uint8 with the values of :data:`LABELS`."""
    r = geometry.radius_mm
    labels = np.full(r.shape, LABELS["perivascular"], dtype=np.uint8)
    labels[r < geometry.at_pixels(anatomy.eem)] = LABELS["plaque"]
    labels[(r < geometry.at_pixels(anatomy.lumen)) | (r < CATHETER_RADIUS_MM)] = LABELS["lumen"]
    if anatomy.has_calcium:
        inner = geometry.at_pixels(anatomy.calcium_inner)
        outer = geometry.at_pixels(anatomy.calcium_outer)
        labels[(r >= inner) & (r < outer)] = LABELS["calcium"]
    out = np.zeros(geometry.size * geometry.size, dtype=np.uint8)
    out[geometry.inside] = labels
    return out.reshape(geometry.size, geometry.size)
