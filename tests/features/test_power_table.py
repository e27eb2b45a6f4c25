"""docs/features.md's power tables are what benchmarks/make_features_table.py renders from the
committed benchmarks/results/features.json: no figure there is typed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.make_features_table import (
    DOC,
    END,
    POOL,
    RESULT,
    START,
    load,
    render,
    replace_block,
)


def test_the_docs_tables_are_rendered_from_the_committed_result():
    block = render(load(RESULT), load(POOL) if POOL.is_file() else None)
    text = DOC.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert text.split(START, 1)[1].split(END, 1)[0].strip("\n") == block
    assert "| knob | level | value |" in block and "false-positive rate" in block


def test_replacing_the_block_touches_nothing_else(tmp_path: Path):
    text = f"intro\n{START}\nold\n{END}\nrest\n"
    assert replace_block(text, "new") == f"intro\n{START}\nnew\n{END}\nrest\n"
    with pytest.raises(SystemExit, match="no block"):
        replace_block("nothing here", "x")


def test_a_resumed_run_says_so_instead_of_its_last_sittings_minutes():
    result = json.loads(RESULT.read_text(encoding="utf-8"))
    result["seconds"] = 61.0
    result["read_from_cache"] = {"draws": 23, "null_draws": 0}
    first = render(result).splitlines()[0]
    assert "resumed: 23 of" in first and f"and 0 of {result['settings']['null_draws']}" in first
    assert "1 min" not in first
    result["read_from_cache"] = {"draws": 0, "null_draws": 0}
    assert "1 min)" in render(result).splitlines()[0]
