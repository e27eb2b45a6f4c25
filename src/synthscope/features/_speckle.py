"""Speckle statistics: first-order grey-level statistics, envelope SNR, Nakagami m and Ω, and the
speckle size read from the autocorrelation in polar coordinates.

Fully developed speckle (many random scatterers per resolution cell) has a Rayleigh-distributed
envelope, whose SNR (mean / standard deviation) is sqrt(pi / (4 - pi)) = 1.913 and whose Nakagami
shape m is 1; fewer scatterers give m < 1 (pre-Rayleigh), a coherent component m > 1. The moment
estimators used here (Nakagami 1960; Shankar 2000) are

    Ω = E[x²],   m = E[x²]² / Var(x²) = E[x²]² / (E[x⁴] − E[x²]²),

on the grey values scaled to [0, 1]. A B-mode image is log-compressed, so on it these values are
descriptive statistics of the displayed speckle rather than of the physical envelope: they still
move with dynamic range, gain, noise and the number of scatterers, which is what a realism test
needs. Speckle size is the full width at half maximum (FWHM) of the autocorrelation of the
mean-removed polar image: axially (along each A-line, in pixels) and laterally (across A-lines at
one depth, in degrees), each averaged over a radial band.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PERCENTILES",
    "band_moments",
    "first_order",
    "fwhm",
    "nakagami",
    "speckle_widths",
]

PERCENTILES = (1, 5, 25, 50, 75, 95, 99)
#: Width (samples) of the moving average removed before the autocorrelation: it takes anatomy
#: (borders, shadows, depth gain) out and leaves the speckle grain, which is a few samples wide.
DETREND = 15
_LEVELS = np.arange(256, dtype=np.float64)
_QUANTILES = np.asarray(PERCENTILES) / 100


def first_order(hist: np.ndarray) -> np.ndarray:
    """mean, std, skewness, excess kurtosis, :data:`PERCENTILES`, entropy, black and white
    fractions from a 256-bin grey-level histogram (grey levels; entropy in bits)."""
    hist = np.asarray(hist, dtype=np.float64)
    n = hist.sum()
    out = np.zeros(4 + len(PERCENTILES) + 3)
    if n == 0:
        return out
    p = hist / n
    mean = p @ _LEVELS
    centred = _LEVELS - mean
    var = p @ centred**2
    std = np.sqrt(var)
    out[0], out[1] = mean, std
    if var > 1e-12:
        out[2] = (p @ centred**3) / std**3
        out[3] = (p @ centred**4) / var**2 - 3.0
    # The smallest grey level with at least q % of the pixels at or below it.
    out[4 : 4 + len(PERCENTILES)] = np.searchsorted(np.cumsum(hist), _QUANTILES * n - 1e-9)
    nonzero = p[p > 0]
    out[-3] = -(nonzero @ np.log2(nonzero))
    out[-2], out[-1] = p[0], p[255]
    return out


def nakagami(m2: np.ndarray, m4: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Moment estimates (m, Ω) from E[x²] and E[x⁴]; m is 0 where x² does not vary."""
    m2, m4 = np.asarray(m2, dtype=np.float64), np.asarray(m4, dtype=np.float64)
    var2 = m4 - m2**2
    ok = var2 > 1e-12
    return np.where(ok, m2**2 / np.where(ok, var2, 1.0), 0.0), m2


