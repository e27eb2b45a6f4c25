"""Rebuild the SPADE generator shipped for the demo: ``python -m synthscope.demo.build_model``.

It simulates 800 phantom frames at 64x64 from 16 pullbacks (seed 101, so none of them is a demo
frame), trains SPADE on them with the command below, and writes an inference-only copy (weights
in float16) to ``src/synthscope/demo/model``. The same commands by hand::

    synthscope phantom train64 --n 800 --size 64 --seed 101 --pullbacks 16
    OMP_NUM_THREADS=1 synthscope train train64 run64 --size 64 --load-size 64 --ngf 16 --ndf 16 \\
        --spade-hidden 32 --batch-size 8 --label-nc 5 --epochs 30 --seed 0

(One torch thread: on a busy 2-core machine, two threads ran 7x slower.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from synthscope.spade import slim_run

TRAIN = [
    "--size", "64", "--load-size", "64", "--ngf", "16", "--ndf", "16", "--spade-hidden", "32",
    "--batch-size", "8", "--label-nc", "5", "--seed", "0",
]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("demo-model-build"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "model",
        help="Where to write.",
    )
    args = parser.parse_args(argv)
    data, run = args.workdir / "train64", args.workdir / "run64"
    cli = [sys.executable, "-m", "synthscope"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if not data.exists():
        subprocess.run(
            [*cli, "phantom", str(data), "--n", "800", "--size", "64", "--seed", "101",
             "--pullbacks", "16"],
            check=True,
        )  # fmt: skip
    resume = ["--resume"] if (run / "checkpoints" / "latest.pt").is_file() else []
    subprocess.run(
        [*cli, "train", str(data), str(run), *TRAIN, "--epochs", str(args.epochs), *resume],
        check=True,
        env=env,
    )
    slim_run(run, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
