"""Replace the generated block between two markers in a README or doc (one place for every script
that writes figures into the docs from a real run)."""

from __future__ import annotations

import re


def replace_between(text: str, block: str, start: str, end: str) -> str:
    """``text`` with everything between the ``start`` and ``end`` marker lines replaced by ``block``."""
    pattern = re.compile(re.escape(start) + r"\n.*?\n" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"no block between {start!r} and {end!r}")
    return pattern.sub(lambda _: f"{start}\n{block}\n{end}", text, count=1)
