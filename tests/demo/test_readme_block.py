"""The README's "What the demo found" block is what ``synthscope demo`` prints, in its format."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.make_readme_demo_block import END, START, render_block, replace_block

from synthscope.cli._app import console
from synthscope.cli._demo import print_findings
from synthscope.demo import DemoResult

README = Path(__file__).resolve().parents[2] / "README.md"


def fake_result() -> DemoResult:
    return DemoResult(
        workdir=Path("w"),
        workspace=Path("w/workspace"),
        report_json=Path("w/realism.json"),
        report_html=Path("w/realism.html"),
        verdict="Distinguishable: told apart (AUROC 0.99); 3 of 3 tests reject at α = 0.05.",
        evidence=("1-NN accuracy 0.827; p = 0.005.", "MMD² 0.166 (0 if indistinguishable)."),
        agreement="pixels64: distinguishable",
        table="feature   AUROC\npixels64  0.99",
        warnings=(),
        projections=(),
        steps=(),
    )


def test_the_block_is_what_the_demo_prints():
    result = fake_result()
    with console.capture() as captured:
        print_findings(result)
    printed = captured.get().splitlines()
    block = render_block(result.verdict, result.evidence, "What the demo found (test):")
    fenced = block.split("```")[1].strip("\n").splitlines()
    assert printed[-len(fenced) :] == fenced
    assert fenced[0].startswith("verdict (pixels64): Distinguishable")


def readme_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n").splitlines()


def test_the_readme_block_has_the_demo_output_format():
    lines = readme_block()
    assert lines[0].startswith("What the demo found") and "`synthscope demo`" in lines[0]
    assert lines[1:3] == ["", "```"] and lines[-1] == "```"
    body = lines[3:-1]
    assert body[0].startswith("verdict (pixels64): ")
    assert body[1:] and all(line.startswith("  - ") for line in body[1:])
    # Regenerating it from its own content gives it back byte for byte: nothing hand-wrapped.
    verdict = body[0].removeprefix("verdict (pixels64): ")
    evidence = [line.removeprefix("  - ") for line in body[1:]]
    assert render_block(verdict, evidence, lines[0]).splitlines() == lines


def test_replacing_the_block_touches_nothing_else():
    text = f"intro\n{START}\nold\nlines\n{END}\nrest\n"
    new = replace_block(text, "new")
    assert new == f"intro\n{START}\nnew\n{END}\nrest\n"
    assert replace_block(new, "new") == new
    with pytest.raises(SystemExit, match="no block"):
        replace_block("no markers here", "x")
