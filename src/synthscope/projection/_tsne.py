"""t-SNE: input checks, preprocessing, initialisation and the gradient-descent loop.

The schedule is the standard one (van der Maaten & Hinton 2008; Linderman & Steinerberger 2019;
Belkina et al. 2019; openTSNE's defaults): early exaggeration 12 for the first 250 iterations
with momentum 0.5, then exaggeration 1 with momentum 0.8; per-coordinate gains (+0.2 when the
gradient keeps its direction, x0.8 otherwise, floor 0.01); learning rate ``n / exaggeration`` for
"auto" (n/12 during early exaggeration, openTSNE's convention); a PCA initialisation rescaled to
standard deviation 1e-4 (Kobak & Berens 2019).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from synthscope._params import Integral, Interval, Options, check_params, check_value, fail
from synthscope.projection._affinity import affinities
from synthscope.projection._checks import check_data
from synthscope.projection._cuml import cuml_tsne
from synthscope.projection._engines import Engine, exact_kl, make_engine, resolve_engine
from synthscope.projection._pca import principal_components
from synthscope.projection._request import CONSTRAINTS, IterationCallback
from synthscope.projection._request import ProjectionRequest as _Defaults
from synthscope.projection._result import Projection

__all__ = ["EXACT_KL_MAX_POINTS", "optimize", "tsne"]

log = logging.getLogger(__name__)

EXAGGERATION_ITERATIONS = 250
MOMENTUM = (0.5, 0.8)
MIN_GAIN = 0.01
INIT_STD = 1e-4
# Up to this many points the final KL is computed exactly (one O(n**2) pass, ~0.1 s).
EXACT_KL_MAX_POINTS = 20_000


def _since(start: float) -> float:
    return time.perf_counter() - start


def _check_params(n: int, params: dict[str, Any]) -> None:
    """The request's constraint table, then the limits that depend on the data."""
    check_params(params, {**CONSTRAINTS, "callback_every": Interval(Integral, 1, None)})
    dims, perplexity, pca_dims, init = (
        params[k] for k in ("dims", "perplexity", "pca_dims", "init")
    )
    if 3 * perplexity >= n:
        raise fail("perplexity", f"must be < n_points / 3 (got {perplexity:g} for {n} points)")
    if pca_dims is not None and pca_dims < dims:
        raise fail("pca_dims", f"must be >= {dims} (got {pca_dims})")
    if isinstance(init, np.ndarray):
        if init.shape != (n, dims):
            raise fail("init", f"array must have shape ({n}, {dims}) (got {init.shape})")
        if not np.isfinite(init).all():
            raise fail("init", "array has NaN or infinite values")
    else:
        check_value("init", init, Options("pca", "random"))


def _initial_embedding(
    init: str | np.ndarray, reduced: np.ndarray, dims: int, seed: int, pcs: np.ndarray | None
) -> np.ndarray:
    """Starting layout (dims, n) float64 with standard deviation 1e-4 along the first axis."""
    if isinstance(init, np.ndarray):
        start = np.array(init, dtype=np.float64)
    elif init == "random":
        start = np.random.default_rng(seed).normal(0.0, INIT_STD, size=(reduced.shape[0], dims))
    else:
        start = pcs if pcs is not None else principal_components(reduced, dims, seed=seed)[0]
        if start.shape[1] < dims:
            extra = np.random.default_rng(seed).normal(size=(start.shape[0], dims - start.shape[1]))
            start = np.hstack([start, extra * (start.std() or 1.0)])
    start = start - start.mean(axis=0)
    std = start[:, 0].std()
    if not isinstance(init, np.ndarray) and std > 0:
        # small initial spread: the early phase then acts on the cluster structure, not on noise
        start *= INIT_STD / std
    return np.ascontiguousarray(start.T)


def optimize(
    Y: np.ndarray,
    engine: Engine,
    *,
    iterations: int,
    learning_rate: float | str = "auto",
    early_exaggeration: float = 12.0,
    exaggeration_iterations: int = EXAGGERATION_ITERATIONS,
    callback: IterationCallback | None = None,
    callback_every: int = 10,
) -> tuple[np.ndarray, int, float | None, bool]:
    """Run gradient descent on ``Y`` (dims, n) float64 in place.

    Returns the final layout, the number of iterations run, the last KL seen (or None), and
    whether the callback stopped the run.
    """
    n = Y.shape[1]
    update = np.zeros_like(Y)
    gains = np.ones_like(Y)
    kl: float | None = None
    done = 0
    stopped = False
    for iteration in range(iterations):
        early = iteration < exaggeration_iterations
        exaggeration = early_exaggeration if early else 1.0
        momentum = MOMENTUM[0] if early else MOMENTUM[1]
        rate = n / exaggeration if learning_rate == "auto" else float(learning_rate)
        report = callback is not None and (iteration + 1) % callback_every == 0
        grad, step_kl = engine.gradient(Y.astype(np.float32), exaggeration, want_kl=report)
        if step_kl is not None:
            kl = step_kl
        flipped = np.sign(update) != np.sign(grad)
        gains = np.where(flipped, gains + 0.2, gains * 0.8 + MIN_GAIN)
        update = momentum * update - rate * gains * grad
        Y += update
        Y -= Y.mean(axis=1, keepdims=True)
        done = iteration + 1
        if report and callback(done, np.ascontiguousarray(Y.T, dtype=np.float32), kl):
            log.info("t-SNE stopped by its callback at iteration %d", done)
            stopped = True
            break
    return Y, done, kl, stopped


