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
        warnings=("every generated image is 64 x 64 and no real one is",),
        utility=("Curating helps: Dice 0.85 against 0.83 at random.", "Top 75 beat chance."),
        projections=(),
        steps=(),
    )


def test_the_block_is_what_the_demo_prints():
    result = fake_result()
    with console.capture() as captured:
        print_findings(result)
    printed = captured.get().splitlines()
    block = render_block(result, "What the demo found (test):")
    fenced = block.split("```")[1].strip("\n").splitlines()
    assert printed == fenced
    assert fenced[0] == "warning: every generated image is 64 x 64 and no real one is"
    assert fenced[1] == "side by side: pixels64: distinguishable"
    assert fenced[4].startswith("verdict (pixels64): Distinguishable")
    assert fenced[-2].startswith("does curation help? Curating helps")
    assert fenced[-1] == "  - Top 75 beat chance."


def readme_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n").splitlines()


def test_the_readme_block_has_the_demo_output_format():
    lines = readme_block()
    assert lines[0].startswith("What the demo found") and "`synthscope demo`" in lines[0]
    assert lines[1:3] == ["", "```"] and lines[-1] == "```"
    body = lines[3:-1]
    # The demo's order: warnings, agreement, table, verdict, evidence, utility.
    first = next(i for i, line in enumerate(body) if not line.startswith("warning: "))
    assert body[first].startswith("side by side: ")
    verdict = next(i for i, line in enumerate(body) if line.startswith("verdict (pixels64): "))
    assert verdict > first + 1
    rest = body[verdict + 1 :]
    utility = [i for i, line in enumerate(rest) if line.startswith("does curation help? ")]
    evidence = rest[: utility[0]] if utility else rest
    assert evidence and all(line.startswith("  - ") for line in evidence)
    if utility:
        assert all(line.startswith("  - ") for line in rest[utility[0] + 1 :])


def test_replacing_the_block_touches_nothing_else():
    text = f"intro\n{START}\nold\nlines\n{END}\nrest\n"
    new = replace_block(text, "new")
    assert new == f"intro\n{START}\nnew\n{END}\nrest\n"
    assert replace_block(new, "new") == new
    with pytest.raises(SystemExit, match="no block"):
        replace_block("no markers here", "x")
