"""The widget in a real JupyterLab: a server on loopback (token set), a notebook opened in headless
Chromium, cells run as a user runs them (click into the cell, Shift+Enter).

One server and one notebook for the module (about a minute on two busy cores). The notebook opens
a workspace and shows the widget; the test sees the points drawn, draws a box in the widget and
reads its size from the kernel in the next cell, sets the selection from Python and sees the count
on the page, and relabels from Python and sees the new label in the widget's legend.

``SYNTHSCOPE_SCREENSHOT=DIR`` saves the page as ``DIR/notebook_widget.png`` (the README's picture
comes from ``SYNTHSCOPE_SCREENSHOT=docs/images``).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

CELLS = [
    # 0: open the workspace, show the widget
    "import synthscope\n"
    "ws = synthscope.open({ws!r})\n"
    "view = synthscope.Projector(ws, height=520)\n"
    "view",
    # 1: what the box in the widget selected, read from the kernel
    "print('SELECTED', len(view.selection), view.selection[:3])",
    # 2: a selection set from Python
    "view.selection = [0, 1, 2, 3, 4]",
    # 3: an edit through the workspace object
    "ws.relabel([20, 21], 'label', 'checked')",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_notebook(path: Path, ws: str) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell.format(ws=ws)) for cell in CELLS]
    # Naming the kernel keeps JupyterLab from asking for one in a dialog.
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(notebook, path)


class JupyterLab:
    """``python -m jupyterlab`` on 127.0.0.1 with a token, its config and runtime in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.log = root / "jupyterlab.log"
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
            "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
            "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
            "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
            # The kernel imports synthscope from wherever this test does.
            "PYTHONPATH": os.pathsep.join(
                filter(None, [_src_path(), os.environ.get("PYTHONPATH", "")])
            ),
        }
        # No request for news or updates (and no toast asking whether to make one).
        notification = (
            root / ".settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
        )
        notification.parent.mkdir(parents=True)
        notification.write_text('{"fetchNews": "false", "checkForUpdates": false}')
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, env=env
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"JupyterLab exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"JupyterLab did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()  # shuts its kernels down too
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _src_path() -> str:
    import synthscope

    return str(Path(synthscope.__file__).resolve().parents[1])


@pytest.fixture(scope="module")
def lab(widget_template: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(widget_template, root / "study.ws")
    _write_notebook(root / "projector.ipynb", "study.ws")  # the kernel starts in ``root``
    server = JupyterLab(root)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def _run_cell(page, index: int) -> None:
    """Click into cell ``index``'s editor (focus may be in a widget) and run it."""
    page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def _output(page, index: int) -> str:
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea").inner_text()


def _drawn_pixels(scatter) -> int:
    """Pixels of the scatter that differ from its background (its bottom-left corner)."""
    from PIL import Image

    shot = np.asarray(Image.open(io.BytesIO(scatter.screenshot())).convert("RGB")).astype(int)
    background = shot[-3, 3]
    return int((np.abs(shot - background).sum(axis=2) > 60).sum())


def test_the_widget_in_jupyterlab(lab, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    try:
        page = context.new_page()
        page.goto(lab.url("lab/tree/projector.ipynb"))
        page.wait_for_function(
            f"document.querySelectorAll('.jp-Notebook .jp-Cell').length === {len(CELLS)}",
            timeout=120_000,
        )
        page.get_by_text("| Idle").wait_for(timeout=120_000)

        _run_cell(page, 0)
        widget = page.locator(".jp-OutputArea-output [data-testid=projector]")
        page.locator(".jp-OutputArea-output [data-testid=projector][data-ready=true]").wait_for(
            timeout=120_000
        )
        assert widget.get_by_test_id("point-count").inner_text() == "24"
        scatter = widget.get_by_test_id("scatter")
        page.wait_for_timeout(300)  # the first frame
        assert _drawn_pixels(scatter) > 50, "no points drawn"

        # A box in the widget, read from the kernel.
        widget.get_by_test_id("select-box").click()
        box = scatter.bounding_box()
        page.mouse.move(box["x"] + 0.1 * box["width"], box["y"] + 0.1 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.9 * box["width"], box["y"] + 0.9 * box["height"], steps=8)
        page.mouse.up()
        count = widget.get_by_test_id("selection-count")
        page.wait_for_function(
            "e => Number(e.textContent) > 0", arg=count.element_handle(), timeout=10_000
        )
        selected = int(count.inner_text())
        page.wait_for_timeout(300)  # the trait goes to the kernel 30 ms after the last change
        _run_cell(page, 1)
        page.wait_for_function(
            "e => e.innerText.includes('SELECTED')",
            arg=page.locator(".jp-Notebook .jp-Cell").nth(1).element_handle(),
            timeout=60_000,
        )
        assert re.search(rf"SELECTED {selected} \[", _output(page, 1)), _output(page, 1)

        # A selection set in Python shows on the page.
        _run_cell(page, 2)
        page.wait_for_function(
            "e => e.textContent === '5'", arg=count.element_handle(), timeout=60_000
        )

        # An edit through the workspace object shows in the open widget.
        _run_cell(page, 3)
        widget.locator("[data-testid=legend-item][data-label=checked]").wait_for(timeout=60_000)
        legend = widget.locator("[data-testid=legend-item][data-label=checked]").inner_text()
        assert legend.split()[-1] == "2"

        folder = os.environ.get("SYNTHSCOPE_SCREENSHOT")
        if folder:
            widget.locator("#sidebar").evaluate("e => { e.scrollTop = 0; }")
            page.locator(".jp-Notebook .jp-Cell").nth(0).scroll_into_view_if_needed()
            _save_screenshot(page.locator(".jp-NotebookPanel"), Path(folder))
    finally:
        context.close()


def _save_screenshot(element, folder: Path) -> None:
    """``folder/notebook_widget.png``, in 256 colours (the README's picture stays small)."""
    from PIL import Image

    image = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
    folder.mkdir(parents=True, exist_ok=True)
    image.quantize(256).save(folder / "notebook_widget.png", optimize=True)
