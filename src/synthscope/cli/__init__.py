"""The ``synthscope`` command line: each command a thin shell over the library.

Command modules register themselves on :data:`app` when imported; :func:`main` turns every
:class:`~synthscope.errors.SynthscopeError` into one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

from synthscope.cli import _workspace_commands  # noqa: F401  (registers commands)
from synthscope.cli import _phantom  # noqa: F401  (registers phantom)
from synthscope.cli import _score  # noqa: F401  (registers score)
from synthscope.cli import _serve  # noqa: F401
from synthscope.cli import _project  # noqa: F401  (registers commands)
from synthscope.cli import _spade  # noqa: F401  (registers train, generate)
from synthscope.cli._app import app, say
from synthscope.errors import SynthscopeError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        app(args=argv, standalone_mode=True)
    except SynthscopeError as error:
        say(f"error: {error}", style="red")
        sys.exit(1)
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
