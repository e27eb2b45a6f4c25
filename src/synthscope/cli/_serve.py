"""``synthscope serve``: the projector (FastAPI + the built front end) over one workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthscope.cli._app import app, say


@app.command("serve")
def serve(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder to open.")],
    host: Annotated[
        str,
        typer.Option(help="Address to bind. Anything but loopback requires a token (printed)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser tab.")
    ] = False,
) -> None:
    """Open the projector in a browser: look at, select, relabel and export the points."""
    import threading
    import webbrowser

    import uvicorn

    from synthscope.server import Settings, create_app
    from synthscope.workspace import Workspace

    Workspace.open(workspace).close()  # fail here, on one line, when it is not a workspace
    settings = Settings(workspace=workspace, host=host, port=port)
    application = create_app(settings)
    if not (settings.static_path / "index.html").is_file():
        say("front end not built: serving the API only (run `make web` to build it)")
    say(f"synthscope projector on {settings.url}  (Ctrl-C stops it)")
    if settings.token:
        say("bound off loopback: the URL above carries the access token; keep it private")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, args=(settings.url,)).start()
    uvicorn.run(application, host=host, port=port, log_level="warning")
