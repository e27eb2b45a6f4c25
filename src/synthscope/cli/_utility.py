"""``synthscope utility``: does adding generated images help a model tested on held-out real groups?"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from synthscope.cli._app import app, console, say
from synthscope.errors import InvalidParameterError

WorkspaceArg = Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)]


class _Bars:
    """Two bars: images loaded, then gradient steps over every arm and repeat."""

    def __init__(self, repeats: int, steps: int) -> None:
        self.repeats, self.steps = repeats, steps
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.load_task = self.train_task = None
        self.runs_done = 0
        self.total_runs = 0

    def _start(self) -> None:
        if self.load_task is None and self.train_task is None:
            self.bar.start()

    def load(self, done: int, total: int) -> None:
        self._start()
        if self.load_task is None:
            self.load_task = self.bar.add_task("loading images", total=total)
        self.bar.update(self.load_task, completed=done, total=total)

    def runs(self, done: int, total: int) -> None:
        self.runs_done, self.total_runs = done, total

    def step(self, arm: str, repeat: int, step: int, steps: int) -> None:
        self._start()
        if self.train_task is None:
            self.train_task = self.bar.add_task("training", total=None)
        total = self.total_runs or None
        description = f"training {arm}, repeat {repeat + 1}/{self.repeats}"
        self.bar.update(
            self.train_task,
            description=description,
            completed=self.runs_done * steps + step,
            total=total * steps if total else None,
        )

    def stop(self, failed: bool) -> None:
        if self.load_task is not None or self.train_task is not None:
            if failed:
                self.bar.live.transient = True
            self.bar.stop()


@contextmanager
def _bars(repeats: int, steps: int) -> Iterator[_Bars]:
    bars = _Bars(repeats, steps)
    try:
        yield bars
    except BaseException:
        bars.stop(failed=True)
        raise
    bars.stop(failed=False)


def _flag(error: InvalidParameterError) -> InvalidParameterError:
    """``steps must be ...`` -> ``--steps must be ...``: speak of the flag the user typed."""
    name = error.parameter
    text = str(error)
    if name and text.startswith(name + " "):
        flag = "--" + name.replace("_", "-")
        return InvalidParameterError(flag + text[len(name) :], parameter=name)
    return error


@app.command("utility")
def utility_command(
    workspace: WorkspaceArg,
    task: Annotated[
        str | None,
        typer.Option("--task", help="segment (label maps; default) or classify (needs --target)."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="The categorical column to classify (implies classify)."),
    ] = None,
    curated: Annotated[
        list[str] | None,
        typer.Option(
            "--curated",
            help="WHERE choosing the curated generated images (repeat to AND; default "
            "source=fake and label=real). COLUMN=VALUE, COLUMN~REGEX, COLUMN>=X ...",
        ),
    ] = None,
    rank_by: Annotated[
        list[str] | None,
        typer.Option(
            "--rank-by",
            help="A score column (higher = more real) whose --top K best generated images "
            "form an arm (repeatable; default every realism_c2st / realism_knn column).",
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option("--top", help="K for --rank-by (default: the curated count, else half)."),
    ] = None,
    repeats: Annotated[int, typer.Option("--repeats", help="Trainings per arm.")] = 3,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps", help="Gradient steps of every training (all arms equal) [default: 300]."
        ),
    ] = None,
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs",
            help="Instead of --steps: passes over the real training images, the same number of "
            "steps for every arm.",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Images per step.")] = 8,
    width: Annotated[int, typer.Option("--width", help="Channels of the first layer.")] = 8,
    size: Annotated[int, typer.Option("--size", help="Images are resized to SIZE x SIZE.")] = 64,
    test_fraction: Annotated[
        float | None,
        typer.Option(
            "--test-fraction",
            help="Share of real groups held out when a split is drawn [default: 0.3].",
        ),
    ] = None,
    new_split: Annotated[
        bool, typer.Option("--new-split", help="Draw a new split instead of the stored one.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = 0,
    device: Annotated[str, typer.Option("--device", help="auto | cpu | cuda")] = "auto",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the JSON result here.")
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the self-contained HTML report here.")
    ] = None,
) -> None:
    """Train on real, real + generated, real + curated, real + top-K, real + random and generated
    images of WORKSPACE; test each on held-out real groups.

    Real points are split by group (pullback, patient) into training and test groups; the split is
    stored in WORKSPACE/utility/split.json and reused. Every arm trains the same number of steps
    from the same initial weights per repeat. Prints the verdict; stores
    WORKSPACE/utility/result.json.
    """
    from synthscope.workspace import Workspace, utility_workspace

    try:
        with Workspace.open(workspace) as ws, _bars(repeats, steps or 300) as bars:
            result = utility_workspace(
                ws,
                task=task,
                target=target,
                curated=curated,
                rank_by=rank_by,
                top=top,
                repeats=repeats,
                steps=steps,
                epochs=epochs,
                batch_size=batch_size,
                width=width,
                size=size,
                test_fraction=test_fraction,
                new_split=new_split,
                seed=seed,
                device=device,
                json_path=json_out,
                html_path=html_out,
                load_progress=bars.load,
                progress=bars.runs,
                step_progress=bars.step,
            )
    except InvalidParameterError as error:
        raise _flag(error) from None
    say(result.verdict, style="bold")
    for line in result.evidence:
        say(f"  - {line}")
    for line in result.notes:
        say(f"  note: {line}", style="yellow")
    split = result.split
    how = "reused" if split["reused"] else "drew"
    say(
        f"{how} the split {workspace / split['path']}: {split['n_train_real']} real training "
        f"images from {len(split['train_groups'])} groups, {split['n_test']} test images from "
        f"{len(split['test_groups'])} groups ({', '.join(split['test_groups'][:6])}"
        f"{', …' if len(split['test_groups']) > 6 else ''})"
    )
    say(f"stored {workspace / 'utility' / 'result.json'}")
    for path in (json_out, html_out):
        if path is not None:
            say(f"wrote {path}")
