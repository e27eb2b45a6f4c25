"""Commands that build and read a workspace: ingest, embed, export, import-tf-projector."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, progress_bar, say, spinner
from synthscope.errors import InvalidParameterError
from synthscope.features import parse_spec, spec_syntax
from synthscope.io import DEFAULT_MAX_PIXELS

WorkspaceArg = Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)]
ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run the work on Dask: local[:N] starts N worker processes here; tcp://HOST:PORT "
        "uses a running scheduler, whose workers must see the image files under the same "
        "paths; none runs it in this process. Default: $SYNTHSCOPE_CLUSTER, else this process.",
        show_default=False,
    ),
]


def _open_cluster(cluster: str | None, *, threads: int | None = None, needed: bool = True):
    """``open_executor(cluster)``, with a spinner while a Dask cluster starts or answers (seconds:
    a LocalCluster's processes import synthscope; a scheduler may take its connect timeout).
    Not ``needed`` (nothing to compute): threads here, the value only checked."""
    from synthscope.workspace import open_executor, resolve_cluster

    resolved = resolve_cluster(cluster)  # a bad value fails here, before any spinner
    if resolved is None or not needed:
        return open_executor("none", threads=threads)  # decided: not the variable again
    local = resolved.startswith("local")
    with spinner("starting a local Dask cluster" if local else f"connecting to {resolved}"):
        return open_executor(cluster, threads=threads)  # as given: errors name its source


def _where(executor) -> None:
    if executor.remote:
        say(f"running on {executor.describe()}")


@app.command("ingest")
def ingest_command(
    workspace: WorkspaceArg,
    real: Annotated[
        list[Path] | None, typer.Option("--real", help="A folder of real images (repeatable).")
    ] = None,
    fake: Annotated[
        list[Path] | None,
        typer.Option("--fake", help="A folder of generated images (repeatable)."),
    ] = None,
    on_error: Annotated[
        str,
        typer.Option(
            "--on-error", help="fail: stop at an unreadable file; skip: list it and go on."
        ),
    ] = "fail",
    max_pixels: Annotated[
        int,
        typer.Option(
            "--max-pixels",
            help="The most pixels one image (frame) may have; larger ones are refused as "
            "decompression bombs.",
        ),
    ] = DEFAULT_MAX_PIXELS,
    resize: Annotated[
        int | None,
        typer.Option(
            "--resize",
            help="Bring every image to N x N (Lanczos) before any feature, so that real and "
            "generated sets stored at different sizes are compared like with like. Kept for "
            "later ingests into the same workspace.",
        ),
    ] = None,
    cluster: ClusterOption = None,
) -> None:
    """Create or extend WORKSPACE with images (PNG, JPEG, TIFF, BMP, GIF, WebP, DICOM) from real and fake folders.

    Every image becomes one point (each frame of a multi-frame DICOM, multi-page TIFF or animated
    image too) with the `pixels64` feature: nearest-neighbour 64x64, flattened, divided by 255.
    Running it again appends new files.
    """
    from synthscope.workspace import ingest

    if not real and not fake:
        raise InvalidParameterError("give at least one folder with --real or --fake")
    with (
        _open_cluster(cluster) as executor,
        progress_bar("decoding", waiting="scanning the folders") as progress,
    ):
        _where(executor)
        report = ingest(
            workspace,
            real or [],
            fake or [],
            on_error=on_error,
            resize=resize,
            max_pixels=max_pixels,
            cluster=executor,
            progress=progress,
        )
    for item in report.skipped:
        say(f"skipped {item.path}: {item.reason}", style="yellow")
    if report.duplicates:
        say(
            f"{len(report.duplicates)} files hold the same bytes as another (ingested all the same):",
            style="yellow",
        )
        for file, earlier in report.duplicates[:10]:
            say(f"  {file} = {earlier}", style="yellow")
        if len(report.duplicates) > 10:
            say(f"  ... and {len(report.duplicates) - 10} more", style="yellow")
    verb = "created" if report.created else "updated"
    say(
        f"{verb} {workspace}: {report.added} points added, {report.already_present} files already "
        f"present, {len(report.skipped)} skipped; {report.n_points} points in all"
    )


@app.command("embed")
def embed_command(
    workspace: WorkspaceArg,
    features: Annotated[
        list[str] | None,
        typer.Option(
            "--features",
            help="A feature spec (repeat for several): " + spec_syntax() + ".",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Recompute even when up to date.")] = False,
    cluster: ClusterOption = None,
) -> None:
    """Compute features (vectors) for every point of WORKSPACE, one progress bar each.

    A feature already stored for the same points by the same extractor (same parameters,
    version and model file) is kept; --force recomputes it.
    """
    from synthscope.workspace import Workspace, feature_is_current

    specs = features or ["pixels:64"]
    extractors = [parse_spec(spec) for spec in specs]  # a bad spec fails before any work
    with Workspace.open(workspace) as ws:
        currents = [not force and feature_is_current(ws, e) for e in extractors]
        # A cluster only when something is to compute: starting one costs seconds.
        with _open_cluster(cluster, threads=1, needed=not all(currents)) as executor:
            _where(executor)
            _embed_each(ws, extractors, currents, executor, force=force)


def _embed_each(ws, extractors: list, currents: list[bool], executor, *, force: bool) -> None:
    """Embed each extractor in turn, one progress bar and one line of report each."""
    from synthscope.workspace import embed

    for extractor, current in zip(extractors, currents, strict=True):
        with progress_bar(f"embedding {extractor.spec}") as progress:
            name = embed(ws, extractor, force=force, cluster=executor, progress=progress)
        shape = ws.vectors(name).shape
        info = ws.feature_info(name) or {}
        how = "already current" if current else f"{info.get('seconds', 0):.1f} s"
        say(f"feature {name}: {shape[0]} points x {shape[1]} values ({how})")


@app.command("export")
def export_command(
    workspace: WorkspaceArg,
    out: Annotated[Path, typer.Argument(help="Output folder (or file for metadata/csv/parquet).")],
    fmt: Annotated[
        str, typer.Option("--format", help="tf-projector | metadata | csv | parquet | images")
    ] = "tf-projector",
    features: Annotated[
        str, typer.Option("--features", help="The feature to export as vectors.")
    ] = "pixels64",
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            help="With --format images: COLUMN=VALUE (or != >= <= > <); repeat to AND them.",
        ),
    ] = None,
) -> None:
    """Write WORKSPACE as a TensorFlow Projector bundle, a metadata TSV, vectors as CSV/Parquet,
    or copy chosen images (say the generated ones relabelled real) to a folder."""
    from synthscope.workspace import Workspace, export

    with Workspace.open(workspace) as ws:
        files = export(ws, out, fmt, feature=features, where=where or [])
    if fmt == "images":
        say(f"copied {len(files) - 1} images to {out} (with metadata.tsv)")
        return
    for file in files:
        say(f"wrote {file}")
    if fmt == "tf-projector":
        say(f"open it with: tensorboard --logdir {out}")


@app.command("import-tf-projector")
def import_tf_projector_command(
    tensors: Annotated[Path, typer.Argument(help="tensors.tsv: one vector per row.")],
    second: Annotated[Path, typer.Argument(help="metadata.tsv, or the workspace when none.")],
    third: Annotated[Path | None, typer.Argument(help="The new workspace folder.")] = None,
    feature: Annotated[
        str, typer.Option("--feature", help="Name under which the vectors are stored.")
    ] = "imported",
) -> None:
    """Make a workspace from Projector files: TENSORS.tsv [METADATA.tsv] WS.

    METADATA may be the Projector's own metadata-edited.tsv; one column means no header row,
    several columns mean a header row, as in the Projector.
    """
    from synthscope.workspace import Workspace, import_projector_files

    metadata, workspace = (second, third) if third is not None else (None, second)
    report = import_projector_files(tensors, metadata, workspace, feature=feature)
    with Workspace.open(report.workspace) as ws:
        say(
            f"created {workspace}: {ws.n_points} points, feature {feature} "
            f"({ws.vectors(feature).shape[1]} values), columns {', '.join(ws.columns())}"
        )
    if report.missing:
        shown = ", ".join(report.missing[:5]) + (" ..." if len(report.missing) > 5 else "")
        say(
            f"{len(report.missing)} paths name no file (relative paths are taken from the "
            f"bundle's folder); those points have no image: {shown}",
            style="yellow",
        )
    for item in report.unreadable[:5]:
        say(f"not an image: {item.path}: {item.reason}", style="yellow")
