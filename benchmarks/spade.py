"""SPADE speed (training and generation images/s) and a small learning run on the phantom.

    .venv/bin/python benchmarks/spade.py [--quick] [--threads N]
    .venv/bin/python benchmarks/spade.py --learning-run [--steps 240] [--figures docs/images]

Speed: CPU at 64x64 with small configurations, as ratios against the reference's SPADE layer width
(128-channel label embedding) measured in the same process; on a CUDA GPU also the default
configuration (ngf 64) at 256x256 with bf16. The learning run trains a small model on phantom
frames and writes a loss curve and a sample grid (held-out label maps: real, early, final).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from synthscope.phantom import write_phantom
from synthscope.spade import SpadeConfig, generate_images, training_loop
from synthscope.spade._grid import sample_grid

SMALL = {"size": 64, "load_size": 72, "ngf": 16, "ndf": 16, "batch_size": 4, "epochs": 1000}


def _train_rate(data: Path, run: Path, config: SpadeConfig, steps: int, warmup: int) -> float:
    marks: dict[int, float] = {}
    training_loop(
        data,
        run,
        config.replace(max_steps=warmup + steps, sample_every=10**6, log_every=10**6),
        progress=lambda status: marks.__setitem__(status.step, time.perf_counter()),
    )
    return steps * config.batch_size / (marks[warmup + steps] - marks[warmup])


def _generate_rate(run: Path, labels: Path, out: Path, n: int, device: str) -> float:
    generate_images(run, labels, out / "warm", batch_size=8, device=device)  # warm-up
    start = time.perf_counter()
    generate_images(run, labels, out / "timed", batch_size=8, device=device)
    return n / (time.perf_counter() - start)


def speed(quick: bool) -> None:
    steps, warmup = (3, 1) if quick else (8, 2)
    n_frames = 16 if quick else 48
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "phantom"
        write_phantom(data, n=n_frames, size=64, seed=0, workers=1)
        rows = []
        variants = [
            ("ngf16 hidden128 (reference width)", {"spade_hidden": 128}),
            ("ngf16 hidden32", {"spade_hidden": 32}),
            ("ngf16 hidden32 instance norm", {"spade_hidden": 32, "norm": "instance"}),
            ("ngf32 hidden32", {"spade_hidden": 32, "ngf": 32, "ndf": 32}),
        ]
        for i, (name, extra) in enumerate(variants):
            config = SpadeConfig(**{**SMALL, **extra, "device": "cpu"})
            run = tmp_path / f"run{i}"
            train = _train_rate(data, run, config, steps, warmup)
            gen = _generate_rate(run, data / "labels", tmp_path / f"gen{i}", n_frames, "cpu")
            rows.append((name, train, gen))
        _table(f"CPU, 64x64, batch 4, {torch.get_num_threads()} thread(s)", rows)

        if torch.cuda.is_available():
            card = torch.cuda.get_device_name(0)
            big = tmp_path / "phantom256"
            write_phantom(big, n=32, size=256, seed=0, workers=4)
            gpu_rows = []
            for batch in (1, 8):
                config = SpadeConfig(size=256, batch_size=batch, epochs=1000, device="cuda")
                run = tmp_path / f"gpu{batch}"
                train = _train_rate(big, run, config, 10, 3)
                gen = _generate_rate(run, big / "labels", tmp_path / f"ggen{batch}", 32, "cuda")
                gpu_rows.append((f"default (ngf 64) bf16, batch {batch}", train, gen))
            _table(f"{card}, 256x256", gpu_rows)
        else:
            print("\nno CUDA GPU here: the 256x256 default-configuration row was not measured")


def _table(title: str, rows: list[tuple[str, float, float]]) -> None:
    base_train, base_gen = rows[0][1], rows[0][2]
    print(f"\n{title}")
    print(
        f"{'configuration':38} {'train img/s':>11} {'ratio':>6} {'generate img/s':>15} {'ratio':>6}"
    )
    for name, train, gen in rows:
        print(
            f"{name:38} {train:11.2f} {train / base_train:6.2f} {gen:15.1f} {gen / base_gen:6.2f}"
        )


# -- learning run -------------------------------------------------------------------------------


def _class_means(images: np.ndarray, labels: np.ndarray, classes: int) -> np.ndarray:
    return np.array(
        [images[labels == c].mean() if (labels == c).any() else np.nan for c in range(classes)]
    )


def _read_folder(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(p)) for p in sorted(folder.glob("*.png"))])


def _plot(path: Path, log: Path) -> None:
    """A small loss-curve PNG drawn with Pillow (no plotting library needed)."""
    with log.open() as handle:
        rows = list(csv.DictReader(handle))
    step = np.array([float(r["step"]) for r in rows])
    series = {
        "G feature matching / 10": (
            np.array([float(r["g_feat"]) for r in rows]) / 10,
            (0, 114, 178),
        ),
        "G hinge": (np.array([float(r["g_gan"]) for r in rows]), (213, 94, 0)),
        "D real + fake": (
            np.array([float(r["d_real"]) + float(r["d_fake"]) for r in rows]),
            (0, 158, 115),
        ),
    }
    width, height, margin = 560, 300, 44
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    low = min(float(v.min()) for v, _ in series.values())
    high = max(float(v.max()) for v, _ in series.values())
    low, high = min(low, 0.0), high + 0.05 * (high - low + 1e-9)

    def xy(x: float, y: float) -> tuple[float, float]:
        px = margin + (x - step.min()) / max(step.max() - step.min(), 1) * (width - 2 * margin)
        py = height - margin - (y - low) / (high - low) * (height - 2 * margin)
        return px, py

    draw.rectangle([margin, margin, width - margin, height - margin], outline="black")
    for tick in np.linspace(low, high, 5):
        _, py = xy(step.min(), tick)
        draw.line([margin - 4, py, margin, py], fill="black")
        draw.text((4, py - 6), f"{tick:.2f}", fill="black")
    for tick in np.linspace(step.min(), step.max(), 5):
        px, _ = xy(tick, low)
        draw.text((px - 10, height - margin + 6), f"{int(tick)}", fill="black")
    draw.text((width // 2 - 20, height - 16), "step", fill="black")
    for i, (name, (values, colour)) in enumerate(series.items()):
        draw.line([xy(x, y) for x, y in zip(step, values, strict=True)], fill=colour, width=2)
        draw.text((margin + 8, margin + 6 + 14 * i), name, fill=colour)
    draw.text((margin, 12), "SPADE on the phantom (CPU, 64x64): losses", fill="black")
    image.save(path)


def evaluate(
    root: Path, run: Path, held_out: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class mean grey level of generated vs real held-out frames, for every snapshot."""
    real = _read_folder(held_out / "images")
    labels = _read_folder(held_out / "labels")
    reference = _class_means(real, labels, 5)
    print(
        f"held-out real class means (outside, lumen, plaque, perivascular, calcium): "
        f"{', '.join(f'{m:.0f}' for m in reference)}"
    )
    generated = {}
    for snapshot in sorted((run / "checkpoints").glob("epoch-*.pt")):
        epoch = int(snapshot.stem.split("-")[1])
        out = root / f"gen-epoch{epoch}"
        generate_images(run, held_out / "labels", out, checkpoint=str(epoch), device="cpu")
        generated[epoch] = _read_folder(out / "images")
        means = _class_means(generated[epoch], labels, 5)
        print(
            f"epoch {epoch:3d}: class means {', '.join(f'{m:.0f}' for m in means)};"
            f" mean |gap| {np.nanmean(np.abs(means - reference)):.1f} grey levels"
        )
    generate_images(run, held_out / "labels", root / "gen-latest", device="cpu")
    final = _read_folder(root / "gen-latest" / "images")
    return real, labels, generated[min(generated)], final


