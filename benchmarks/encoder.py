"""The self-supervised encoder: how long it trains, and what its frozen features hold.

    .venv/bin/python benchmarks/encoder.py            # full: about 30 min on 2 cores
    .venv/bin/python benchmarks/encoder.py --quick    # reduced: a few minutes

Full: 1,800 training frames of 128x128 from 60 phantom pullbacks; the encoder (default options)
trains epoch by epoch, each a resume of the last (exact, so the same as one straight run), until
the next epoch would pass the time budget (15 minutes). A linear probe then reads, from frozen
features, each frame's plaque burden (ridge regression, R^2) and calcium presence (logistic
regression, AUROC) on 600 frames of 20 held-out pullbacks (half of them calcified);
hyperparameters are chosen by cross-validation over training pullbacks. The same probe runs on pixels64 (the founding study's
features) and on a random-init copy of the same network (Lee et al. 2023: random networks are a
strong baseline), and on the encoder at several epochs, to show how soon it becomes useful.

Results go to ``benchmarks/results/encoder.json`` (``encoder_quick.json`` with ``--quick``) with
the machine, its core count and the load average before and after.

:func:`train_ssl_extractor` is the entry point for the feature-space power benchmark: it trains
an encoder once on real images (or reuses a finished run) and returns the ``ssl`` extractor.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthscope._training import refuse_changed_options
from synthscope.encoder import (
    RESUMABLE,
    EncoderConfig,
    TrainedEncoder,
    encode,
    list_checkpoints,
    load_encoder,
    read_options,
    resumed_config,
    training_loop,
)
from synthscope.features import PixelsExtractor, SSLExtractor
from synthscope.phantom import simulate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import machine, write_result

# Frames of one pullback are alike: many short pullbacks give the encoder and the probe more
# independent anatomy than a few long ones.
FULL = {
    "train": 1800,
    "test": 600,
    "pullbacks": 80,
    "test_pullbacks": 20,
    "size": 128,
    "minutes": 15,
}
QUICK = {"train": 480, "test": 240, "pullbacks": 36, "test_pullbacks": 12, "size": 64, "minutes": 3}


# -- the entry point for the power benchmark ------------------------------------------------------


def train_ssl_extractor(
    real_images: Sequence[np.ndarray],
    run_dir: str | Path,
    config: EncoderConfig | None = None,
    *,
    minutes: float | None = None,
) -> SSLExtractor:
    """Train an encoder on ``real_images`` once (a finished run in ``run_dir`` is reused) and
    return its ``ssl`` extractor; ``extractor.transform(images)`` then embeds any images.

    With ``minutes``, training goes epoch by epoch (each a resume of the last) and stops before
    the epoch that would pass the budget; without, it trains ``config.epochs`` epochs.
    """
    run_dir = Path(run_dir)
    config = config or EncoderConfig()
    if list_checkpoints(run_dir):  # a run with other options is refused, naming them
        refuse_changed_options(
            run_dir, read_options(run_dir)[0].to_dict(), config.to_dict(), RESUMABLE
        )
    if minutes is None:
        resume = bool(list_checkpoints(run_dir))
        given = resumed_config(run_dir, epochs=config.epochs) if resume else config
        training_loop(real_images, run_dir, given, resume=resume)
    else:
        train_for(real_images, run_dir, config, minutes * 60)
    return SSLExtractor(run_dir)


def train_for(
    images: Sequence[np.ndarray], run_dir: Path, config: EncoderConfig, seconds: float
) -> list[dict[str, Any]]:
    """Train one epoch at a time until the next would pass ``seconds``; the stats lines."""
    done = 0
    if list_checkpoints(run_dir):
        done = load_encoder(run_dir, device="cpu").epoch
    last = 0.0
    spent = 0.0
    while done < config.epochs:
        if done and spent + last > seconds:
            break
        started = time.perf_counter()
        if done == 0:
            training_loop(images, run_dir, config.replace(epochs=1, snapshot_every=1))
        else:
            training_loop(images, run_dir, resumed_config(run_dir, epochs=done + 1), resume=True)
        last = time.perf_counter() - started
        spent += last
        done += 1
        print(f"  epoch {done}: {last:.0f} s (total {spent:.0f} s)", flush=True)
    path = run_dir / "stats.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- the probe ------------------------------------------------------------------------------------


def probe(
    train_x: np.ndarray,
    train_y: dict[str, np.ndarray],
    groups: np.ndarray,
    test_x: np.ndarray,
    test_y: dict[str, np.ndarray],
) -> dict[str, float]:
    """Ridge R^2 for plaque burden and logistic AUROC for calcium on held-out pullbacks."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import (
        mean_absolute_error,
        r2_score,
        roc_auc_score,
    )
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # Folds never split a pullback (its frames are alike) and each holds calcified frames.
    calcium = train_y["calcium_present"].astype(bool)
    calcified = set(groups[calcium])
    n_splits = min(4, len(calcified), len(set(groups) - calcified))
    folds = list(StratifiedGroupKFold(n_splits=n_splits).split(train_x, calcium, groups))
    ridge = GridSearchCV(
        make_pipeline(StandardScaler(), Ridge()),
        {"ridge__alpha": np.logspace(-1, 5, 7)},
        cv=folds,
        scoring="r2",
    ).fit(train_x, train_y["plaque_burden"])
    logistic = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)),
        {"logisticregression__C": np.logspace(-4, 2, 7)},
        cv=folds,
        scoring="roc_auc",
    ).fit(train_x, train_y["calcium_present"])
    burden = ridge.predict(test_x)
    calcium = logistic.predict_proba(test_x)[:, 1]
    return {
        "plaque_burden_r2": round(float(r2_score(test_y["plaque_burden"], burden)), 4),
        "plaque_burden_mae": round(float(mean_absolute_error(test_y["plaque_burden"], burden)), 4),
        "calcium_auroc": round(float(roc_auc_score(test_y["calcium_present"], calcium)), 4),
        "calcium_share_test": round(float(np.mean(test_y["calcium_present"])), 3),
    }


