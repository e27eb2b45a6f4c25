"""The Typer application every command module registers on, and the console helpers they share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
from rich.status import Status

from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError


def speak_of_flags(error: InvalidParameterError, command: Any) -> InvalidParameterError:
    """``error`` with its parameter named by the command's flag (``perplexity`` -> ``--perplexity``).

    Library errors speak of parameters; a command's Python parameter names are the library's
    (``feature`` for ``--features``), so the flag is looked up by that name.
    """
    name = error.parameter
    text = str(error)
    if not name or not text.startswith(name):
        return error
    # duck-typed: typer carries its own copy of click's classes
    options = [p for p in command.params if p.param_type_name == "option" and p.opts]
    spelled = "--" + name.replace("_", "-")
    for param in options:
        if param.name == name or spelled in param.opts:
            return InvalidParameterError(param.opts[0] + text[len(name) :], parameter=name)
    return error


class CommandGroup(typer.core.TyperGroup):
    """The command group: maps library parameter names in errors to the invoked command's flags."""

    def invoke(self, ctx: Any) -> object:
        try:
            return super().invoke(ctx)
        except InvalidParameterError as error:
            command = self.get_command(ctx, ctx.invoked_subcommand or "")
            if command is None:
                raise
            mapped = speak_of_flags(error, command)
            if mapped is error:
                raise
            raise mapped from None


app = typer.Typer(
    name="synthscope",
    cls=CommandGroup,
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


def spinner(text: str) -> Status:
    """A spinner with ``text`` (a context manager, or start/stop) for work that has no count."""
    return console.status(text)


@contextmanager
def progress_bar(description: str, *, waiting: str | None = None) -> Iterator[ProgressCallback]:
    """A rich progress bar driven by a library ``(done, total)`` callback.

    The bar appears at the first call, so a command that fails before its long work shows none.
    ``waiting``: a spinner with this text until then, for work that precedes the first count
    (an ingest's scan of 100,000 files takes several seconds). Rich shows one live display at a
    time: the spinner stops before the bar starts.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    waiter = spinner(waiting) if waiting else None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            if waiter is not None:
                waiter.stop()
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, total=total)

    if waiter is not None:
        waiter.start()
    try:
        yield update
    except BaseException:
        if task is not None:
            bar.live.transient = True  # an error replaces the bar: one line, not two
            bar.stop()
        raise
    finally:
        if waiter is not None and task is None:
            waiter.stop()  # transient: it leaves no line
    if task is not None:
        bar.stop()
