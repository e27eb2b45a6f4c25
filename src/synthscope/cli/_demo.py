"""``synthscope demo``: the founding study on the built-in phantom, then the projector."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope._progress import ProgressCallback
from synthscope.cli._app import app, console, say


class _BarReporter:
    """One progress bar per demo step; a reused step prints one line instead."""

    def __init__(self) -> None:
        self._bar = None

    def begin(self, step: str, description: str) -> ProgressCallback:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn(f"{description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if task is None:
                self._bar.start()
                task = self._bar.add_task(description, total=total)
            self._bar.update(task, completed=done, total=total)

        return update

    def end(self, step: str, seconds: float, skipped: bool) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if skipped:
            say(f"{step}: reused from an earlier run")
        else:
            say(f"{step}: done in {seconds:.1f} s")


def print_findings(result) -> None:
    """The side-by-side table, then the raw-pixel verdict and its evidence."""
    from synthscope.demo import findings_lines

    say("side by side: " + result.agreement)
    say(result.table)
    for line in findings_lines(result.verdict, result.evidence):
        say(line)


@app.command("demo")
def demo_command(
    workdir: Annotated[
        Path, typer.Option("--workdir", help="Where the demo writes everything.")
    ] = Path("synthscope-demo"),
    size: Annotated[
        str,
        typer.Option(
            "--size",
            help="small: a few hundred 64x64 frames, ready in minutes; paper: the study's "
            "1,800 real 500x500 frames and 1,800 generated.",
        ),
    ] = "small",
    model: Annotated[
        Path | None,
        typer.Option("--model", help="A SPADE run to generate with instead of the shipped one."),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the projector's URL; do not open it.")
    ] = False,
    exit_when_ready: Annotated[
        bool,
        typer.Option("--exit-when-ready", help="Stop once everything is computed (for tests)."),
    ] = False,
    host: Annotated[str, typer.Option(help="Address the projector binds.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the projector.")] = 8765,
) -> None:
    """Run the whole study on the built-in IVUS phantom and open the projector.

    Simulates real frames with label maps, generates frames from held-out label maps with a SPADE
    generator synthscope trained, ingests both at the generator's size, computes raw-pixel,
    texture, random-network and discriminator features, 3-D t-SNEs and the realism report in
    every space side by side. Re-running reuses the finished steps.
    """
    from synthscope.demo import run_demo

    result = run_demo(workdir, size, model=model, reporter=_BarReporter())
    for warning in result.warnings:
        say(f"warning: {warning}", style="yellow")
    print_findings(result)
    say(f"report: {result.report_html}")
    if exit_when_ready:
        say(f"workspace ready: {result.workspace}")
        return
    from synthscope.cli._serve import serve

    serve(result.workspace, host=host, port=port, no_browser=no_browser)