def _held_out_pullbacks(records: Sequence[Any], k: int) -> list[str]:
    """``k`` pullbacks, half with calcium and half without (so both classes are tested)."""
    ids = sorted({r.pullback for r in records})
    calcified = {r.pullback for r in records if r.calcium_present}
    with_ca = [p for p in ids if p in calcified][-(k // 2) :]
    without = [p for p in ids if p not in calcified][-(k - len(with_ca)) :]
    return with_ca + without


def _targets(records: Sequence[Any]) -> dict[str, np.ndarray]:
    return {
        "plaque_burden": np.array([r.plaque_burden for r in records], dtype=float),
        "calcium_present": np.array([r.calcium_present for r in records], dtype=int),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (a few minutes)")
    parser.add_argument("--minutes", type=float, help="training budget [15; quick 3]")
    parser.add_argument("--width", type=int, help="encoder width [EncoderConfig's]")
    parser.add_argument("--batch-size", type=int, help="[EncoderConfig's]")
    parser.add_argument("--lr", type=float, help="[EncoderConfig's]")
    parser.add_argument("--name", help="result file name [encoder, or encoder_quick]")
    parser.add_argument("--workdir", type=Path, help="keep the data and run here")
    parser.add_argument("--threads", type=int, help="torch threads [torch's default]")
    args = parser.parse_args()
    plan = dict(QUICK if args.quick else FULL)
    if args.minutes is not None:
        plan["minutes"] = args.minutes
    if args.threads:
        torch.set_num_threads(args.threads)
    started_machine = machine()
    print(f"# {started_machine}", flush=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="encoder-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    n, size = plan["train"] + plan["test"], plan["size"]
    frames = simulate(n, size=size, seed=0, pullbacks=plan["pullbacks"], workers=None)
    pullbacks = np.array([r.pullback for r in frames.records])
    held_out = np.isin(pullbacks, _held_out_pullbacks(frames.records, plan["test_pullbacks"]))
    train_idx, test_idx = np.flatnonzero(~held_out), np.flatnonzero(held_out)
    simulate_s = time.perf_counter() - t0
    train_images = list(frames.images[train_idx])
    test_images = list(frames.images[test_idx])
    records = frames.records
    train_y = _targets([records[i] for i in train_idx])
    test_y = _targets([records[i] for i in test_idx])
    print(f"phantom: {len(train_idx)} training + {len(test_idx)} held-out frames of {size}px"
          f" in {simulate_s:.0f} s", flush=True)  # fmt: skip

    config = EncoderConfig(size=size, device="cpu")
    for option in ("width", "batch_size", "lr"):
        if getattr(args, option) is not None:
            config = config.replace(**{option: getattr(args, option)})
    config = config.replace(epochs=1000)  # the time budget stops it
    run = work / "run"
    t0 = time.perf_counter()
    stats = train_for(train_images, run, config, plan["minutes"] * 60)
    train_s = time.perf_counter() - t0
    last_epoch = stats[-1]["epoch"]

    results: dict[str, dict[str, Any]] = {}

    def evaluate(name: str, embed) -> None:
        t = time.perf_counter()
        x_train, x_test = embed(train_images), embed(test_images)
        embed_s = time.perf_counter() - t
        results[name] = {
            "dims": int(x_train.shape[1]),
            "embed_images_per_s": round((len(train_images) + len(test_images)) / embed_s, 1),
            **probe(x_train, train_y, pullbacks[train_idx], x_test, test_y),
        }
        print(f"{name:>16}: {results[name]}", flush=True)

    evaluate("pixels64", PixelsExtractor(64).transform)
    untrained = TrainedEncoder.untrained(config, trained_sizes=(f"{size}x{size}",))
    evaluate("random-init", lambda images: encode(untrained, images))
    curve_epochs = sorted({e for e in (1, 2, 4, 8, 16, 32, 64) if e < last_epoch} | {last_epoch})
    curve = []
    for epoch in curve_epochs:
        encoder = load_encoder(run, epoch, device="cpu")
        name = f"ssl epoch {epoch}"
        evaluate(name, lambda images, encoder=encoder: encode(encoder, images))
        seconds = next(s["seconds"] for s in stats if s["epoch"] == epoch)
        curve.append({"epoch": epoch, "training_seconds": seconds, **results.pop(name)})
    results["ssl"] = {k: v for k, v in curve[-1].items() if k != "epoch"}

    payload = {
        "quick": args.quick,
        "plan": plan,
        "config": config.replace(epochs=last_epoch).to_dict(),
        "torch_threads": torch.get_num_threads(),
        "phantom_seconds": round(simulate_s, 1),
        "training": {
            "epochs": last_epoch,
            "seconds": round(stats[-1]["seconds"], 1),
            "wall_seconds_with_resumes": round(train_s, 1),
            "images_per_s": round(float(np.median([s["images_per_s"] for s in stats])), 2),
            "final_loss": stats[-1]["loss"],
        },
        "probe": results,
        "ssl_by_epoch": curve,
    }
    name = args.name or ("encoder_quick" if args.quick else "encoder")
    path = write_result(name, payload, started=started_machine)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
