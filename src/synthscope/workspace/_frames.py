"""How a point names its image: the file's path, and ``#k`` for frame k of a multi-frame file.

The encoding is unambiguous even for files whose own names end in ``#`` and digits: such a
file, taken whole, is written with one more ``#`` (``a.png#3`` -> ``a.png#3#``), so
``split_frame(frame_key(f, k)) == (f, k)`` for every path and frame.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["frame_key", "split_frame"]

# What split_frame reads as a frame suffix: '#' then ASCII digits, or a bare '#'.
_LOOKS_LIKE_FRAME = re.compile(r"#[0-9]*\Z")


def frame_key(file: str | Path, index: int | None) -> str:
    """The ``path`` of frame ``index`` of ``file`` (the whole file when ``index`` is None)."""
    text = str(file)
    if index is not None:
        return f"{text}#{int(index)}"
    return f"{text}#" if _LOOKS_LIKE_FRAME.search(text) else text


def split_frame(path: str) -> tuple[Path, int | None]:
    """``/a/b.dcm#3`` -> (Path('/a/b.dcm'), 3); ``/a/b.png`` and ``/a/b.png#3#`` -> whole files."""
    head, sep, tail = path.rpartition("#")
    if sep and tail.isascii() and tail.isdigit():
        return Path(head), int(tail)
    if sep and not tail:
        return Path(head), None
    return Path(path), None
