"""What a study left in the workspace, on the page: the realism report's warnings above its
verdict, and the utility study (``synthscope utility``) with every arm's mean and interval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthscope.workspace import Workspace, score_workspace

pytestmark = pytest.mark.browser

UTILITY_RESULT = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "utility.json"


def reload(page) -> None:
    page.reload()
    page.wait_for_function("window.synthscope && window.synthscope.ready", timeout=20_000)


def test_the_realism_panel_puts_the_reports_warnings_above_its_verdict(page, server):
    panel = page.get_by_test_id("realism-panel")
    # A real score run on a workspace whose generated images are JPEG and real ones PNG: the
    # report carries the cue, and the panel shows it before the verdict.
    with Workspace.open(server.workspace) as ws:
        fake = ws.column("source") == "fake"
        ws.set_columns({"image_format": ["JPEG" if f else "PNG" for f in fake]}, kind="text")
        report = score_workspace(ws, "pixels64", n_permutations=10)
    assert report.warnings, "the score run found no cue"
    reload(page)
    warnings = panel.get_by_test_id("realism-warning")
    assert warnings.all_inner_texts() == list(report.warnings)
    assert "file format" in warnings.first.inner_text()
    above = page.evaluate(
        """() => {
          const root = document.querySelector('[data-testid=realism-panel]');
          const w = root.querySelector('[data-testid=realism-warnings]');
          const v = root.querySelector('[data-testid=realism-verdict]');
          return Boolean(w.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert above, "the warnings are not above the verdict"
    assert panel.get_by_test_id("realism-verdict").inner_text() == report.verdict

    # The same formats on both sides: scored again, no warning left.
    with Workspace.open(server.workspace) as ws:
        ws.set_columns({"image_format": ["PNG"] * ws.n_points}, kind="text")
        again = score_workspace(ws, "pixels64", n_permutations=10)
    assert not again.warnings
    reload(page)
    assert panel.get_by_test_id("realism-verdict").inner_text() == again.verdict
    assert panel.get_by_test_id("realism-warnings").count() == 0


def test_the_utility_panel_shows_the_verdict_and_every_arm_with_its_interval(page, server):
    panel = page.get_by_test_id("utility-panel")
    assert "No study yet" in panel.inner_text()
    assert panel.get_by_test_id("utility-arm").count() == 0

    # A real study's result (the benchmark's, as `synthscope utility` stores it).
    study = json.loads(UTILITY_RESULT.read_text())["main"]
    (server.workspace / "utility").mkdir()
    (server.workspace / "utility" / "result.json").write_text(json.dumps(study))
    reload(page)
    assert panel.get_by_test_id("utility-verdict").inner_text() == study["verdict"]
    rows = panel.get_by_test_id("utility-arm")
    assert rows.count() == len(study["arms"])
    for k, arm in enumerate(study["arms"]):
        row = rows.nth(k)
        assert row.get_attribute("data-arm") == arm["name"]
        assert row.get_by_test_id("utility-mean").inner_text() == f"{arm['mean']:.3f}"
        low, high = arm["ci"]
        assert row.get_by_test_id("utility-interval").inner_text() == f"[{low:.3f}, {high:.3f}]"
    # Each arm's difference from the real-only arm, as the study compared them.
    added = next(
        c for c in study["comparisons"] if c["arm"] == "real+generated" and c["baseline"] == "real"
    )
    versus = panel.locator("[data-arm='real+generated']").get_by_test_id("utility-versus")
    low, high = added["ci"]
    assert versus.inner_text() == f"vs real {added['difference']:+.3f} [{low:+.3f}, {high:+.3f}]"
    assert "95% interval" in panel.get_by_test_id("utility-arms").inner_text()

    # A study that cannot be read is said in the status line, and the page still works.
    (server.workspace / "utility" / "result.json").write_text("{")
    reload(page)
    assert "unreadable" in page.get_by_test_id("status-message").inner_text()
    assert page.get_by_test_id("point-count").inner_text() == "60"
