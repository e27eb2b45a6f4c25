"""The ``synthscope`` command line: each command a thin shell over the library.

Command modules register themselves on :data:`app` when imported; :func:`main` turns every
:class:`~synthscope.errors.SynthscopeError` into one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

# Importing a command module registers its commands; --help lists them in this order.
# isort: off
from synthscope.cli import (  # noqa: F401
    _phantom,
    _workspace_commands,
    _check,
    _curate,
    _project,
    _score,
    _utility,
    _serve,
    _spade,
    _encoder,
    _demo,
)

# isort: on
from synthscope.cli._app import app, say
from synthscope.errors import SynthscopeError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    import warnings

    from PIL import Image

    # ingest refuses images over --max-pixels itself, naming them; Pillow's warning adds nothing.
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    try:
        app(args=argv, standalone_mode=True)
    except SynthscopeError as error:
        say(f"error: {error}", style="red")
        sys.exit(1)
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
