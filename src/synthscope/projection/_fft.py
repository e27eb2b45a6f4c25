"""FFT-accelerated interpolation of the 2-D t-SNE repulsion (Linderman et al. 2019, FIt-SNE).

The repulsive sums ``sum_j w_ij**2 (y_i - y_j)`` with ``w = 1 / (1 + |y_i - y_j|**2)`` are
potentials of the kernel ``K = w**2`` with charges ``1, y_j0, y_j1``. Split the embedding's
bounding square into ``b x b`` boxes, put 3 equispaced nodes per box and axis, and replace each
point by its Lagrange interpolation weights on the 9 nodes of its box: then

1. *spread*: charges to the ``N x N`` node grid (``N = 3 b``),
2. *convolve*: the grid with ``K`` at the node offsets, a Toeplitz product done as a circular
   convolution of size ``2N`` by real FFTs (``scipy.fft``, multithreaded), and
3. *gather*: the node potentials back to each point with the same weights.

Same parameters as openTSNE's ``kl_divergence_fft`` (3 nodes per box, at least 50 boxes, boxes
at most 1 unit wide, at most 1,000 boxes), so the approximation error is the same; what differs
is the cost. The kernel matrix ``L_i^T K L_j`` is symmetric, so ``Z = sum_ij w_ij`` follows from
the same three potentials (``w = K (1 + |y_i - y_j|**2)``, summed over both indices), where
FIt-SNE convolves a fourth charge ``|y_j|**2``. The kernel's transform is real and even, a DCT-I
of one quadrant; the charge transforms skip the zero padding (half the rows forward, half the
rows back).

Determinism: every parallel loop writes disjoint outputs in a fixed order (spreading is split by
charge, gathering by point), sums across points are serial, and pocketfft's results do not
depend on its thread count, so runs repeat bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.fft

__all__ = ["FFTRepulsion", "box_count"]

N_NODES = 3  # interpolation nodes per box and axis
MIN_BOXES = 50
MAX_BOXES = 1000
BOX_WIDTH = 1.0  # at most this wide, in embedding units (the kernel's length scale is 1)


def box_count(extent: float) -> int:
    """Boxes per axis for an embedding ``extent`` wide: openTSNE's rule, then a fast FFT size."""
    boxes = int(min(MAX_BOXES, max(MIN_BOXES, np.ceil(extent / BOX_WIDTH))))
    while scipy.fft.next_fast_len(2 * N_NODES * boxes, real=True) != 2 * N_NODES * boxes:
        boxes += 1
    return boxes


