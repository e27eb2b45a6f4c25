"""The one PCA: its out-of-core path (blocks of a memory-mapped array) against the in-memory one."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope import _pca
from synthscope._pca import principal_components


@pytest.fixture
def low_rank() -> np.ndarray:
    """2,000 x 300 float32: eight strong directions of falling variance plus a little noise."""
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((300, 8)))[0]
    weights = rng.standard_normal((2000, 8)) * np.array([30, 20, 14, 10, 7, 5, 3.5, 2.5])
    X = weights @ basis.T + 0.1 * rng.standard_normal((2000, 300)) + 5.0
    return X.astype(np.float32)


def _exact(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    centred = X.astype(np.float64) - X.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    signs = np.sign(u[np.abs(u).argmax(axis=0), np.arange(u.shape[1])])
    return (u * s * signs)[:, :k], (s * s / (s * s).sum())[:k]


def test_the_out_of_core_path_reads_blocks_of_a_memory_map_and_matches_the_exact_pca(
    low_rank, tmp_path, monkeypatch
):
    np.save(tmp_path / "x.npy", low_rank)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    reads: list[int] = []

    class Counted(np.memmap):  # records the rows of every block the PCA reads
        def __getitem__(self, key):
            if isinstance(key, slice):
                reads.append(len(range(*key.indices(self.shape[0]))))
            return super().__getitem__(key)

    monkeypatch.setattr(_pca, "IN_MEMORY_PCA_BYTES", 1 << 20)  # 2,000 x 300 x 8 is beyond
    monkeypatch.setattr(_pca, "_BLOCK_BYTES", 300 * 4 * 256)  # blocks of 256 rows
    scores, ratio = principal_components(mapped.view(Counted), 5, seed=0)
    assert reads and max(reads) == 256  # never the whole array at once
    exact_scores, exact_ratio = _exact(low_rank, 5)
    np.testing.assert_allclose(ratio, exact_ratio, rtol=1e-4)
    np.testing.assert_allclose(scores, exact_scores, atol=1e-3 * np.abs(exact_scores).max())
    # the in-memory path (randomised SVD of the whole array) agrees as closely
    monkeypatch.setattr(_pca, "IN_MEMORY_PCA_BYTES", 1 << 40)
    in_memory, in_memory_ratio = principal_components(low_rank, 5, seed=0)
    np.testing.assert_allclose(scores, in_memory, atol=1e-3 * np.abs(in_memory).max())
    np.testing.assert_allclose(ratio, in_memory_ratio, rtol=1e-4)


def test_the_out_of_core_path_is_seeded_and_the_same_for_a_map_and_an_array(
    low_rank, tmp_path, monkeypatch
):
    monkeypatch.setattr(_pca, "IN_MEMORY_PCA_BYTES", 1 << 20)
    np.save(tmp_path / "x.npy", low_rank)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    first = principal_components(mapped, 4, seed=3)
    again = principal_components(low_rank, 4, seed=3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
