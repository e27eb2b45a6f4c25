"""SPADE commands: ``train DATA RUN`` and ``generate RUN LABELS_DIR OUT``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, console, progress_bar, say

_MODEL = "Model (ignored with --resume)"
_TRAINING = "Training"


@app.command("train")
def train_command(
    data: Annotated[
        Path, typer.Argument(help="Folder with images/ and labels/ paired by file stem.")
    ],
    run: Annotated[Path, typer.Argument(help="Run folder for options, checkpoints, logs.")],
    epochs: Annotated[
        int | None, typer.Option(help="Epochs at a constant rate [50].", rich_help_panel=_TRAINING)
    ] = None,
    decay_epochs: Annotated[
        int | None,
        typer.Option(help="Extra epochs with a linear decay to 0 [0].", rich_help_panel=_TRAINING),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Images per step [1].", rich_help_panel=_TRAINING)
    ] = None,
    max_steps: Annotated[
        int | None,
        typer.Option(help="Stop after this many steps in all.", rich_help_panel=_TRAINING),
    ] = None,
    lr: Annotated[
        float | None, typer.Option(help="Base learning rate [2e-4].", rich_help_panel=_TRAINING)
    ] = None,
    ttur: Annotated[
        bool | None,
        typer.Option(
            "--ttur/--no-ttur",
            help="G lr/2, D lr*2, betas (0, 0.9) [on]; off: both lr, betas (0.5, 0.999).",
            rich_help_panel=_TRAINING,
        ),
    ] = None,
    flip: Annotated[
        bool | None,
        typer.Option(
            "--flip/--no-flip", help="Random horizontal flips [on].", rich_help_panel=_TRAINING
        ),
    ] = None,
    lambda_feat: Annotated[
        float | None,
        typer.Option(
            help="Feature-matching weight; 0 turns it off [10].", rich_help_panel=_TRAINING
        ),
    ] = None,
    vgg_weights: Annotated[
        Path | None,
        typer.Option(
            help="Local VGG19 state dict: turns on the VGG loss (nothing is downloaded).",
            rich_help_panel=_TRAINING,
        ),
    ] = None,
    lambda_vgg: Annotated[
        float | None, typer.Option(help="VGG loss weight [10].", rich_help_panel=_TRAINING)
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed [0].", rich_help_panel=_TRAINING)
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="auto | cpu | cuda [auto].", rich_help_panel=_TRAINING)
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(help="auto (bf16 on CUDA) | fp32 | bf16 [auto].", rich_help_panel=_TRAINING),
    ] = None,
    snapshot_every: Annotated[
        int | None,
        typer.Option(
            help="Keep a numbered checkpoint every N epochs [10].", rich_help_panel=_TRAINING
        ),
    ] = None,
    sample_every: Annotated[
        int | None,
        typer.Option(help="Steps between sample grids [500].", rich_help_panel=_TRAINING),
    ] = None,
    log_every: Annotated[
        int | None,
        typer.Option(help="Steps between rows of losses.csv [10].", rich_help_panel=_TRAINING),
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(help="Crop and output size in pixels [256].", rich_help_panel=_MODEL),
    ] = None,
    load_size: Annotated[
        int | None,
        typer.Option(help="Resize before the random crop [size*286/256].", rich_help_panel=_MODEL),
    ] = None,
    label_nc: Annotated[
        int | None,
        typer.Option(help="Label classes [max label value + 1].", rich_help_panel=_MODEL),
    ] = None,
    channels: Annotated[
        int | None,
        typer.Option(help="Image channels, 1 or 3 [from the first image].", rich_help_panel=_MODEL),
    ] = None,
    ngf: Annotated[
        int | None, typer.Option(help="Generator base width [64].", rich_help_panel=_MODEL)
    ] = None,
    ndf: Annotated[
        int | None, typer.Option(help="Discriminator base width [64].", rich_help_panel=_MODEL)
    ] = None,
    num_upsampling: Annotated[
        str | None, typer.Option(help="normal | more | most [normal].", rich_help_panel=_MODEL)
    ] = None,
    spade_hidden: Annotated[
        int | None,
        typer.Option(help="Width of SPADE's label embedding [128].", rich_help_panel=_MODEL),
    ] = None,
    norm: Annotated[
        str | None,
        typer.Option(
            help="Parameter-free norm in SPADE: batch | instance [batch].", rich_help_panel=_MODEL
        ),
    ] = None,
    vae: Annotated[
        bool | None,
        typer.Option(
            "--vae/--no-vae", help="Add the VAE style encoder [off].", rich_help_panel=_MODEL
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue RUN exactly where it stopped.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the resolved options and stop.")
    ] = False,
) -> None:
    """Train SPADE on DATA/images + DATA/labels (integer label PNGs), writing into RUN.

    RUN gets options.json, checkpoints/latest.pt and per-epoch snapshots (G, D, both optimizers,
    random states), losses.csv and sample grids. Label maps are checked before training starts.
    """
    from synthscope.spade import SpadeConfig, resumed_config, training_loop

    given = {
        "epochs": epochs,
        "decay_epochs": decay_epochs,
        "batch_size": batch_size,
        "max_steps": max_steps,
        "lr": lr,
        "ttur": ttur,
        "flip": flip,
        "lambda_feat": lambda_feat,
        "vgg_weights": str(vgg_weights) if vgg_weights is not None else None,
        "lambda_vgg": lambda_vgg,
        "seed": seed,
        "device": device,
        "precision": precision,
        "snapshot_every": snapshot_every,
        "sample_every": sample_every,
        "log_every": log_every,
        "size": size,
        "load_size": load_size,
        "label_nc": label_nc,
        "image_channels": channels,
        "ngf": ngf,
        "ndf": ndf,
        "num_upsampling": num_upsampling,
        "spade_hidden": spade_hidden,
        "norm": norm,
        "use_vae": vae,
    }
    given = {name: value for name, value in given.items() if value is not None}
    config = resumed_config(run, **given) if resume else SpadeConfig(**given)
    if dry_run:
        typer.echo(json.dumps(config.to_dict(), indent=2, sort_keys=True))
        return

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[info]}"),
        console=console,
    )
    task = None

    def show(status) -> None:  # a TrainStatus
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("training", total=status.total_steps, info="")
        losses = status.losses
        info = (
            f"ep {status.epoch} G {losses['g_gan']:.3f}+{losses['g_feat']:.2f}"
            f" D {losses['d_real']:.3f}/{losses['d_fake']:.3f} {status.images_per_s:.1f} img/s"
        )
        bar.update(task, completed=status.step, total=status.total_steps, info=info)

    try:
        result = training_loop(data, run, config, resume=resume, progress=show)
    finally:
        if task is not None:
            bar.stop()
    say(f"trained {run}: step {result.step}, epoch {result.epoch}; checkpoint {result.checkpoint}")


@app.command("generate")
def generate_command(
    run: Annotated[Path, typer.Argument(help="A run folder made by `synthscope train`.")],
    labels_dir: Annotated[Path, typer.Argument(help="Folder of integer label maps (PNG).")],
    out: Annotated[Path, typer.Argument(help="Output folder: images/, labels/, frames.tsv.")],
    checkpoint: Annotated[
        str, typer.Option(help="latest, an epoch number, or a checkpoint file.")
    ] = "latest",
    seed: Annotated[int, typer.Option(help="Seed of the VAE style codes.")] = 0,
    batch_size: Annotated[int, typer.Option(help="Label maps per forward pass.")] = 8,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda.")] = "auto",
) -> None:
    """Generate one image per label map in LABELS_DIR with RUN's generator (no real images needed).

    Writes OUT/images/<stem>.png, OUT/labels/<stem>.png and OUT/frames.tsv, ready for
    `synthscope ingest WS --fake OUT`.
    """
    from synthscope.spade import generate_images

    with progress_bar("generating") as progress:
        result = generate_images(
            run,
            labels_dir,
            out,
            checkpoint=checkpoint,
            seed=seed,
            batch_size=batch_size,
            device=device,
            progress=progress,
        )
    say(
        f"generated {len(result.stems)} images into {out} ({result.checkpoint.name}, step {result.step})"
    )
