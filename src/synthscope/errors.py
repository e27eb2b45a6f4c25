"""Errors a user can cause, one tree so callers catch at the level they need.

::

    SynthscopeError
    ├── InvalidParameterError (ValueError)   a bad argument or option value
    ├── InputError                           a bad input file: names the file (and row)
    │   ├── ImageReadError                   unreadable, truncated or pixel-less image / DICOM
    │   └── TableError                       ragged or non-numeric TSV/CSV, row-count mismatch
    └── WorkspaceError                       a missing, locked or inconsistent workspace
        └── UnknownFeatureError (KeyError)   a feature or column name the workspace lacks

The CLI prints ``str(error)`` on one line and exits with status 1; the server maps the same classes
to HTTP statuses. Messages name the file, row or argument and, where it helps, what to do.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ImageReadError",
    "InputError",
    "InvalidParameterError",
    "SynthscopeError",
    "TableError",
    "UnknownFeatureError",
    "WorkspaceError",
]


class SynthscopeError(Exception):
    """Base class of every error a user of synthscope can cause."""


class InvalidParameterError(SynthscopeError, ValueError):
    """An argument or option has a value outside what it accepts.

    ``parameter`` names the library parameter when the message starts with it, so the command
    line can replace it with its own flag (``perplexity`` -> ``--perplexity``).
    """

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class InputError(SynthscopeError):
    """An input file cannot be used; the message starts with the file (and row)."""

    def __init__(self, path: str | Path, problem: str, *, row: int | None = None) -> None:
        self.path = str(path)
        self.row = row
        # One line, whatever a decoder put in its own message (a corrupt tag value, say).
        self.problem = problem = " ".join(problem.splitlines())
        where = self.path if row is None else f"{self.path}, row {row}"
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple:
        # Made again from its parts, so it survives pickling (a Dask worker raises it).
        return (type(self), (self.path, self.problem), {"row": self.row})


class ImageReadError(InputError):
    """An image or DICOM file that cannot be decoded into pixels."""


class TableError(InputError):
    """A TSV/CSV file with ragged rows, non-numbers or the wrong number of rows."""


class WorkspaceError(SynthscopeError):
    """A workspace that is missing, locked by a writer, or inconsistent with a request."""


class UnknownFeatureError(WorkspaceError, KeyError):
    """A feature, column or projection name the workspace does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