def band_moments(hists: np.ndarray) -> np.ndarray:
    """Per band (rows of 256-bin histograms): mean, std, skewness, excess kurtosis (grey
    levels), envelope SNR, Nakagami m and Ω (on x = grey / 255). Returns ``(n_bands, 7)``; an
    empty or constant band gets 0 where a ratio is undefined."""
    hists = np.asarray(hists, dtype=np.float64)
    count = hists.sum(axis=1)
    p = hists / np.maximum(count, 1)[:, None]
    x = _LEVELS / 255.0
    m1, m2, m4 = p @ x, p @ x**2, p @ x**4
    centred = x[None, :] - m1[:, None]
    var = (p * centred**2).sum(axis=1)
    ok = var > 1e-12
    std = np.sqrt(var)
    safe = np.where(ok, std, 1.0)
    skew = np.where(ok, (p * centred**3).sum(axis=1) / safe**3, 0.0)
    kurt = np.where(ok, (p * centred**4).sum(axis=1) / safe**4 - 3.0, 0.0)
    snr = np.where(ok, m1 / safe, 0.0)
    m, omega = nakagami(m2, m4)
    return np.stack([m1 * 255, std * 255, skew, kurt, snr, m, omega], axis=1)


def fwhm(acf: np.ndarray) -> float:
    """Full width at half maximum (in lags) of a one-sided autocorrelation with ``acf[0]`` > 0.

    The half-maximum crossing is interpolated linearly between the two lags around it; an
    autocorrelation that never falls to half gives twice its length.
    """
    if acf[0] <= 0:
        return 0.0
    a = acf / acf[0]
    below = np.flatnonzero(a < 0.5)
    if not below.size:
        return 2.0 * len(a)
    k = int(below[0])
    lag = (k - 1) + (a[k - 1] - 0.5) / (a[k - 1] - a[k])
    return 2.0 * float(lag)


def _power(spectrum: np.ndarray) -> np.ndarray:
    """|z|² without the square root of ``abs``."""
    return spectrum.real * spectrum.real + spectrum.imag * spectrum.imag


def _detrend(polar: np.ndarray, valid: np.ndarray, axis: int, mode: str) -> np.ndarray:
    """``polar`` minus its local mean along ``axis`` over valid samples; 0 where invalid."""
    from scipy import ndimage

    if valid.all():
        return polar - ndimage.uniform_filter1d(polar, DETREND, axis=axis, mode=mode)
    w = valid.astype(np.float32)
    local = ndimage.uniform_filter1d(polar * w, DETREND, axis=axis, mode=mode)
    weight = ndimage.uniform_filter1d(w, DETREND, axis=axis, mode=mode)
    ok = weight > 1e-6
    mean = np.where(ok, local / np.where(ok, weight, 1.0), 0.0)
    return ((polar - mean) * w).astype(np.float32)


def speckle_widths(
    polar: np.ndarray, valid: np.ndarray, n_bands: int, spacing: float
) -> tuple[np.ndarray, np.ndarray]:
    """Axial FWHM (pixels) and lateral FWHM (degrees) of the speckle in each radial band.

    ``polar`` is ``(angles, radii)``; ``spacing`` is the axial sample distance in pixels. Axial:
    the autocorrelation along each A-line within the band (zero-padded, so not circular), summed
    over A-lines. Lateral: the circular autocorrelation around the circle at each depth (the
    angle wraps), summed over the band's depths. Both after removing a moving average of
    :data:`DETREND` samples along the same axis.
    """
    from scipy import fft

    n_angles, n_radii = polar.shape
    width = n_radii // n_bands
    used = width * n_bands
    axial_x = _detrend(polar, valid, axis=1, mode="nearest")[:, :used]
    segments = axial_x.reshape(n_angles, n_bands, width)
    power = _power(fft.rfft(segments, n=2 * width, axis=2)).sum(axis=0)
    axial_acf = fft.irfft(power, n=2 * width, axis=1)[:, :width]
    lateral_x = _detrend(polar, valid, axis=0, mode="wrap")[:, :used]
    power = _power(fft.rfft(lateral_x, axis=0))
    band_power = power.reshape(power.shape[0], n_bands, width).sum(axis=2)
    lateral_acf = fft.irfft(band_power, n=n_angles, axis=0)[: n_angles // 2]
    axial = np.array([fwhm(axial_acf[b]) for b in range(n_bands)]) * spacing
    lateral = np.array([fwhm(lateral_acf[:, b]) for b in range(n_bands)]) * (360.0 / n_angles)
    return axial, lateral