def learning_run(steps: int, figures: Path, workdir: Path | None) -> None:
    tmp = tempfile.TemporaryDirectory() if workdir is None else None
    root = Path(tmp.name) if tmp is not None else workdir
    assert root is not None
    data, held_out, run = root / "phantom", root / "held_out", root / "run"
    write_phantom(data, n=96, size=64, seed=0, workers=1, overwrite=True)
    write_phantom(held_out, n=8, size=64, seed=1, pullbacks=8, workers=1, overwrite=True)
    config = SpadeConfig(
        **{**SMALL, "epochs": 1000},
        spade_hidden=32,
        max_steps=steps,
        snapshot_every=2,
        log_every=5,
        sample_every=10**6,
        device="cpu",
    )
    start = time.perf_counter()
    result = training_loop(data, run, config)
    seconds = time.perf_counter() - start
    print(f"trained {result.step} steps ({result.epoch} epochs of 24 steps) in {seconds:.0f} s")

    real, labels, early, final = evaluate(root, run, held_out)
    figures.mkdir(parents=True, exist_ok=True)
    grid = sample_grid(labels, real, early, extra=[final])
    Image.fromarray(grid).save(figures / "spade_learning_samples.png")
    _plot(figures / "spade_learning_losses.png", run / "losses.csv")
    print(
        f"wrote {figures / 'spade_learning_samples.png'} (rows: labels, real, first, last snapshot)"
    )
    print(f"wrote {figures / 'spade_learning_losses.png'}")
    if tmp is not None:
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and frames")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    parser.add_argument("--learning-run", action="store_true", help="run the learning demo")
    parser.add_argument("--steps", type=int, default=240, help="learning-run steps")
    parser.add_argument("--figures", type=Path, default=Path("docs/images"))
    parser.add_argument("--workdir", type=Path, default=None, help="keep the learning run here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.learning_run:
        learning_run(args.steps, args.figures, args.workdir)
    else:
        speed(args.quick)


if __name__ == "__main__":
    main()
