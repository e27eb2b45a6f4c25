"""``synthscope phantom``: write a set of simulated IVUS frames with label maps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, progress_bar, say

_KNOBS = "Shift knobs (defaults = the default set; change one to make a set shifted in that alone)"


@app.command("phantom")
def phantom_command(
    out: Annotated[Path, typer.Argument(help="Folder to create.", show_default=False)],
    n: Annotated[int, typer.Option("--n", help="Number of frames.")] = 400,
    size: Annotated[int, typer.Option("--size", help="Frame width and height in pixels.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bytes.")] = 0,
    pullbacks: Annotated[
        int | None,
        typer.Option(
            "--pullbacks", help="Pullbacks the frames are split over [default: min(8, n)]."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (default: usable cores).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace OUT if it exists and is not empty.")
    ] = False,
    speckle_size: Annotated[
        float,
        typer.Option(help="Point-spread-function scale (speckle grain).", rich_help_panel=_KNOBS),
    ] = 1.0,
    dynamic_range: Annotated[
        float, typer.Option(help="Log-compression dynamic range, dB.", rich_help_panel=_KNOBS)
    ] = 50.0,
    gain: Annotated[float, typer.Option(help="Receive gain, dB.", rich_help_panel=_KNOBS)] = 0.0,
    blur: Annotated[
        float, typer.Option(help="Gaussian display blur, sigma in pixels.", rich_help_panel=_KNOBS)
    ] = 0.0,
    noise: Annotated[
        float,
        typer.Option(help="Electronic noise power relative to plaque, dB.", rich_help_panel=_KNOBS),
    ] = -42.0,
    attenuation: Annotated[
        float, typer.Option(help="Tissue attenuation, dB/cm/MHz.", rich_help_panel=_KNOBS)
    ] = 0.5,
    frequency: Annotated[
        float, typer.Option(help="Transducer centre frequency, MHz.", rich_help_panel=_KNOBS)
    ] = 40.0,
    blood_echo: Annotated[
        float,
        typer.Option(help="Blood echogenicity relative to plaque, dB.", rich_help_panel=_KNOBS),
    ] = -24.0,
    ringdown: Annotated[
        float, typer.Option(help="Catheter ring-down amplitude (0 = none).", rich_help_panel=_KNOBS)
    ] = 1.0,
    calcium_probability: Annotated[
        float, typer.Option(help="Probability that a pullback has calcium.", rich_help_panel=_KNOBS)
    ] = 0.5,
) -> None:
    """Simulate IVUS pullbacks (B-mode frames and label maps) into OUT.

    Writes OUT/images/<stem>.png, OUT/labels/<stem>.png (0 outside, 1 lumen, 2 plaque,
    3 perivascular, 4 calcium), OUT/frames.tsv (one row per frame; group = pullback) and
    OUT/phantom.json. Ready for `synthscope ingest` and `synthscope train`.
    """
    from synthscope.phantom import PhantomParams, write_phantom

    params = PhantomParams(
        speckle_size=speckle_size,
        dynamic_range_db=dynamic_range,
        gain_db=gain,
        blur_px=blur,
        noise_db=noise,
        attenuation_db_cm_mhz=attenuation,
        center_frequency_mhz=frequency,
        blood_echo_db=blood_echo,
        ringdown=ringdown,
        calcium_probability=calcium_probability,
    )
    with progress_bar("simulating frames") as progress:
        records = write_phantom(
            out,
            n=n,
            size=size,
            seed=seed,
            pullbacks=pullbacks,
            params=params,
            progress=progress,
            workers=workers,
            overwrite=overwrite,
        )
    calcified = sum(record.calcium_present for record in records)
    say(
        f"wrote {len(records)} frames ({size}x{size}) in {len({r.pullback for r in records})} "
        f"pullbacks to {out}; "
        f"{calcified} frames with calcium"
    )
