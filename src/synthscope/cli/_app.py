"""The Typer application every command module registers on, and the console helpers they share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from synthscope._progress import ProgressCallback

app = typer.Typer(
    name="synthscope",
    help="Can generated medical images pass for real ones? Ingest, project, test and curate them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Everything for people goes to stderr so that stdout stays clean for data a command may print.
console = Console(stderr=True, highlight=False)


@contextmanager
def progress_bar(description: str) -> Iterator[ProgressCallback]:
    """Show a rich progress bar driven by a library ``(done, total)`` callback."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
