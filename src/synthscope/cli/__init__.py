"""The ``synthscope`` command line: each command a thin shell over the library.

Command modules register themselves on :data:`app` when imported; :func:`main` turns every
:class:`~synthscope.errors.SynthscopeError` into one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

from synthscope.cli import _workspace_commands  # noqa: F401  (registers commands)
from synthscope.cli._app import app, console
from synthscope.errors import SynthscopeError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        app(args=argv, standalone_mode=True)
    except SynthscopeError as error:
        console.print(f"error: {error}", style="red", markup=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
