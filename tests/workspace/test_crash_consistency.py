"""Kill ingest, embed, project and score at random moments (SIGKILL); after a rerun the workspace
passes ``check`` (leftovers of the killed process are what ``check --repair`` removes)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.projection import ProjectionRequest
from synthscope.workspace import Workspace, check_workspace, embed, ingest, project, score_workspace

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL"),
]

TRIALS = int(os.environ.get("SYNTHSCOPE_CRASH_TRIALS", "3"))


def _killed(work, kill_after: float) -> None:
    """Run ``work`` in a forked child process and SIGKILL it ``kill_after`` seconds in.

    A fork starts at once with everything imported, so the kill lands in the command's own
    work (a fresh interpreter would spend seconds importing); the child never returns to pytest.
    """
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            work()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + kill_after
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.002)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _folders(root: Path, n: int = 120) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    for source, shift in (("real", 0), ("fake", 40)):
        for i in range(n // 2):
            folder = root / source / f"pb{i % 4}"
            folder.mkdir(parents=True, exist_ok=True)
            pixels = np.clip(rng.normal(100 + shift, 30, (48, 48)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{i:03d}.png")
    return root / "real", root / "fake"


def _assert_sound_after_rerun(ws: Path, rerun) -> None:
    if os.environ.get("SYNTHSCOPE_CRASH_DEBUG"):
        print("before rerun:", ws.name, [str(p) for p in check_workspace(ws).problems][:3])
    rerun()
    report = check_workspace(ws, repair=True)
    assert report.sound, [str(p) for p in report.problems]
    assert all(f.part in ("leftovers", "projections") for f in report.repaired), report.repaired


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("crash")
    real, fake = _folders(root)
    ws = root / "ws"
    ingest(ws, [real], [fake], workers=1)
    return root, real, fake


def test_killed_ingest(data, tmp_path):
    _, real, fake = data
    rng = random.Random(1)
    duration = _timed(lambda: ingest(tmp_path / "probe", [real], [fake], workers=1))
    for trial in range(TRIALS):
        # A first ingest (the workspace is staged beside its place, then renamed)...
        ws = tmp_path / f"new{trial}"
        _killed(lambda ws=ws: ingest(ws, [real], [fake], workers=1), rng.uniform(0, duration))
        _assert_sound_after_rerun(ws, lambda ws=ws: ingest(ws, [real], [fake], workers=1))
        # ... and an append to an existing workspace.
        ws = tmp_path / f"append{trial}"
        ingest(ws, [real], [], workers=1)
        _killed(lambda ws=ws: ingest(ws, [real], [fake], workers=1), rng.uniform(0, duration / 2))
        _assert_sound_after_rerun(ws, lambda ws=ws: ingest(ws, [real], [fake], workers=1))
        with Workspace.open(ws) as opened:
            assert opened.n_points == 120
            assert list(opened.column("source")).count("fake") == 60


@pytest.mark.parametrize("what", ["embed", "project", "score"])
def test_killed_embed_project_score(data, tmp_path, what):
    root, _, _ = data
    rng = random.Random(len(what))
    ws = tmp_path / "ws"
    shutil.copytree(root / "ws", ws)
    request = ProjectionRequest(method="pca", dims=3, feature="pixels64")

    def run(force: bool = True) -> None:
        with Workspace.open(ws) as opened:
            if what == "embed":
                embed(opened, "pixels:16", force=force)
            elif what == "project":
                project(opened, request, force=force)
            else:
                score_workspace(opened, n_permutations=60, n_components=8, kid_subsets=3)

    duration = _timed(run)
    for _ in range(TRIALS):
        _killed(run, rng.uniform(0, duration))
        _assert_sound_after_rerun(ws, lambda: run(force=False))


def _dying():
    """A stand-in that kills its own process on the spot (SIGKILL: no cleanup runs)."""

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    return die


# (name, where the child dies: "module:attribute" replaced by a SIGKILL, whether check must see it)
TARGETED = [
    ("ingest-new", "synthscope.workspace._store:Workspace.append_points", True),
    ("ingest-append", "synthscope._files:os.replace", True),
    ("ingest-append", "synthscope.workspace._thumbs:TileWriter.finish", False),
    ("embed", "synthscope.workspace._vectors:write_text_atomic", True),
    ("embed", "synthscope._files:os.replace", True),
    ("project", "synthscope.workspace._store:write_text_atomic", True),
    ("score", "synthscope.realism._report:RealismReport.to_json", True),
]


@pytest.mark.parametrize(("what", "where", "seen"), TARGETED)
def test_killed_at_each_write_boundary(data, tmp_path, what, where, seen):
    """Dies between two writes of one command: ``check`` names the damage, a rerun mends it."""
    import importlib

    root, real, fake = data
    ws = tmp_path / "ws"
    if what == "ingest-append":
        ingest(ws, [real], [], workers=1)
    elif what != "ingest-new":
        shutil.copytree(root / "ws", ws)
    request = ProjectionRequest(method="pca", dims=2, feature="pixels64")

    def run(force: bool = True) -> None:
        if what.startswith("ingest"):
            ingest(ws, [real], [fake], workers=1)
            return
        with Workspace.open(ws) as opened:
            if what == "embed":
                embed(opened, "pixels:16", force=force)
            elif what == "project":
                project(opened, request, force=force)
            else:
                score_workspace(opened, n_permutations=20, n_components=8, kid_subsets=2)

    module_name, attribute = where.split(":")

    def doomed() -> None:
        target = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            target = getattr(target, part)
        setattr(target, name, _dying())
        run()

    _killed(doomed, 60)
    if seen:
        assert not check_workspace(ws).sound, f"check saw nothing after dying at {where}"
    _assert_sound_after_rerun(ws, lambda: run(force=False))
