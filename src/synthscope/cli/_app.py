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


def say(message: str, style: str | None = None) -> None:
    """One message for people, printed as is (no markup, no wrapping of long paths)."""
    console.print(message, style=style, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(description: str) -> Iterator[ProgressCallback]:
    """A rich progress bar driven by a library ``(done, total)`` callback.

    The bar appears at the first call, so a command that fails before its long work shows none.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    except BaseException:
        if task is not None:
            bar.live.transient = True  # an error replaces the bar: one line, not two
            bar.stop()
        raise
    if task is not None:
        bar.stop()
