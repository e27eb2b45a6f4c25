"""``synthscope project``: compute (or reuse) a PCA, t-SNE or UMAP projection of a workspace.

Every option is a field of :class:`~synthscope.projection.ProjectionRequest`, with its default
taken from there, so the command line and the page ask for the same thing by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, progress_bar, say
from synthscope.projection import ENGINES, ProjectionRequest

WorkspaceArg = Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)]
_D = ProjectionRequest  # the defaults


def _rate(text: str) -> float | str:
    """``auto`` or a number; anything else is passed on for the request to refuse by name."""
    try:
        return text if text == "auto" else float(text)
    except ValueError:
        return text


@app.command("project")
def project_command(
    workspace: WorkspaceArg,
    method: Annotated[str, typer.Option("--method", help="pca | tsne | umap")] = _D.method,
    dims: Annotated[int, typer.Option("--dims", help="Output dimensions: 2 or 3.")] = _D.dims,
    feature: Annotated[
        str, typer.Option("--features", help="The stored feature (vectors) to project.")
    ] = _D.feature,
    perplexity: Annotated[
        float, typer.Option("--perplexity", help="t-SNE perplexity.")
    ] = _D.perplexity,
    iterations: Annotated[
        int, typer.Option("--iterations", help="t-SNE iterations (250 of them exaggerated).")
    ] = _D.iterations,
    learning_rate: Annotated[
        str, typer.Option("--learning-rate", help="t-SNE learning rate, or auto (n/12 early).")
    ] = str(_D.learning_rate),
    early_exaggeration: Annotated[
        float, typer.Option("--early-exaggeration", help="t-SNE early exaggeration.")
    ] = _D.early_exaggeration,
    pca_dims: Annotated[
        int, typer.Option("--pca-dims", help="Reduce to N principal components first; 0 skips.")
    ] = _D.pca_dims or 0,
    metric: Annotated[
        str, typer.Option("--metric", help="euclidean | cosine (t-SNE and UMAP neighbours).")
    ] = _D.metric,
    engine: Annotated[
        str, typer.Option("--engine", help=f"t-SNE gradient: {' | '.join(ENGINES)}.")
    ] = _D.engine,
    n_neighbors: Annotated[
        int, typer.Option("--n-neighbors", help="UMAP neighbours.")
    ] = _D.n_neighbors,
    min_dist: Annotated[
        float, typer.Option("--min-dist", help="UMAP minimum distance.")
    ] = _D.min_dist,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = _D.seed,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute even when a stored result matches.")
    ] = False,
) -> None:
    """Project a feature of WORKSPACE to 2-D or 3-D and store it; prints the projection id.

    The same request (method, parameters, feature, seed) on unchanged vectors returns the stored
    projection instead of recomputing it.
    """
    from synthscope.workspace import Workspace, project

    request = ProjectionRequest(
        method=method,
        dims=dims,
        feature=feature,
        seed=seed,
        perplexity=perplexity,
        iterations=iterations,
        learning_rate=_rate(learning_rate),
        early_exaggeration=early_exaggeration,
        pca_dims=pca_dims or None,
        metric=metric,
        engine=engine,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
    )
    # Before the first iteration: the vectors' PCA and, for t-SNE and UMAP, the neighbours.
    waiting = f"{request.summary()}: preparing"
    with (
        Workspace.open(workspace) as ws,
        progress_bar(request.summary(), waiting=waiting) as progress,
    ):
        stored = project(ws, request, force=force, progress=progress)
    meta = stored.meta
    kl = f", KL {meta['kl']:.4f}" if meta.get("kl") is not None else ""
    how = "reused stored" if stored.reused else f"computed in {meta['seconds']:.1f} s"
    say(f"{request.summary()} ({meta['n_points']} points{kl}): {how} projection {stored.id}")
    typer.echo(stored.id)
