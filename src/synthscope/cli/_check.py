"""``synthscope check``: is a workspace sound? Exit 0 when it is, 1 with a list of problems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, say


@app.command("check")
def check_command(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)],
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Remove leftovers of interrupted commands and orphaned projection files, and "
            "redraw missing thumbnail tiles.",
        ),
    ] = False,
) -> None:
    """Check WORKSPACE like `git fsck`: database, vectors, projections, thumbnails, edit log,
    score runs and leftovers of interrupted commands; --repair fixes what it safely can.

    Exits 0 when the workspace is sound, 1 with one line per problem otherwise.
    """
    from synthscope.workspace import check_workspace

    report = check_workspace(workspace, repair=repair)
    for finding in report.repaired:
        say(f"repaired {finding}", style="green")
    for finding in report.notes:
        say(f"note: {finding}")
    for finding in report.problems:
        hint = " [--repair fixes it]" if finding.repairable and not repair else ""
        say(f"problem: {finding}{hint}", style="red")
    if report.problems:
        say(f"{workspace}: {len(report.problems)} problems", style="red")
        raise typer.Exit(1)
    say(f"{workspace}: sound ({report.n_points} points)")