def tsne(
    X: np.ndarray,
    dims: int = _Defaults.dims,
    perplexity: float = _Defaults.perplexity,
    iterations: int = _Defaults.iterations,
    learning_rate: float | str = _Defaults.learning_rate,
    early_exaggeration: float = _Defaults.early_exaggeration,
    pca_dims: int | None = _Defaults.pca_dims,
    metric: str = _Defaults.metric,
    init: str | np.ndarray = "pca",
    seed: int = _Defaults.seed,
    engine: str = _Defaults.engine,
    callback: IterationCallback | None = None,
    callback_every: int = 10,
) -> Projection:
    """t-distributed stochastic neighbour embedding of ``X`` into 2 or 3 dimensions.

    Parameters
    ----------
    X : array of shape (n_points, n_features)
        Input vectors (at least 4 points, no NaN or infinite values).
    dims : {2, 3}
        Output dimensions.
    perplexity : float
        Effective number of neighbours, >= 1 and < n_points / 3; affinities use the
        ``3 * perplexity`` nearest neighbours.
    iterations : int
        Total gradient-descent iterations, the first 250 with early exaggeration.
    learning_rate : float or "auto"
        "auto" is ``n / exaggeration`` (n/12 during early exaggeration).
    early_exaggeration : float
        Factor on P during the first 250 iterations.
    pca_dims : int or None
        Reduce to this many principal components first (when the input has more); None skips it.
    metric : {"euclidean", "cosine"}
        Neighbour distance; "cosine" matches the TF Projector's neighbour search.
    init : {"pca", "random"} or array of shape (n_points, dims)
        Starting layout; "pca" and "random" are scaled to standard deviation 1e-4.
    seed : int
        Seeds every random step (randomised PCA, approximate neighbours, random init).
    engine : {"auto", "exact", "exact-cuda", "fft", "cells", "bh", "opentsne-fft", "cuml"}
        How the gradient is computed; "auto" picks by size and dims (see ``_engines``).
    callback : callable, optional
        ``callback(iteration, embedding, kl)`` every ``callback_every`` iterations; returning
        True stops the run (the result then holds the layout reached, ``stopped`` set).
    callback_every : int
        Iterations between callbacks.

    Returns
    -------
    Projection
        With ``kl`` exact for n <= 20,000 (otherwise the engine's estimate).
    """
    data = check_data(X)
    n, d = data.shape
    _check_params(
        n,
        {
            "dims": dims,
            "perplexity": perplexity,
            "iterations": iterations,
            "learning_rate": learning_rate,
            "early_exaggeration": early_exaggeration,
            "pca_dims": pca_dims,
            "metric": metric,
            "init": init,
            "seed": seed,
            "engine": engine,
            "callback_every": callback_every,
        },
    )
    resolved = resolve_engine(engine, n, dims)
    start = time.perf_counter()

    pcs = None
    reduced = data
    if pca_dims is not None and d > pca_dims:
        reduced, _ = principal_components(data, pca_dims, seed=seed)
        pcs = reduced[:, :dims]
        reduced = reduced.astype(np.float32)
        log.info("t-SNE: %d points reduced to %d components (%.1f s)", n, pca_dims, _since(start))
    P = affinities(reduced, perplexity, metric=metric, seed=seed)
    log.info("t-SNE: affinities, perplexity %g (%.1f s)", perplexity, _since(start))
    if resolved == "cuml":  # a whole-run engine on the GPU: no iterates, no callback
        embedding = cuml_tsne(
            reduced,
            dims=dims,
            perplexity=perplexity,
            iterations=iterations,
            learning_rate=learning_rate,
            early_exaggeration=float(early_exaggeration),
            exaggeration_iterations=EXAGGERATION_ITERATIONS,
            init=init if isinstance(init, str) else "pca",
            seed=seed,
        )
        done, stopped = iterations, False
        final = np.ascontiguousarray(embedding.T)
        # KL against our P: exact up to EXACT_KL_MAX_POINTS, else our FFT engine's estimate
        scorer = None if n <= EXACT_KL_MAX_POINTS else make_engine("fft", P, dims)
    else:
        Y = _initial_embedding(init, reduced, dims, seed, pcs)
        scorer = make_engine(resolved, P, dims)
        Y, done, _, stopped = optimize(
            Y,
            scorer,
            iterations=iterations,
            learning_rate=learning_rate,
            early_exaggeration=float(early_exaggeration),
            callback=callback,
            callback_every=callback_every,
        )
        embedding = np.ascontiguousarray(Y.T, dtype=np.float32)
        final = np.ascontiguousarray(Y, dtype=np.float32)
    if n <= EXACT_KL_MAX_POINTS or scorer is None:
        kl = exact_kl(final, P)
    else:  # exact for the exact engines, the tree/FFT estimate otherwise
        kl = scorer.gradient(final, 1.0, want_kl=True)[1]
    seconds = time.perf_counter() - start
    params = {
        "method": "tsne",
        "dims": dims,
        "perplexity": float(perplexity),
        "iterations": int(iterations),
        "learning_rate": learning_rate if learning_rate == "auto" else float(learning_rate),
        "early_exaggeration": float(early_exaggeration),
        "exaggeration_iterations": EXAGGERATION_ITERATIONS,
        "pca_dims": pca_dims,
        "metric": metric,
        "init": init if isinstance(init, str) else "array",
        "seed": int(seed),
        "engine": resolved,
        "n_points": n,
    }
    return Projection(
        embedding=embedding,
        params=params,
        kl=float(kl),
        seconds=seconds,
        iterations=done,
        stopped=stopped,
    )
