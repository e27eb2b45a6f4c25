"""Tiny phantom sets for the utility tests: 32x32 frames, a few pullbacks, one torch thread."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from synthscope.phantom import LABELS
from synthscope.utility import UtilityData

NAMES = tuple(LABELS)


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """Two cores are shared: one thread each, and bit-for-bit repeatable CPU training."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def load_frames(folder):
    """A phantom folder read back: ``images``, ``labels`` and ``records`` (pullback, calcium)."""
    from PIL import Image

    lines = (folder / "frames.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    images = np.stack(
        [np.asarray(Image.open(folder / "images" / f"{r['stem']}.png")) for r in rows]
    )
    labels = np.stack(
        [np.asarray(Image.open(folder / "labels" / f"{r['stem']}.png")) for r in rows]
    )
    records = [
        SimpleNamespace(pullback=r["pullback"], calcium_present=int(r["calcium_present"]))
        for r in rows
    ]
    return SimpleNamespace(images=images, labels=labels, records=records)


@pytest.fixture(scope="session")
def real_frames(phantom_folders):
    return load_frames(phantom_folders[0])


@pytest.fixture(scope="session")
def generated_frames(phantom_folders):
    """A perfect 'generator': phantom frames of other vessels, with their true label maps."""
    return load_frames(phantom_folders[1])


def make_data(
    real: SimpleNamespace,
    generated: SimpleNamespace,
    *,
    task: str = "segment",
    generated_labels: np.ndarray | None = None,
    test_pullbacks: tuple[str, ...] = ("pb000", "pb001", "pb002"),
) -> UtilityData:
    groups = np.array([r.pullback for r in real.records])
    test = np.isin(groups, test_pullbacks)
    if task == "segment":
        targets = real.labels
        gen_targets = generated.labels if generated_labels is None else generated_labels
        names = NAMES
    else:
        targets = np.array([r.calcium_present for r in real.records])
        gen_targets = np.array([r.calcium_present for r in generated.records])
        names = ("no calcium", "calcium")
    return UtilityData(
        task=task,
        class_names=names,
        train_images=real.images[~test],
        train_targets=targets[~test],
        test_images=real.images[test],
        test_targets=targets[test],
        test_groups=groups[test],
        generated_images=generated.images,
        generated_targets=gen_targets,
    )


def rename_pullbacks(folder, prefix: str) -> None:
    """Generated frames come from other vessels: give their pullbacks names no real one has."""
    table = folder / "frames.tsv"
    lines = table.read_text().splitlines()
    column = lines[0].split("\t").index("pullback")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split("\t")
        cells[column] = prefix + cells[column]
        out.append("\t".join(cells))
    table.write_text("\n".join(out) + "\n")


@pytest.fixture(scope="session")
def phantom_folders(tmp_path_factory):
    """``real/`` (36 frames, 6 pullbacks) and ``generated/`` (36 frames, 6 other pullbacks), 32 px,
    laid out as ``synthscope phantom`` writes them."""
    from synthscope.phantom import write_phantom

    root = tmp_path_factory.mktemp("utility-phantom")
    write_phantom(root / "real", n=36, size=32, seed=0, pullbacks=6, workers=1)
    write_phantom(root / "generated", n=36, size=32, seed=1, pullbacks=6, workers=1)
    rename_pullbacks(root / "generated", "gen-")
    return root / "real", root / "generated"


@pytest.fixture(scope="session")
def workspace_template(phantom_folders, tmp_path_factory):
    """A workspace of the phantom folders with realism-like scores on the generated points."""
    from synthscope.workspace import Workspace, ingest

    real, generated = phantom_folders
    path = tmp_path_factory.mktemp("utility-ws") / "ws"
    ingest(path, [real], [generated], workers=1)
    with Workspace.open(path) as ws:
        fake = ws.column("source") == "fake"
        rng = np.random.default_rng(0)
        for name in ("realism_c2st", "realism_knn"):
            values = np.where(fake, rng.random(ws.n_points), np.nan)
            ws.set_column(name, values, kind="real")
    return path


@pytest.fixture
def workspace(workspace_template, tmp_path):
    """A fresh copy of the template (the images stay where they are)."""
    import shutil

    from synthscope.workspace import Workspace

    path = tmp_path / "ws"
    shutil.copytree(workspace_template, path)
    with Workspace.open(path) as ws:
        yield ws
