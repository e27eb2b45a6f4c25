"""``synthscope utility`` on a workspace: split real groups, gather each arm's images, run the study.

::

    WS/utility/split.json    which real groups train and which test (drawn once, then reused)
    WS/utility/result.json   the latest study (``GET /api/utility`` serves it)

Every check runs before anything is trained or written: a bad request leaves the workspace as it
was. The arrays go to :func:`synthscope.utility.utility_study`, which knows nothing of workspaces.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._files import write_text_atomic
from synthscope._params import Integral, Interval, Options, Real, check_params
from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError, WorkspaceError
from synthscope.workspace._select import select_points
from synthscope.workspace._store import SOURCE_FOLDER, Workspace

__all__ = [
    "DEFAULT_CURATED",
    "RESULT_NAME",
    "SPLIT_NAME",
    "UTILITY_DIR",
    "load_utility_result",
    "utility_workspace",
]

UTILITY_DIR = "utility"
SPLIT_NAME = "split.json"
RESULT_NAME = "result.json"
#: The founding study's curation: generated points a person relabelled real.
DEFAULT_CURATED = ("source=fake", "label=real")
#: Per-image realism scores (higher = more real-looking), per feature after a ':'.
SCORE_PREFIXES = ("realism_c2st", "realism_knn")
DEFAULT_TEST_FRACTION = 0.3

CONSTRAINTS = {
    "task": [None, Options("segment", "classify")],
    "top": [None, Interval(Integral, 1, None)],
    "size": [Interval(Integral, 8, 1024)],
    "test_fraction": [None, Interval(Real, 0, 1, closed="neither")],
    "repeats": [Interval(Integral, 1, 1000)],
    "steps": [None, Interval(Integral, 1, 1_000_000)],
    "epochs": [None, Interval(Integral, 1, 100_000)],
    "seed": [Interval(Integral, 0, 2**63 - 1)],
}


def _fail(message: str, parameter: str | None = None) -> InvalidParameterError:
    return InvalidParameterError(message, parameter=parameter)


# -- the split ------------------------------------------------------------------------------------
def _real_groups(ws: Workspace, real_ids: np.ndarray) -> tuple[np.ndarray, bool]:
    """The group of every real point, scoped to its folder when the real points come from several
    (a 'pb000' in two folders is two pullbacks); a point without a group is its own group."""
    column = ws.column("group")[real_ids]
    if all(g is None for g in column):
        return np.array([f"point-{i}" for i in real_ids], dtype=object), False
    names = [None if g is None else str(g) for g in column]
    if SOURCE_FOLDER in ws.columns():
        folders = ws.column(SOURCE_FOLDER)[real_ids]
        if len(set(folders.tolist())) > 1:
            names = [None if g is None else f"{f}/{g}" for f, g in zip(folders, names, strict=True)]
    keys = [f"point-{i}" if g is None else g for i, g in zip(real_ids, names, strict=True)]
    return np.array(keys, dtype=object), True


def _draw_split(groups: list[str], n_test: int, seed: int, attempt: int) -> list[str]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(attempt,)))
    return sorted(rng.permutation(groups)[:n_test].tolist())


def _split(
    ws: Workspace,
    groups: np.ndarray,
    targets: np.ndarray | None,
    *,
    test_fraction: float | None,
    new_split: bool,
    seed: int,
) -> tuple[dict[str, Any], bool]:
    """The stored split when there is one (checked against the workspace), else a new one.

    Returns the split and whether it must be written.
    """
    names = sorted(set(groups.tolist()))
    path = ws.path / UTILITY_DIR / SPLIT_NAME
    if path.is_file() and not new_split:
        stored = json.loads(path.read_text())
        known = set(stored["train_groups"]) | set(stored["test_groups"])
        if known != set(names):
            added = sorted(set(names) - known)
            raise WorkspaceError(
                f"{path} was drawn for other real groups ({len(added)} new, e.g. "
                f"{', '.join(added[:3]) or 'some removed'}); pass --new-split to draw a new one"
            )
        if test_fraction is not None and not math.isclose(test_fraction, stored["test_fraction"]):
            raise _fail(
                f"--test-fraction {test_fraction}: {path} was drawn with "
                f"{stored['test_fraction']}; pass --new-split to draw a new split",
                "test_fraction",
            )
        if targets is not None:
            _check_split_classes(groups, targets, set(stored["test_groups"]), path)
        return stored, False
    fraction = DEFAULT_TEST_FRACTION if test_fraction is None else test_fraction
    n_test = max(2, round(fraction * len(names)))
    if len(names) - n_test < 1:
        raise _fail(
            f"too few groups to hold out a test set: the real points form {len(names)} groups; "
            f"utility tests on whole groups and needs at least {n_test + 1} ({n_test} to test, "
            "1 to train)",
            "test_fraction",
        )
    for attempt in range(100):
        test = _draw_split(names, n_test, seed, attempt)
        if targets is None or _split_has_classes(groups, targets, set(test)):
            break
    else:
        raise _fail(
            f"no split of the {len(names)} real groups puts every class of the target in both "
            "the training and the test groups; add groups or change --test-fraction",
            "target",
        )
    split = {
        "seed": seed,
        "test_fraction": fraction,
        "attempt": attempt,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_groups": [g for g in names if g not in set(test)],
        "test_groups": test,
    }
    return split, True


def _split_has_classes(groups: np.ndarray, targets: np.ndarray, test: set[str]) -> bool:
    in_test = np.array([g in test for g in groups])
    classes = set(targets.tolist())
    return set(targets[in_test].tolist()) == classes and set(targets[~in_test].tolist()) == classes


def _check_split_classes(groups: np.ndarray, targets: np.ndarray, test: set[str], path) -> None:
    if not _split_has_classes(groups, targets, test):
        raise _fail(
            f"the stored split {path} leaves a class of the target out of the training or the "
            "test groups; pass --new-split to draw one that holds every class in both",
            "target",
        )


# -- arrays ---------------------------------------------------------------------------------------
def _resize(array: np.ndarray, size: int, nearest: bool) -> np.ndarray:
    from PIL import Image

    if array.shape == (size, size):
        return np.ascontiguousarray(array, dtype=np.uint8)
    resample = Image.NEAREST if nearest else Image.BILINEAR
    return np.asarray(Image.fromarray(array).resize((size, size), resample), dtype=np.uint8)


def _load(
    ws: Workspace,
    ids: np.ndarray,
    size: int,
    label_maps: bool,
    progress: ProgressCallback | None,
    done: int,
    total: int,
) -> tuple[np.ndarray, np.ndarray | None]:
    images = np.empty((len(ids), size, size), dtype=np.uint8)
    maps = np.empty((len(ids), size, size), dtype=np.uint8) if label_maps else None
    for row, point in enumerate(ids):
        images[row] = _resize(ws.read_image(int(point)), size, nearest=False)
        if maps is not None:
            label = ws.label_map(int(point))
            assert label is not None  # checked before loading
            maps[row] = _resize(label, size, nearest=True)
        if progress is not None and (row % 16 == 15 or row == len(ids) - 1):
            progress(done + row + 1, total)
    return images, maps


def _check_label_maps(ws: Workspace, real_ids: np.ndarray, fake_ids: np.ndarray) -> None:
    have = np.array([p is not None for p in ws.column("label_map")])
    missing_real = int((~have[real_ids]).sum())
    missing_fake = int((~have[fake_ids]).sum())
    if missing_real or missing_fake:
        raise _fail(
            f"segment needs a label map for every point: {missing_real} of {len(real_ids)} real "
            f"and {missing_fake} of {len(fake_ids)} generated points have none (ingest folders "
            "laid out as images/ + labels/), or use --task classify --target COLUMN",
            "task",
        )


def _check_classes(real_maps: np.ndarray, fake_maps: np.ndarray) -> int:
    real = sorted(int(v) for v in np.unique(real_maps))
    fake = sorted(int(v) for v in np.unique(fake_maps))
    if real != fake:
        raise _fail(
            f"label maps of real and generated points hold different classes: real {real}, "
            f"generated {fake}; both must use the same label values",
            "task",
        )
    if len(real) < 2:
        raise _fail(f"label maps hold a single class ({real}): nothing to segment", "task")
    return max(real) + 1


def _class_names(ws: Workspace, real_ids: np.ndarray, n_classes: int) -> tuple[str, ...]:
    """The phantom's tissue names when the real label maps come from ``synthscope phantom``."""
    from synthscope.phantom import LABELS

    first = ws.column("label_map")[real_ids[0]]
    if first and (Path(first).parent.parent / "phantom.json").is_file() and n_classes <= 5:
        return tuple(list(LABELS)[:n_classes])
    return tuple(str(k) for k in range(n_classes))


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _targets(
    ws: Workspace, target: str, real_ids: np.ndarray, fake_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Class indices of a categorical column for real and generated points, and class names."""
    values = ws.column(target)  # UnknownFeatureError when missing
    real = [_text(v) for v in values[real_ids]]
    fake = [_text(v) for v in values[fake_ids]]
    for what, column, n in (("real", real, len(real_ids)), ("generated", fake, len(fake_ids))):
        missing = sum(v is None for v in column)
        if missing:
            raise _fail(
                f"target column {target!r} has no value for {missing} of {n} {what} points",
                "target",
            )
    classes = sorted(set(real), key=lambda v: (_number(v) is None, _number(v) or 0.0, v))
    if len(classes) < 2:
        raise _fail(
            f"target column {target!r} has one class among the real points ({classes[0]!r}): "
            "nothing to classify",
            "target",
        )
    extra = sorted(set(fake) - set(classes))
    if extra:
        raise _fail(
            f"target column {target!r}: generated points hold classes the real ones lack "
            f"({', '.join(map(repr, extra[:5]))})",
            "target",
        )
    index = {name: k for k, name in enumerate(classes)}
    return (
        np.array([index[v] for v in real], dtype=np.int64),
        np.array([index[v] for v in fake], dtype=np.int64),
        tuple(classes),
    )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _same_maps(maps: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Which of ``maps`` equal one of ``others`` exactly (after resizing)."""
    import hashlib

    seen = {hashlib.sha1(m.tobytes()).digest() for m in others}
    return np.array([hashlib.sha1(m.tobytes()).digest() in seen for m in maps], dtype=bool)


# -- choosing generated points --------------------------------------------------------------------
def _curated(
    ws: Workspace, where: Sequence[str] | None, fake_ids: np.ndarray
) -> tuple[np.ndarray | None, str | None]:
    """Positions (into ``fake_ids``) of the curated generated points, and a note when none."""
    conditions = list(where) if where else list(DEFAULT_CURATED)
    chosen = select_points(ws, conditions)
    text = " and ".join(conditions)
    positions = np.flatnonzero(np.isin(fake_ids, chosen))
    if positions.size:
        return positions, None
    if where:
        what = "no point" if chosen.size == 0 else "no usable generated point"
        raise _fail(f"--curated {text}: matches {what}", "curated")
    return None, (
        "No generated point is labelled real (the founding study's curation), so there is no "
        "real+curated arm: relabel some in the projector or with `synthscope label`, or pass "
        "--curated WHERE."
    )


def _score_columns(ws: Workspace, rank_by: Sequence[str] | None) -> list[str]:
    if rank_by:
        for name in rank_by:
            if ws.column_kind(name) != "real":
                raise _fail(f"--rank-by {name}: column {name!r} holds text, not scores", "rank_by")
        return list(dict.fromkeys(rank_by))
    return [
        name
        for name in ws.columns()
        if name.split(":")[0] in SCORE_PREFIXES and ws.column_kind(name) == "real"
    ]


def _top(ws: Workspace, scores: list[str], fake_ids: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """For each score: positions of the ``k`` generated points with the highest value (ties by id)."""
    if k > len(fake_ids):
        raise _fail(f"--top {k}: there are only {len(fake_ids)} usable generated points", "top")
    chosen = {}
    for name in scores:
        values = ws.column(name)[fake_ids]
        finite = np.flatnonzero(np.isfinite(values))
        if finite.size < k:
            raise _fail(
                f"--rank-by {name}: only {finite.size} generated points have a score, fewer "
                f"than --top {k}",
                "rank_by",
            )
        order = finite[np.lexsort((fake_ids[finite], -values[finite]))]
        chosen[name] = np.sort(order[:k])
    return chosen


# -- the study ------------------------------------------------------------------------------------
def utility_workspace(
    ws: Workspace | str | Path,
    *,
    task: str | None = None,
    target: str | None = None,
    curated: Sequence[str] | None = None,
    rank_by: Sequence[str] | None = None,
    top: int | None = None,
    repeats: int = 3,
    steps: int | None = None,
    epochs: int | None = None,
    batch_size: int = 8,
    width: int = 8,
    size: int = 64,
    test_fraction: float | None = None,
    new_split: bool = False,
    seed: int = 0,
    device: str = "auto",
    n_bootstrap: int = 2000,
    noun: str = "images",
    store: bool = True,
    json_path: str | Path | None = None,
    html_path: str | Path | None = None,
    load_progress: ProgressCallback | None = None,
    progress: ProgressCallback | None = None,
    step_progress: Callable[[str, int, int, int], None] | None = None,
) -> Any:
    """Does adding the workspace's generated images help a model tested on held-out real groups?

    Parameters
    ----------
    ws
        An open :class:`Workspace` or its folder.
    task
        ``"segment"`` (label maps; the default without ``target``) or ``"classify"`` (the
        categorical column ``target``; the default with one).
    curated
        WHERE conditions (ANDed) choosing the curated generated points; default
        :data:`DEFAULT_CURATED`. Explicit conditions that match no generated point are an error;
        the default matching none only drops the curated arm.
    rank_by, top
        Score columns (higher = more real) whose ``top`` best generated points form a
        ``real+top:SCORE`` arm each. Default: every ``realism_c2st``/``realism_knn`` column
        (``realism_c2st:texture`` too) and ``top`` = the curated count, else half the generated.
    repeats, steps, batch_size, width, seed, device, n_bootstrap, noun
        As in :func:`synthscope.utility.utility_study` and :class:`~synthscope.utility.TrainConfig`
        (``steps`` defaults to 300).
    epochs
        Instead of ``steps``: that many passes over the real training images, in steps of
        ``batch_size`` (``epochs * ceil(n_real_train / batch_size)``), the same for every arm, so
        an arm with more images does not train longer.
    size
        Images and label maps are resized to ``size`` x ``size`` (bilinear / nearest).
    test_fraction, new_split
        Share of real groups held out for testing when a split is drawn (default 0.3, at least
        two groups); the split is stored in ``WS/utility/split.json`` and reused until
        ``new_split``.
    store, json_path, html_path
        Write ``WS/utility/result.json`` (and the split); also write JSON / HTML there.
    load_progress, progress, step_progress
        ``(done, total)`` over images loaded, ``(done, total)`` over trainings, and
        ``(arm, repeat, step, steps)``.

    Returns
    -------
    synthscope.utility.UtilityResult
    """
    if not isinstance(ws, Workspace):
        with Workspace.open(ws) as opened:
            return utility_workspace(**{**locals(), "ws": opened})
    from synthscope.utility import TrainConfig, UtilityData, standard_arms, utility_study

    check_params(
        {
            "task": task,
            "top": top,
            "size": size,
            "test_fraction": test_fraction,
            "repeats": repeats,
            "steps": steps,
            "epochs": epochs,
            "seed": seed,
        },
        CONSTRAINTS,
    )
    if steps is not None and epochs is not None:
        raise _fail("give steps or epochs, not both", "epochs")
    config = TrainConfig(
        steps=steps or 300, batch_size=batch_size, width=width, device=device
    ).check()
    task = task or ("classify" if target else "segment")
    if task == "segment" and size % 4:
        raise _fail(f"size must be a multiple of 4 for segmentation (got {size})", "size")
    if task == "classify" and not target:
        raise _fail("--task classify needs --target COLUMN (a categorical column)", "target")

    source = ws.column("source")
    real_ids = np.flatnonzero(source == "real")
    fake_ids = np.flatnonzero(source == "fake")
    for what, ids, flag in (("real", real_ids, "--real"), ("generated", fake_ids, "--fake")):
        if ids.size == 0:
            raise WorkspaceError(
                f"{ws.path}: no {what} points; add some with `synthscope ingest {ws.path} {flag}`"
            )
    notes: list[str] = []
    real_targets = fake_targets = None
    class_names: tuple[str, ...] = ()
    if task == "segment":
        _check_label_maps(ws, real_ids, fake_ids)
    else:
        assert target is not None
        real_targets, fake_targets, class_names = _targets(ws, target, real_ids, fake_ids)

    groups, grouped = _real_groups(ws, real_ids)
    if not grouped:
        notes.append(
            "The real points have no group: each image is its own group, so frames of one "
            "pullback or patient may sit on both sides of the split."
        )
    split, write_split = _split(
        ws, groups, real_targets, test_fraction=test_fraction, new_split=new_split, seed=seed
    )
    test_groups = set(split["test_groups"])
    is_test = np.array([g in test_groups for g in groups])
    if epochs is not None:
        n_train = int((~is_test).sum())
        steps = epochs * math.ceil(n_train / batch_size)
        config = dataclasses.replace(config, steps=steps).check()
        notes.append(
            f"{epochs} epochs over the {n_train} real training {noun}: {steps} steps of "
            f"{batch_size} for every arm."
        )

    # The choices are checked before the slow part (loading every image).
    curated_positions, note = _curated(ws, curated, fake_ids)
    scores = _score_columns(ws, rank_by)
    if top is not None and top > len(fake_ids):
        raise _fail(f"--top {top}: there are only {len(fake_ids)} generated points", "top")

    segment = task == "segment"
    total = len(real_ids) + len(fake_ids)
    real_images, real_maps = _load(ws, real_ids, size, segment, load_progress, 0, total)
    fake_images, fake_maps = _load(ws, fake_ids, size, segment, load_progress, len(real_ids), total)
    leaking = np.zeros(len(fake_ids), dtype=bool)
    if segment:
        assert real_maps is not None and fake_maps is not None
        n_classes = _check_classes(real_maps, fake_maps)
        class_names = _class_names(ws, real_ids, n_classes)
        real_targets, fake_targets = real_maps, fake_maps
        leaking = _same_maps(fake_maps, real_maps[is_test])
    assert real_targets is not None and fake_targets is not None
    if leaking.any():
        # Made from a test image's label map: training on it would leak the test set.
        if leaking.all():
            raise _fail(
                "every generated point's label map is one of the real test images' label maps: "
                "none can be trained on without leaking the test set",
                "test_fraction",
            )
        notes.append(
            f"{int(leaking.sum())} generated points have the label map of a real test image "
            "(made from it) and were left out of every arm."
        )
        keep = ~leaking
        fake_ids, fake_images, fake_targets = fake_ids[keep], fake_images[keep], fake_targets[keep]
        if curated_positions is not None:
            new_position = np.cumsum(keep) - 1
            curated_positions = new_position[curated_positions[keep[curated_positions]]]
            if curated_positions.size == 0:
                if curated:
                    raise _fail(
                        f"--curated {' and '.join(curated)}: matches only generated points made "
                        "from test label maps",
                        "curated",
                    )
                curated_positions = None
    if note:
        notes.append(note)
    k = top or (len(curated_positions) if curated_positions is not None else len(fake_ids) // 2)
    k = max(1, k)
    if not rank_by:
        usable = [s for s in scores if np.isfinite(ws.column(s)[fake_ids]).sum() >= k]
        if len(usable) < len(scores):
            notes.append(f"Scores with too few values for the top {k}: skipped.")
        scores = usable
    top_positions = _top(ws, scores, fake_ids, k)

    data = UtilityData(
        task=task,
        class_names=class_names,
        train_images=real_images[~is_test],
        train_targets=real_targets[~is_test],
        test_images=real_images[is_test],
        test_targets=real_targets[is_test],
        test_groups=groups[is_test],
        generated_images=fake_images,
        generated_targets=fake_targets,
    )
    arms = standard_arms(len(fake_ids), curated=curated_positions, top=top_positions)
    result = utility_study(
        data,
        arms,
        config=config,
        repeats=repeats,
        seed=seed,
        n_bootstrap=n_bootstrap,
        noun=noun,
        progress=progress,
        step_progress=step_progress,
    )
    split_path = f"{UTILITY_DIR}/{SPLIT_NAME}"
    result = dataclasses.replace(
        result,
        split={
            **result.split,
            "path": split_path,
            "reused": not write_split,
            "seed": split["seed"],
            "test_fraction": split["test_fraction"],
            "train_groups": split["train_groups"],
            "test_groups": split["test_groups"],
            "n_generated_left_out": int(leaking.sum()),
        },
        parameters={
            **result.parameters,
            "workspace": str(ws.path),
            "task": task,
            "target": target,
            "curated": list(curated) if curated else list(DEFAULT_CURATED),
            "rank_by": scores,
            "top": k if scores else None,
            "size": size,
            "epochs": epochs,
            "n_real": len(real_ids),
            "n_generated": len(fake_ids),
            "generated_ids": {
                "curated": _ids(fake_ids, curated_positions),
                **{f"top:{name}": _ids(fake_ids, p) for name, p in top_positions.items()},
            },
        },
        notes=(*notes, *result.notes),
    )
    if store:
        folder = ws.path / UTILITY_DIR
        folder.mkdir(exist_ok=True)
        if write_split:
            write_text_atomic(folder / SPLIT_NAME, json.dumps(split, indent=2) + "\n")
        result.to_json(folder / RESULT_NAME)
    if json_path is not None:
        result.to_json(json_path)
    if html_path is not None:
        result.to_html(html_path, title=f"synthscope utility report: {ws.path.name}")
    return result


def _ids(fake_ids: np.ndarray, positions: np.ndarray | None) -> list[int] | None:
    return None if positions is None else [int(i) for i in fake_ids[positions]]


def load_utility_result(ws: Workspace | str | Path) -> dict[str, Any] | None:
    """The latest stored study (``WS/utility/result.json``) as JSON, or None when there is none.

    What ``GET /api/utility`` serves.
    """
    root = ws.path if isinstance(ws, Workspace) else Path(ws)
    path = root / UTILITY_DIR / RESULT_NAME
    return json.loads(path.read_text()) if path.is_file() else None