@numba.njit(
    "void(f4[::1], f4[::1], f8, f8, i8, i4[::1], i4[::1], f8[:, ::1], f8[:, ::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def _weights(y0, y1, lo, width, boxes, bx, by, wx, wy):  # pragma: no cover - compiled
    """Box of each point and its Lagrange weights on the box's 3 nodes, per axis.

    Nodes sit at 1/6, 1/2 and 5/6 of the box; ``wx[i, a]`` is the weight of node ``a`` along
    axis 0 for point ``i`` (the three weights sum to 1).
    """
    n = y0.shape[0]
    for i in numba.prange(n):
        for axis in range(2):
            u = ((y0[i] if axis == 0 else y1[i]) - lo) / width
            b = min(int(u), boxes - 1)
            t = u - b  # position inside the box, [0, 1]
            # (t - t_k) products over the other two nodes, divided by the node spacings
            l0 = (t - 0.5) * (t - 5.0 / 6.0) * 4.5
            l1 = (t - 1.0 / 6.0) * (t - 5.0 / 6.0) * -9.0
            l2 = (t - 1.0 / 6.0) * (t - 0.5) * 4.5
            if axis == 0:
                bx[i] = b
                wx[i, 0] = l0
                wx[i, 1] = l1
                wx[i, 2] = l2
            else:
                by[i] = b
                wy[i, 0] = l0
                wy[i, 1] = l1
                wy[i, 2] = l2


@numba.njit(
    "void(f4[::1], f4[::1], f8, i4[::1], i4[::1], f8[:, ::1], f8[:, ::1], f8[:, :, ::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def _spread(y0, y1, center, bx, by, wx, wy, grid):  # pragma: no cover - compiled
    """Charges ``1, y0 - c, y1 - c`` onto the node grid ``(3, N, N)`` (axis 1 is y1, axis 2 y0).

    One thread per charge, points in index order: no two threads touch one cell.
    """
    n = y0.shape[0]
    for c in numba.prange(3):
        g = grid[c]
        g[:, :] = 0.0
        for i in range(n):
            q = 1.0 if c == 0 else (y0[i] - center if c == 1 else y1[i] - center)
            r = 3 * by[i]
            s = 3 * bx[i]
            for b in range(3):
                qb = q * wy[i, b]
                for a in range(3):
                    g[r + b, s + a] += qb * wx[i, a]


@numba.njit(
    "f8(f4[::1], f4[::1], f8, i4[::1], i4[::1], f8[:, ::1], f8[:, ::1], f8[:, :, ::1],"
    " f8[::1], f8[::1], f8[::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def _gather(y0, y1, center, bx, by, wx, wy, pot, f0, f1, zrow):  # pragma: no cover - compiled
    """Potentials back to the points: repulsion ``f`` and each point's share of ``Z``.

    With potentials ``phi_c`` of the charges ``1, x0, x1`` (centred coordinates ``x``):
    ``f_i = x_i phi_0 - (phi_1, phi_2)`` and, by the symmetry of the interpolated kernel,
    ``Z = sum_i (1 + 2 |x_i|**2) phi_0 - 2 x_i . (phi_1, phi_2)``, minus ``n`` for ``j = i``.
    Returns ``Z``; ``zrow`` holds the per-point terms.
    """
    n = y0.shape[0]
    for i in numba.prange(n):
        r = 3 * by[i]
        s = 3 * bx[i]
        p0 = 0.0
        p1 = 0.0
        p2 = 0.0
        for b in range(3):
            q0 = 0.0
            q1 = 0.0
            q2 = 0.0
            for a in range(3):
                w = wx[i, a]
                q0 += w * pot[0, r + b, s + a]
                q1 += w * pot[1, r + b, s + a]
                q2 += w * pot[2, r + b, s + a]
            p0 += wy[i, b] * q0
            p1 += wy[i, b] * q1
            p2 += wy[i, b] * q2
        x0 = y0[i] - center
        x1 = y1[i] - center
        f0[i] = x0 * p0 - p1
        f1[i] = x1 * p0 - p2
        zrow[i] = (1.0 + 2.0 * (x0 * x0 + x1 * x1)) * p0 - 2.0 * (x0 * p1 + x1 * p2)
    total = 0.0
    for i in range(n):  # serial: fixed order
        total += zrow[i]
    return total - n


@numba.njit("void(f8, f8[:, ::1])", parallel=True, fastmath=True, cache=True)
def _kernel_quadrant(spacing, out):  # pragma: no cover - compiled
    """``out[i, j] = 1 / (1 + (i**2 + j**2) spacing**2)**2`` for ``i, j`` in ``0..N``."""
    m = out.shape[0]
    for i in numba.prange(m):
        di = i * spacing
        for j in range(m):
            dj = j * spacing
            w = 1.0 / (1.0 + di * di + dj * dj)
            out[i, j] = w * w


class FFTRepulsion:
    """Repulsive forces and ``Z`` of a 2-D embedding by FFT-accelerated interpolation.

    Buffers are kept between calls and grown when the embedding's extent needs more boxes.
    """

    def __init__(self, n: int, workers: int | None = None) -> None:
        self.n = n
        self.workers = workers or numba.get_num_threads()
        self.bx = np.empty(n, np.int32)
        self.by = np.empty(n, np.int32)
        self.wx = np.empty((n, N_NODES))
        self.wy = np.empty((n, N_NODES))
        self.boxes = 0

    def _grid(self, boxes: int) -> None:
        if boxes != self.boxes:
            N = N_NODES * boxes
            self.boxes = boxes
            self.grid = np.empty((3, N, N))
            self.quadrant = np.empty((N + 1, N + 1))

    def __call__(
        self, y0: np.ndarray, y1: np.ndarray, f0: np.ndarray, f1: np.ndarray, zrow: np.ndarray
    ) -> float:
        """Write ``sum_j w_ij**2 (y_i - y_j)`` to ``f0, f1`` and return ``Z = sum_{i != j} w_ij``."""
        lo = float(min(y0.min(), y1.min()))
        hi = float(max(y0.max(), y1.max()))
        extent = max(hi - lo, 1e-6)
        boxes = box_count(extent)
        self._grid(boxes)
        width = extent / boxes
        N = N_NODES * boxes
        spacing = width / N_NODES
        center = 0.5 * (lo + hi)
        _weights(y0, y1, lo, width, boxes, self.bx, self.by, self.wx, self.wy)
        _spread(y0, y1, center, self.bx, self.by, self.wx, self.wy, self.grid)
        # the circulant embedding of the even kernel: its 2N-point DFT is real, a DCT-I
        _kernel_quadrant(spacing, self.quadrant)
        kernel = scipy.fft.dctn(self.quadrant, type=1, workers=self.workers, overwrite_x=True)
        kernel = np.concatenate([kernel, kernel[N - 1 : 0 : -1]], axis=0)  # rows 0..2N-1
        fft = scipy.fft
        w = self.workers
        spec = fft.rfft(self.grid, n=2 * N, axis=2, workers=w)  # (3, N, N + 1)
        spec = fft.fft(spec, n=2 * N, axis=1, workers=w, overwrite_x=True)  # (3, 2N, N + 1)
        spec *= kernel
        spec = fft.ifft(spec, axis=1, workers=w, overwrite_x=True)[:, :N]
        pot = fft.irfft(spec, n=2 * N, axis=2, workers=w)[:, :, :N]
        pot = np.ascontiguousarray(pot)
        return _gather(y0, y1, center, self.bx, self.by, self.wx, self.wy, pot, f0, f1, zrow)
