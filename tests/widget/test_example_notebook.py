"""``examples/curate.ipynb``: committed without outputs, and it runs as written (with smaller
sizes) in a real kernel through nbclient, exporting exactly the top K generated images."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "curate.ipynb"
K = 6
# Injected after the notebook's parameters cell, as papermill does.
SMALL = f"N = 36\nSIZE = 64\nK = {K}\nWORKDIR = 'run'"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _src_path() -> str:
    import synthscope

    return str(Path(synthscope.__file__).resolve().parents[1])


def test_the_committed_example_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "no code cells"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    # A kernel named, so Jupyter opens it without asking which one.
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_curation_example_runs_and_exports_the_top_k(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    (where,) = [
        i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])
    ]
    notebook.cells.insert(where + 1, nbformat.v4.new_code_cell(SMALL))
    # The kernel imports synthscope from wherever this test does.
    path = os.pathsep.join(filter(None, [_src_path(), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("PYTHONPATH", path)
    client = NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"EXPORTED {K} images" in text, text
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outputs), "the widget was not shown"

    # The export holds exactly the K generated images with the highest score, relabelled.
    import synthscope

    with synthscope.open(tmp_path / "run" / "study.ws") as ws:
        points = ws.points
    generated = points[points["source"] == "fake"]
    top = set(generated.nlargest(K, "realism_c2st:pixels64").index)
    assert set(points.index[points["label"] == "curated"]) == top
    folder = tmp_path / "run" / "curated"
    images = sorted(p for p in folder.iterdir() if p.suffix == ".png")
    assert len(images) == K
    with (folder / "metadata.tsv").open(encoding="utf-8") as table:
        rows = list(csv.DictReader(table, delimiter="\t"))
    assert len(rows) == K and {row["label"] for row in rows} == {"curated"}
    assert {int(row["id"]) for row in rows} == top
    assert {row["file"] for row in rows} == {p.name for p in images}
