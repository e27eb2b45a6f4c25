"""``synthscope project``: compute (or reuse) a PCA, t-SNE or UMAP projection of a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, progress_bar, say

WorkspaceArg = Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)]


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
    from synthscope.workspace import Workspace, project, projection_request

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
        pid, meta, reused = project(ws, request, force=force, progress=progress)
    kl = f", KL {meta['kl']:.4f}" if meta.get("kl") is not None else ""
    how = "reused stored" if reused else f"computed in {meta['seconds']:.1f} s"
    say(f"{method} {dims}-D of {features} ({meta['n_points']} points{kl}): {how} projection {pid}")
    typer.echo(pid)
