"""Echo formation in the polar domain: scatterers, point-spread function, noise, envelope, log.

The RF signal is simulated as its complex baseband (IQ) equivalent, whose modulus is the envelope
an analogue detector would give. Circular complex Gaussian scatterers, scaled by the square root of
the local echogenicity and by the round-trip attenuation, are convolved with a separable
point-spread function: a Gaussian axial pulse envelope set by the centre frequency and fractional
bandwidth, and a Gaussian lateral beam of constant angular width set by the wavelength over the
aperture. A linear filter of circular Gaussian noise is circular Gaussian, so the envelope of a
homogeneous, densely scattering region is Rayleigh distributed (mean/std = sqrt(pi/(4-pi)) ~ 1.91).
Sparse scatterers (a density below one per sample) give the darker, spottier pre-Rayleigh speckle
of fat. Electronic noise enters before time-gain compensation (TGC) and so grows with depth.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import fft, ndimage

from synthscope.phantom._params import PhantomParams
from synthscope.phantom._scan import ScanGeometry

__all__ = [
    "DISPLAY_CEILING_DB",
    "FrameDraws",
    "draw_frame",
    "log_compress",
    "psf_kernels",
    "speckle_envelope",
]

SPEED_OF_SOUND_MM_US = 1.54
APERTURE_MM = 0.5  # active width of a 40 MHz catheter transducer
DISPLAY_CEILING_DB = 14.0  # envelope level shown as white at 0 dB gain


@dataclass(frozen=True)
class FrameDraws:
    """Every random number one frame uses, drawn up front in a fixed order and amount.

    Drawing all of them whatever the parameters keeps a knob from shifting the random stream:
    two sets that differ in one knob share their scatterers and noise sample by sample.
    """

    scatter: np.ndarray  # (2, n_lines, n_depth) standard normal, real and imaginary parts
    sparse: np.ndarray  # (n_lines, n_depth) uniform: which samples hold a scatterer
    noise: np.ndarray  # (2, n_lines, n_depth) standard normal electronic noise
    ringdown: np.ndarray  # (8,) standard normal: angular variation of the ring-down


def draw_frame(rng: np.random.Generator, n_lines: int, n_depth: int) -> FrameDraws:
    """Draw one frame's random numbers from ``rng``."""
    return FrameDraws(
        scatter=rng.standard_normal((2, n_lines, n_depth), dtype=np.float32),
        sparse=rng.random((n_lines, n_depth), dtype=np.float32),
        noise=rng.standard_normal((2, n_lines, n_depth), dtype=np.float32),
        ringdown=rng.standard_normal(8),
    )


def _gaussian_kernel(sigma: float) -> np.ndarray:
    radius = max(1, math.ceil(4 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / max(sigma, 1e-3)) ** 2)
    return (kernel / np.sqrt(np.sum(kernel**2))).astype(np.float32)  # unit energy


def psf_kernels(params: PhantomParams, geometry: ScanGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Axial (over depth samples) and lateral (over A-lines) kernels, each of unit energy.

    Unit energy keeps the mean echo power equal to the echogenicity whatever the speckle size,
    so the ``speckle_size`` knob changes grain and nothing else.
    """
    bandwidth = params.fractional_bandwidth * params.center_frequency_mhz  # -6 dB, MHz
    sigma_t = math.sqrt(2 * math.log(2)) / (math.pi * bandwidth)  # µs, Gaussian pulse envelope
    sigma_axial_mm = SPEED_OF_SOUND_MM_US * sigma_t / 2 * params.speckle_size  # round trip
    wavelength = SPEED_OF_SOUND_MM_US / params.center_frequency_mhz
    sigma_angle = 0.45 * wavelength / APERTURE_MM * params.speckle_size  # two-way beam, rad
    axial = _gaussian_kernel(sigma_axial_mm / geometry.dr_mm)
    lateral = _gaussian_kernel(sigma_angle / (2 * math.pi / geometry.n_lines))
    return axial, lateral


def speckle_envelope(
    amplitude: np.ndarray,
    density: np.ndarray | float,
    draws: FrameDraws,
    params: PhantomParams,
    geometry: ScanGeometry,
    *,
    coherent: np.ndarray | None = None,
    after_psf: np.ndarray | None = None,
    tgc: np.ndarray | None = None,
) -> np.ndarray:
    """Envelope (before compression) of scatterers of the given amplitude and density.

    Parameters
    ----------
    amplitude : (n_lines, n_depth) float32
        Square root of echogenicity times round-trip attenuation, per sample.
    density : (n_lines, n_depth) float32 or float
        Scatterers per sample, in (0, 1]; 1 = fully developed speckle.
    coherent : (n_lines, n_depth) float32, optional
        Specular reflectors added before the point-spread function.
    after_psf : (n_lines, n_depth) float32, optional
        Signal added after it (catheter ring-down, which is not beam-formed like echoes).
    tgc : (n_depth,) float32, optional
        Amplitude gain per depth applied after the noise.
    """
    weight = np.asarray(amplitude, dtype=np.float32) * np.float32(math.sqrt(0.5))
    if np.any(np.asarray(density) < 1.0):
        density = np.broadcast_to(np.asarray(density, dtype=np.float32), weight.shape)
        keep = draws.sparse < density
        weight = np.where(keep, weight / np.sqrt(np.maximum(density, 1e-6)), np.float32(0.0))
    field = np.empty(weight.shape, dtype=np.complex64)
    np.multiply(draws.scatter[0], weight, out=field.real)
    np.multiply(draws.scatter[1], weight, out=field.imag)
    if coherent is not None:
        field.real += coherent
    axial, lateral = psf_kernels(params, geometry)
    # Axial: a short kernel, direct. Lateral: the A-lines close a circle, so a circular
    # convolution by FFT is exact, and cheaper than the direct one for wide beams.
    field = ndimage.correlate1d(field, axial, axis=1, mode="constant")
    field = fft.ifft(fft.fft(field, axis=0) * _circular_spectrum(lateral, geometry.n_lines), axis=0)
    if after_psf is not None:
        field.real += after_psf
    noise_scale = np.float32(10 ** (params.noise_db / 20) * math.sqrt(0.5))
    field.real += draws.noise[0] * noise_scale
    field.imag += draws.noise[1] * noise_scale
    if tgc is not None:
        field *= tgc
    return np.abs(field)


@functools.lru_cache(maxsize=16)
def _spectrum_cached(kernel: bytes, n: int) -> np.ndarray:
    taps = np.frombuffer(kernel, dtype=np.float32)
    circular = np.zeros(n, dtype=np.float64)
    half = len(taps) // 2
    for offset, tap in zip(range(-half, half + 1), taps, strict=True):
        circular[offset % n] += tap
    # A symmetric kernel has a real spectrum; shaped (n, 1) to broadcast over depth.
    return np.ascontiguousarray(np.fft.fft(circular).real.astype(np.float32)[:, None])


def _circular_spectrum(kernel: np.ndarray, n: int) -> np.ndarray:
    return _spectrum_cached(kernel.astype(np.float32).tobytes(), n)


def log_compress(envelope: np.ndarray, params: PhantomParams) -> np.ndarray:
    """Map envelope levels to display values 0..255 (float32) over the dynamic range."""
    floor = DISPLAY_CEILING_DB - params.dynamic_range_db - params.gain_db
    level = 20.0 * np.log10(np.maximum(envelope, np.float32(1e-12)))
    scale = np.float32(255.0 / params.dynamic_range_db)
    return np.clip((level - np.float32(floor)) * scale, 0.0, 255.0).astype(np.float32)
