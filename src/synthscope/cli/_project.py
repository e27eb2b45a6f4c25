"""``synthscope project``: compute (or reuse) a PCA, t-SNE or UMAP projection of a workspace."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from synthscope._progress import ProgressCallback
from synthscope.cli._app import app, progress_bar, say

WorkspaceArg = Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)]

METHODS = ("pca", "tsne", "umap")


def projection_request(
    method: str,
    dims: int,
    feature: str,
    seed: int,
    *,
    perplexity: float,
    iterations: int,
    learning_rate: str,
    early_exaggeration: float,
    pca_dims: int | None,
    metric: str,
    engine: str,
    n_neighbors: int,
    min_dist: float,
) -> dict[str, Any]:
    """The request that identifies a projection: only the parameters its method uses."""
    from synthscope.errors import InvalidParameterError

    if method not in METHODS:
        raise InvalidParameterError(
            f"--method must be one of {', '.join(METHODS)} (got {method!r})"
        )
    request: dict[str, Any] = {"method": method, "dims": dims, "feature": feature, "seed": seed}
    if method == "tsne":
        rate: float | str = learning_rate
        if learning_rate != "auto":
            try:
                rate = float(learning_rate)
            except ValueError:
                raise InvalidParameterError(
                    f"--learning-rate must be 'auto' or a number (got {learning_rate!r})"
                ) from None
        request.update(
            perplexity=float(perplexity),
            iterations=iterations,
            learning_rate=rate,
            early_exaggeration=float(early_exaggeration),
            pca_dims=pca_dims,
            metric=metric,
            engine=engine,
        )
    elif method == "umap":
        request.update(n_neighbors=n_neighbors, min_dist=float(min_dist), metric=metric)
    return request


def _digest(vectors: Any) -> str:
    """SHA-1 of the vectors, so a stored projection is not reused after the feature changed."""
    import numpy as np

    digest = hashlib.sha1(usedforsecurity=False)
    for start in range(0, vectors.shape[0], 4096):
        digest.update(np.ascontiguousarray(vectors[start : start + 4096]).tobytes())
    return digest.hexdigest()


def run_request(
    ws: Any,
    request: dict[str, Any],
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> tuple[str, dict[str, Any], bool]:
    """Compute the projection ``request`` describes on ``ws``, or reuse the stored one.

    Returns ``(projection id, metadata, reused)``.
    """
    import numpy as np

    from synthscope import projection

    vectors = ws.vectors(request["feature"])  # UnknownFeatureError names the features there are
    pid = ws.projection_id(request)
    digest = _digest(vectors)
    if not force:
        stored = ws.load_projection(pid)
        if stored is not None and stored[1].get("vectors_sha1") == digest:
            return pid, stored[1], True
    X = np.asarray(vectors, dtype=np.float32)
    method, dims, seed = request["method"], request["dims"], request["seed"]
    if method == "pca":
        result = projection.pca(X, dims=dims, seed=seed)
    elif method == "umap":
        result = projection.umap(
            X,
            dims=dims,
            n_neighbors=request["n_neighbors"],
            min_dist=request["min_dist"],
            metric=request["metric"],
            seed=seed,
        )
    else:
        total = request["iterations"]

        def report(iteration: int, embedding: Any, kl: float | None) -> None:
            if progress is not None:
                progress(iteration, total)

        result = projection.tsne(
            X,
            dims=dims,
            perplexity=request["perplexity"],
            iterations=total,
            learning_rate=request["learning_rate"],
            early_exaggeration=request["early_exaggeration"],
            pca_dims=request["pca_dims"],
            metric=request["metric"],
            seed=seed,
            engine=request["engine"],
            callback=report,
            callback_every=10,
        )
    meta = {
        "method": method,
        "dims": dims,
        "feature": request["feature"],
        "seed": seed,
        "params": result.params,
        "kl": result.kl,
        "seconds": round(result.seconds, 3),
        "iterations": result.iterations,
        "n_points": result.n_points,
        "request": request,
        "vectors_sha1": digest,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    ws.save_projection(pid, result.embedding, meta)
    return pid, meta, False


@app.command("project")
def project_command(
    workspace: WorkspaceArg,
    method: Annotated[str, typer.Option("--method", help="pca | tsne | umap")] = "tsne",
    dims: Annotated[int, typer.Option("--dims", help="Output dimensions: 2 or 3.")] = 3,
    features: Annotated[
        str, typer.Option("--features", help="The feature (vectors) to project.")
    ] = "pixels64",
    perplexity: Annotated[float, typer.Option("--perplexity", help="t-SNE perplexity.")] = 30.0,
    iterations: Annotated[
        int, typer.Option("--iterations", help="t-SNE iterations (250 of them exaggerated).")
    ] = 1000,
    learning_rate: Annotated[
        str, typer.Option("--learning-rate", help="t-SNE learning rate, or auto (n/12 early).")
    ] = "auto",
    early_exaggeration: Annotated[
        float, typer.Option("--early-exaggeration", help="t-SNE early exaggeration.")
    ] = 12.0,
    pca_dims: Annotated[
        int, typer.Option("--pca-dims", help="Reduce to N principal components first; 0 skips.")
    ] = 50,
    metric: Annotated[
        str, typer.Option("--metric", help="euclidean | cosine (t-SNE and UMAP neighbours).")
    ] = "euclidean",
    engine: Annotated[
        str, typer.Option("--engine", help="t-SNE gradient: auto | exact | exact-cuda | fft | bh.")
    ] = "auto",
    n_neighbors: Annotated[int, typer.Option("--n-neighbors", help="UMAP neighbours.")] = 15,
    min_dist: Annotated[float, typer.Option("--min-dist", help="UMAP minimum distance.")] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute even when a stored result matches.")
    ] = False,
) -> None:
    """Project a feature of WORKSPACE to 2-D or 3-D and store it; prints the projection id.

    The same request (method, parameters, feature, seed) on unchanged vectors returns the stored
    projection instead of recomputing it.
    """
    from synthscope.workspace import Workspace

    request = projection_request(
        method,
        dims,
        features,
        seed,
        perplexity=perplexity,
        iterations=iterations,
        learning_rate=learning_rate,
        early_exaggeration=early_exaggeration,
        pca_dims=pca_dims or None,
        metric=metric,
        engine=engine,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
    )
    with Workspace.open(workspace) as ws, progress_bar(f"{method} {dims}-D") as progress:
        pid, meta, reused = run_request(ws, request, force=force, progress=progress)
    kl = f", KL {meta['kl']:.4f}" if meta.get("kl") is not None else ""
    how = "reused stored" if reused else f"computed in {meta['seconds']:.1f} s"
    say(f"{method} {dims}-D of {features} ({meta['n_points']} points{kl}): {how} projection {pid}")
    typer.echo(pid)
