"""Does curation help? Every utility arm on the phantom and the shipped SPADE generator, 64 x 64.

    python benchmarks/utility.py [--quick] [--repeats 3] [--steps 200] [--threads 1] [--out FILE]

What it does, as a user would:

1. Real data: phantom frames with label maps (``--real`` frames over ``--pullbacks`` pullbacks).
   Held-out label maps: phantom frames of other vessels (pullbacks renamed ``heldout-...``).
2. Generated data: the shipped SPADE generator's frames from the held-out label maps.
3. A workspace of real + generated; the per-image realism scores ``realism_c2st:F`` and
   ``realism_knn:F`` on raw pixels (F = ``pixels64``) and on the generator's discriminator
   features (F = ``spade-disc...``).
4. The founding study's curation, simulated: a 3-D t-SNE of ``pixels64``; the quarter of the
   generated frames whose 10 nearest t-SNE neighbours hold the most real frames (the ones that
   "sat among the real ones") are relabelled real in the edit log.
5. ``utility_workspace``: real, real+generated, real+curated, real+top:SCORE for each of the four
   score columns (its default; K = the curated count), real+random (same count), generated
   (TSTR).
6. Known defects, on the same split and seeds (library level): real + the SPADE frames with their
   label maps shuffled across frames (images fine, pairs wrong: invisible to every realism
   score), real + phantom frames of the held-out vessels with coarse speckle
   (``speckle_size=2``: an image defect), and real + phantom frames of the held-out vessels with
   the default physics (a perfect generator: the positive control).

Writes ``benchmarks/results/utility.json``: machine, cores, load average before and after, date,
timings, both studies' full results and a summary (every arm; whether curating by each score
beats real+random). Target: the whole benchmark in <= 15 minutes on 2 cores at the full sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HERE = Path(__file__).resolve().parent


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import torch

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.is_available(),
    }


def rename_pullbacks(folder: Path, prefix: str) -> None:
    table = folder / "frames.tsv"
    lines = table.read_text().splitlines()
    column = lines[0].split("\t").index("pullback")
    rows = [lines[0]]
    for line in lines[1:]:
        cells = line.split("\t")
        cells[column] = prefix + cells[column]
        rows.append("\t".join(cells))
    table.write_text("\n".join(rows) + "\n")


def read_folder(folder: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images, label maps and stems of a phantom-layout folder, in stem order."""
    from PIL import Image

    stems = sorted(p.stem for p in (folder / "images").glob("*.png"))
    images = np.stack([np.asarray(Image.open(folder / "images" / f"{s}.png")) for s in stems])
    labels = np.stack([np.asarray(Image.open(folder / "labels" / f"{s}.png")) for s in stems])
    return images.astype(np.uint8), labels.astype(np.uint8), stems


def tsne_real_share(ws, seed: int, k: int = 10) -> np.ndarray:
    """Share of real points among each point's k nearest neighbours in a 3-D t-SNE of pixels64."""
    from synthscope.projection import ProjectionRequest
    from synthscope.workspace import project

    perplexity = min(30.0, (ws.n_points - 1) / 3.5)
    request = ProjectionRequest(
        method="tsne", dims=3, feature="pixels64", seed=seed, perplexity=perplexity
    )
    coords = np.asarray(project(ws, request).embedding, dtype=np.float64)
    squared = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(squared, np.inf)
    neighbours = np.argsort(squared, axis=1)[:, :k]
    real = ws.column("source") == "real"
    return real[neighbours].mean(axis=1)


