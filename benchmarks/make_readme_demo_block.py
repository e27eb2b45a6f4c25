"""Rewrite the README's "What the demo found" block from a real demo run.

``python benchmarks/make_readme_demo_block.py [--workdir synthscope-demo] [--size small] [--utility]``

Runs the demo (``run_demo``; finished steps of an earlier run in the same folder are reused, so
after ``make demo`` this takes seconds), then replaces everything between the two markers in
README.md with the lines ``synthscope demo`` printed about its findings (``findings_lines``, the
same function the command uses), and a line saying where and when they came from. Nothing in the block
is typed by hand: a test checks its shape against what the demo prints.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _blocks import replace_between

START = "<!-- demo-findings:start (written by benchmarks/make_readme_demo_block.py) -->"
END = "<!-- demo-findings:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def render_block(result, provenance: str) -> str:
    """The text between the markers: where it came from, then the demo's lines, fenced."""
    from synthscope.demo import findings_lines

    lines = findings_lines(result)
    return "\n".join([provenance, "", "```", *lines, "```"])


def replace_block(text: str, block: str) -> str:
    """``text`` with the block between this script's markers replaced by ``block``."""
    return replace_between(text, block, START, END)


def main() -> None:
    from synthscope.demo import run_demo

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("synthscope-demo"))
    parser.add_argument("--size", default="small")
    parser.add_argument("--utility", action="store_true", help="Include the utility study.")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args()

    result = run_demo(args.workdir, args.size, utility=args.utility)
    provenance = (
        f"What the demo found ({args.size} size; `synthscope demo` on "
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, Python {platform.python_version()}):"
    )
    block = render_block(result, provenance)
    text = args.readme.read_text(encoding="utf-8")
    args.readme.write_text(replace_block(text, block), encoding="utf-8")
    print(f"rewrote the demo block of {args.readme} from {result.report_json}")


if __name__ == "__main__":
    main()
