import itertools

import numpy as np
import pytest

from synthscope.errors import InvalidParameterError
from synthscope.projection import Projection, tsne
from synthscope.projection._tsne import EXAGGERATION_ITERATIONS


def _knn_accuracy(embedding: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    D = ((embedding[:, None, :] - embedding[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    nearest = np.argsort(D, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())


@pytest.mark.parametrize("dims", [2, 3])
def test_tsne_separates_clusters(clusters, dims):
    X, labels = clusters
    result = tsne(X, dims=dims, perplexity=10, iterations=400, seed=0)
    assert isinstance(result, Projection)
    assert result.embedding.shape == (X.shape[0], dims)
    assert result.embedding.dtype == np.float32
    assert result.params["engine"] == "exact"
    assert result.iterations == 400
    assert 0 < result.kl < 3
    assert _knn_accuracy(result.embedding, labels) > 0.95


def test_kl_decreases_after_exaggeration(clusters):
    X, _ = clusters
    seen: list[tuple[int, float]] = []

    def record(iteration, embedding, kl):
        seen.append((iteration, kl))

    result = tsne(X, dims=2, perplexity=10, iterations=500, seed=0, callback=record)
    after = [kl for it, kl in seen if it > EXAGGERATION_ITERATIONS + 10]
    assert after[-1] < after[0]
    # mostly monotone: the optimiser may wobble, but not climb
    assert sum(b > a + 1e-3 for a, b in itertools.pairwise(after)) <= 2
    assert result.kl <= after[0]


def test_same_seed_same_bytes(clusters):
    X, _ = clusters
    first = tsne(X, dims=3, perplexity=10, iterations=300, seed=7)
    second = tsne(X, dims=3, perplexity=10, iterations=300, seed=7)
    assert first.embedding.tobytes() == second.embedding.tobytes()
    assert first.kl == second.kl


def test_random_init_depends_on_seed(clusters):
    X, _ = clusters
    a = tsne(X, perplexity=10, iterations=50, init="random", seed=1)
    b = tsne(X, perplexity=10, iterations=50, init="random", seed=2)
    assert not np.array_equal(a.embedding, b.embedding)


def test_callback_streams_every_n_iterations_and_can_stop(clusters):
    X, _ = clusters
    calls = []

    def watch(iteration, embedding, kl):
        calls.append((iteration, embedding.shape, embedding.dtype, kl))
        return iteration >= 60  # True stops

    result = tsne(
        X, dims=3, perplexity=10, iterations=1000, seed=0, callback=watch, callback_every=20
    )
    assert [c[0] for c in calls] == [20, 40, 60]
    assert all(c[1] == (X.shape[0], 3) and c[2] == np.float32 for c in calls)
    assert all(c[3] is not None and c[3] > 0 for c in calls)
    assert result.iterations == 60


def test_array_init_and_no_pca(clusters):
    X, _ = clusters
    start = np.random.default_rng(0).normal(size=(X.shape[0], 2)) * 1e-4
    result = tsne(
        X, dims=2, perplexity=10, iterations=20, init=start, pca_dims=None, metric="cosine"
    )
    assert result.params["init"] == "array" and result.params["pca_dims"] is None


def test_pca_reduction_is_used_for_wide_inputs(clusters):
    X, labels = clusters
    wide = np.hstack([X, np.zeros((X.shape[0], 80), np.float32)])
    result = tsne(wide, perplexity=10, iterations=300, pca_dims=10, seed=0)
    assert _knn_accuracy(result.embedding, labels) > 0.95


@pytest.mark.parametrize(("engine", "dims"), [("bh", 2), ("bh", 3), ("fft", 2)])
def test_opentsne_engines_run_in_our_loop(clusters, engine, dims):
    X, labels = clusters
    result = tsne(X, dims=dims, perplexity=10, iterations=300, engine=engine, seed=0)
    assert result.params["engine"] == engine
    assert _knn_accuracy(result.embedding, labels) > 0.9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dims": 4}, r"dims must be one of 2, 3 \(got 4\)"),
        ({"perplexity": 100}, r"perplexity must be < n_points / 3 \(got 100 for 240 points\)"),
        ({"perplexity": 0.5}, r"perplexity must be >= 1"),
        ({"iterations": 0}, r"iterations must be in \[1, 100000\] \(got 0\)"),
        ({"learning_rate": -1.0}, r"learning_rate must be > 0"),
        ({"engine": "gpu"}, r"engine must be one of .*'exact'.* \(got 'gpu'\)"),
        ({"metric": "manhattan"}, r"metric must be one of 'euclidean', 'cosine'"),
        ({"init": "spectral"}, r"init must be one of 'pca', 'random'"),
        ({"init": np.zeros((3, 2)), "dims": 2}, r"init array must have shape \(240, 2\)"),
        ({"engine": "fft", "dims": 3}, r"engine 'fft' supports only dims=2"),
        ({"seed": -1}, r"seed must be >= 0"),
        ({"callback_every": 0}, r"callback_every must be >= 1"),
        ({"pca_dims": 1}, r"pca_dims must be >= 2"),
    ],
)
def test_bad_parameters_are_named(clusters, kwargs, message):
    X, _ = clusters
    with pytest.raises(InvalidParameterError, match=message):
        tsne(X, **kwargs)


def test_nan_rows_are_named(clusters):
    X, _ = clusters
    bad = X.copy()
    bad[17, 3] = np.nan
    bad[42, 0] = np.inf
    with pytest.raises(InvalidParameterError, match=r"NaN or infinite values in row 17, 42"):
        tsne(bad)


def test_nan_rows_found_across_blocks(tmp_path):
    """A memory-mapped input is checked a block of rows at a time; rows in every block count."""
    from synthscope.projection._checks import _non_finite_rows

    X = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(50, 4))
    X[:] = 1.0
    X[[0, 9, 10, 49], [1, 3, 0, 2]] = [np.nan, np.inf, -np.inf, np.nan]
    for block_bytes in (16, 160, 1 << 20):  # one row, ten rows, everything at once
        assert _non_finite_rows(X, block_bytes).tolist() == [0, 9, 10, 49]


def test_too_few_points():
    with pytest.raises(InvalidParameterError, match=r"at least 4 points \(got 3\)"):
        tsne(np.ones((3, 5)))


def test_wrong_shape():
    with pytest.raises(InvalidParameterError, match=r"2-D array"):
        tsne(np.ones(10))


def test_tiny_input_runs():
    X = np.arange(20, dtype=np.float32).reshape(5, 4)
    result = tsne(X, perplexity=1, iterations=30)
    assert np.isfinite(result.embedding).all()