def summarise(result) -> dict:
    arms = {
        a.name: {
            "n_train": a.n_train,
            "n_generated": a.n_generated,
            "mean": round(a.mean, 4),
            "ci": [round(v, 4) for v in a.ci],
            "runs": [round(v, 4) for v in a.runs],
            "per_class": {k: round(v, 3) for k, v in a.per_class.items()},
        }
        for a in result.arms
    }
    versus = {}
    for c in result.comparisons:
        versus[f"{c.arm} - {c.baseline}"] = {
            "difference": round(c.difference, 4),
            "ci": [round(v, 4) for v in c.ci],
            "p_value": round(c.p_value, 4),
            "verdict": "higher"
            if c.ci[0] > 0
            else "lower"
            if c.ci[1] < 0
            else "no detectable change",
        }
    return {
        "verdict": result.verdict,
        "evidence": list(result.evidence),
        "arms": arms,
        "versus": versus,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="80 real / 120 generated frames, 120 steps, 2 repeats"
    )
    parser.add_argument("--real", type=int, help="real frames [120; quick 80]")
    parser.add_argument("--pullbacks", type=int, help="real pullbacks [12; quick 8]")
    parser.add_argument("--generated", type=int, help="generated frames [240; quick 120]")
    parser.add_argument("--repeats", type=int, help="[3; quick 2]")
    # 200 steps of 8 frames: at 64 px, 150 steps left calcium unlearned in one of two trainings;
    # at 200 most trainings learn it. 39 trainings x 200 steps x 0.084 s of CPU a step is about
    # 11 minutes, plus about one of data preparation: within 15 minutes on 2 cores.
    parser.add_argument("--steps", type=int, help="[200; quick 120]")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument(
        "--test-fraction", type=float, help="share of real pullbacks held out [the library's 0.3]"
    )
    # One thread: on a shared machine two OpenMP threads spin against other work (a 5-step
    # training took 16 s with 2 threads against 1.2 s with 1 at load average 8 on 2 cores).
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "utility.json")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here")
    args = parser.parse_args()
    defaults = (80, 8, 120, 2, 120) if args.quick else (120, 12, 240, 3, 200)
    for name, value in zip(
        ("real", "pullbacks", "generated", "repeats", "steps"), defaults, strict=True
    ):
        if getattr(args, name) is None:
            setattr(args, name, value)

    import torch

    torch.set_num_threads(args.threads)
    from synthscope.demo import shipped_model
    from synthscope.phantom import PhantomParams, write_phantom
    from synthscope.spade import generate_images
    from synthscope.utility import ArmSpec, TrainConfig, UtilityData, utility_study
    from synthscope.workspace import Workspace, embed, ingest, score_workspace, utility_workspace

    load_before = os.getloadavg()
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="synthscope-utility-bench-"))
    if workdir.exists() and args.workdir is not None:
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    real_dir, heldout_dir = workdir / "real", workdir / "heldout"
    spade_dir, shifted_dir = workdir / "spade", workdir / "shifted"
    heldout_pullbacks = max(2, args.pullbacks * 2 // 3)

    def lap(name: str, since: float) -> float:
        seconds[name] = round(time.perf_counter() - since, 1)
        print(f"  {name}: {seconds[name]:.1f} s", flush=True)
        return time.perf_counter()

    t = time.perf_counter()
    print("simulating phantom frames", flush=True)
    write_phantom(real_dir, n=args.real, size=64, seed=1, pullbacks=args.pullbacks)
    write_phantom(heldout_dir, n=args.generated, size=64, seed=2, pullbacks=heldout_pullbacks)
    rename_pullbacks(heldout_dir, "heldout-")
    shifted = PhantomParams().shifted(speckle_size=2.0)
    write_phantom(
        shifted_dir, n=args.generated, size=64, seed=2, pullbacks=heldout_pullbacks, params=shifted
    )
    t = lap("phantom", t)
    model = shipped_model()
    generate_images(model, heldout_dir / "labels", spade_dir, seed=0)
    t = lap("spade_generate", t)
    ws_path = workdir / "ws"
    ingest(ws_path, [real_dir], [spade_dir])
    t = lap("ingest", t)

    with Workspace.open(ws_path) as ws:
        # Per-image scores in two spaces: columns realism_c2st:pixels64, realism_knn:pixels64,
        # realism_c2st:<disc> and realism_knn:<disc>, which utility ranks by by default.
        disc = embed(ws, f"spade-disc:{model}")
        for feature in ("pixels64", disc):
            score_workspace(ws, feature, n_permutations=100)
        fake = np.flatnonzero(ws.column("source") == "fake")
        t = lap("realism_scores", t)
        share = tsne_real_share(ws, args.seed)
        k = max(1, len(fake) // 4)
        order = fake[np.lexsort((fake, -share[fake]))]
        curated = np.sort(order[:k])
        ws.relabel(curated.tolist(), "label", "real")
        t = lap("tsne_curation", t)
        # numba's OpenMP kernels (the t-SNE) reset torch's thread count in this process (1 -> 2
        # here), and two threads spinning on a shared machine made each step 4x slower.
        torch.set_num_threads(args.threads)
        config = {"repeats": args.repeats, "steps": args.steps, "batch_size": args.batch_size}
        main_result = utility_workspace(
            ws,
            size=64,
            seed=args.seed,
            test_fraction=args.test_fraction,
            noun="frames",
            json_path=workdir / "utility.json",
            html_path=workdir / "utility.html",
            progress=lambda done, total: print(
                f"  main study: {done}/{total} trainings", flush=True
            ),
            **config,
        )
        t = lap("main_study", t)

    # Defects on the same split and seeds: read the folders directly.
    real_images, real_labels, real_stems = read_folder(real_dir)
    frames = {
        line.split("\t")[0]: line.split("\t")[1]
        for line in (real_dir / "frames.tsv").read_text().splitlines()[1:]
    }
    groups = np.array([frames[s] for s in real_stems])
    test = np.isin(groups, main_result.split["test_groups"])
    spade_images, spade_labels, _ = read_folder(spade_dir)
    shifted_images, shifted_labels, _ = read_folder(shifted_dir)
    heldout_images, heldout_labels, _ = read_folder(heldout_dir)
    shuffled_labels = spade_labels[np.random.default_rng(args.seed).permutation(len(spade_labels))]
    n = len(spade_images)
    pool_images = np.concatenate([spade_images, shifted_images, heldout_images])
    pool_labels = np.concatenate([shuffled_labels, shifted_labels, heldout_labels])
    data = UtilityData(
        task="segment",
        class_names=main_result.class_names,
        train_images=real_images[~test],
        train_targets=real_labels[~test],
        test_images=real_images[test],
        test_targets=real_labels[test],
        test_groups=groups[test],
        generated_images=pool_images,
        generated_targets=pool_labels,
    )
    arms = [
        ArmSpec("real", "real"),
        ArmSpec(
            "real+shuffled",
            "generated",
            generated=np.arange(n),
            description=f"Adding the {n} SPADE frames with label maps shuffled across frames",
        ),
        ArmSpec(
            "real+coarse-speckle",
            "generated",
            generated=np.arange(n, 2 * n),
            description=f"Adding {n} phantom frames with coarse speckle (speckle_size 2)",
        ),
        ArmSpec(
            "real+phantom",
            "generated",
            generated=np.arange(2 * n, 3 * n),
            description=f"Adding {n} phantom frames of other vessels (a perfect generator)",
        ),
    ]
    defects = utility_study(
        data,
        arms,
        config=TrainConfig(steps=args.steps, batch_size=args.batch_size),
        repeats=args.repeats,
        seed=args.seed,
        noun="frames",
        progress=lambda done, total: print(f"  defects: {done}/{total} trainings", flush=True),
    )
    defects.to_html(workdir / "utility-defects.html", title="synthscope utility: known defects")
    t = lap("defect_study", t)
    total = time.perf_counter() - started

    curating = {
        arm.name: {
            "score": arm.score or "t-SNE neighbourhood (founding curation)",
            "vs_random": summarise(main_result)["versus"].get(f"{arm.name} - {arm.control}"),
        }
        for arm in main_result.arms
        if arm.kind in ("curated", "top")
    }
    same_real = main_result.arm("real").runs == defects.arm("real").runs
    out = {
        "benchmark": "utility",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "quick": args.quick,
        "settings": {
            "real_frames": args.real,
            "real_pullbacks": args.pullbacks,
            "generated_frames": args.generated,
            "heldout_pullbacks": heldout_pullbacks,
            "size": 64,
            "repeats": args.repeats,
            "steps": args.steps,
            "batch_size": args.batch_size,
            "test_fraction": args.test_fraction,
            "test_groups": len(main_result.split["test_groups"]),
            "curated": f"{len(curated)} generated frames with the most real t-SNE neighbours",
            "seed": args.seed,
        },
        "seconds": {**seconds, "total": round(total, 1)},
        "seconds_per_training": round(
            (seconds["main_study"] + seconds["defect_study"])
            / ((len(main_result.arms) + len(arms)) * args.repeats),
            1,
        ),
        "real_arm_identical_in_both_studies": same_real,
        "summary": {
            "main": summarise(main_result),
            "defects": summarise(defects),
            "curating_vs_random": curating,
        },
        "main": main_result.to_dict(),
        "defects": defects.to_dict(),
        "workdir": str(workdir),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nmain: {main_result.verdict}")
    for line in main_result.evidence:
        print(f"  - {line}")
    print(f"defects: {defects.verdict}")
    for line in defects.evidence:
        print(f"  - {line}")
    print(f"\ntotal {total / 60:.1f} min; wrote {args.out}; reports in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
