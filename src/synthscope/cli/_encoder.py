"""``synthscope train-encoder WS RUN``: a self-supervised encoder on the workspace's real images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, console, say

_TRAINING = "Training"
_MODEL = "Model (ignored with --resume)"


@app.command("train-encoder")
def train_encoder_command(
    workspace: Annotated[
        Path, typer.Argument(help="The workspace folder (made by `synthscope ingest`).")
    ],
    run: Annotated[Path, typer.Argument(help="Run folder for options, checkpoints, stats.")],
    on: Annotated[
        str,
        typer.Option(
            help="real: only source=real images train the encoder; all: every image"
            " (exploration only, recorded in the run).",
        ),
    ] = "real",
    epochs: Annotated[
        int | None, typer.Option(help="Passes over the images [20].", rich_help_panel=_TRAINING)
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Images per step [64].", rich_help_panel=_TRAINING)
    ] = None,
    lr: Annotated[
        float | None,
        typer.Option(help="AdamW learning rate after warm-up [2e-3].", rich_help_panel=_TRAINING),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(help="Weights, data order, augmentations [0].", rich_help_panel=_TRAINING),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(
            help="auto (CUDA when present) | cpu | cuda [auto].", rich_help_panel=_TRAINING
        ),
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(help="auto (bf16 on CUDA) | fp32 | bf16 [auto].", rich_help_panel=_TRAINING),
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(help="Images are resized to SIZE x SIZE [128].", rich_help_panel=_MODEL),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(help="vicreg | simclr [vicreg].", rich_help_panel=_MODEL),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            help="Channels of the first stage; vectors have 15 x WIDTH numbers [16].",
            rich_help_panel=_MODEL,
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue RUN exactly where it stopped (--epochs may grow)."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the resolved options and stop.")
    ] = False,
) -> None:
    """Train a self-supervised encoder (VICReg, geometric views) on WORKSPACE's real images.

    Only real images train it by default: an encoder fitted to the generated images as well would
    shape its feature space around them, and that leaks into the very test that compares them
    with the real ones. Augmentations are geometric only (rotation about the catheter, flips,
    small zoom and shift), so the encoder stays sensitive to brightness, contrast, blur and
    speckle. RUN gets options.json, checkpoints/ and stats.jsonl; then use the feature with
    `synthscope embed WORKSPACE --features ssl:RUN`.
    """
    from synthscope.encoder import EncoderConfig, resumed_config
    from synthscope.workspace._train_encoder import train_encoder

    given = {
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "device": device,
        "precision": precision,
        "size": size,
        "method": method,
        "width": width,
    }
    given = {name: value for name, value in given.items() if value is not None}
    config = resumed_config(run, **given) if resume else EncoderConfig(**given)
    if dry_run:
        typer.echo(json.dumps({**config.to_dict(), "on": on}, indent=2, sort_keys=True))
        return

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[info]}"),
        console=console,
    )
    tasks: dict[str, int] = {}

    def show(status) -> None:  # a TrainStatus
        if not tasks:
            bar.start()
        if status.phase not in tasks:
            label = "reading images" if status.phase == "reading" else "training"
            tasks[status.phase] = bar.add_task(label, total=status.total, info="")
        info = ""
        if status.phase == "training":
            info = (
                f"epoch {status.epoch + 1} loss {status.loss:.3f}"
                f" {status.images_per_s:.1f} images/s"
            )
        bar.update(tasks[status.phase], completed=status.done, total=status.total, info=info)

    try:
        result = train_encoder(workspace, run, on=on, config=config, resume=resume, progress=show)
    finally:
        if tasks:
            bar.stop()
    say(
        f"trained {run}: epoch {result.epoch}, step {result.step}, loss {result.loss:.4g},"
        f" {result.seconds:.0f} s; checkpoint {result.checkpoint}."
        f" Next: synthscope embed {workspace} --features ssl:{run}"
    )
