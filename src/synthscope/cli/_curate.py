"""Curation without the browser: ``synthscope label``, ``undo`` and ``redo``.

They write the same edit log as the projector's *Relabel selection*, *Undo* and *Redo*, so an edit
made here is undone from the page and the other way round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, say
from synthscope.errors import InvalidParameterError

WorkspaceArg = Annotated[Path, typer.Argument(help="The workspace folder.", show_default=False)]


def _assignment(text: str) -> tuple[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise InvalidParameterError(f"--set {text!r}: expected COLUMN=VALUE (say label=real)")
    return column.strip(), value


@app.command("label")
def label_command(
    workspace: WorkspaceArg,
    where: Annotated[
        list[str],
        typer.Option(
            "--where",
            help="COLUMN=VALUE, COLUMN~REGEX, COLUMN>=X (also != <= > <); repeat to AND them.",
            show_default=False,
        ),
    ],
    assign: Annotated[
        str,
        typer.Option(
            "--set", help="COLUMN=VALUE to write on every chosen point.", show_default=False
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say how many points would change; change nothing.")
    ] = False,
) -> None:
    """Set COLUMN to VALUE on every point of WORKSPACE meeting all --where conditions.

    One undoable batch in the workspace's edit log, as a relabel in the projector:
    `synthscope label my.ws --where source=fake --where realism_c2st>=0.5 --set label=real`.
    """
    from synthscope.workspace import Workspace, select_points

    column, value = _assignment(assign)
    with Workspace.open(workspace) as ws:
        if column not in ws.editable_columns():
            raise InvalidParameterError(
                f"--set {assign!r}: column {column!r} is not editable (editable: "
                f"{', '.join(ws.editable_columns())})"
            )
        ids = select_points(ws, where)
        conditions = " and ".join(where)
        if ids.size == 0:
            raise InvalidParameterError(f"--where {conditions}: matches no point; nothing changed")
        if dry_run:
            say(f"{ids.size} points meet {conditions}; would set {column} = {value!r} (dry run)")
            return
        batch = ws.relabel(ids.tolist(), column, value)
    say(
        f"set {column} = {value!r} on {ids.size} points meeting {conditions} (batch {batch}); "
        f"undo with `synthscope undo {workspace}`"
    )


def _batch_text(ws, batch: int) -> str:
    for item in ws.edits(limit=1000):
        if item["batch"] == batch:
            return f"batch {batch} ({item['column']}, {item['points']} points)"
    return f"batch {batch}"


@app.command("undo")
def undo_command(workspace: WorkspaceArg) -> None:
    """Undo the latest edit of WORKSPACE still in effect (from here or from the projector)."""
    from synthscope.workspace import Workspace

    with Workspace.open(workspace) as ws:
        batch = ws.undo()
        say("nothing to undo" if batch is None else f"undid {_batch_text(ws, batch)}")


@app.command("redo")
def redo_command(workspace: WorkspaceArg) -> None:
    """Redo the edit of WORKSPACE undone most recently."""
    from synthscope.workspace import Workspace

    with Workspace.open(workspace) as ws:
        batch = ws.redo()
        say("nothing to redo" if batch is None else f"redid {_batch_text(ws, batch)}")
