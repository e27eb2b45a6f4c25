"""Calibration and power of the realism two-sample tests (1-NN, C2ST, MMD) at α = 0.05.

    python benchmarks/realism_calibration.py [--quick] [--draws 200] [--no-phantom]

For each scenario, draws real and generated sets many times and prints how often each test
rejects. Under the null (both sets from one distribution) a calibrated test rejects in about 5 %
of draws; under a shift it should reject.

Scenarios:

* Gaussians, N = M = 100 in 20 dimensions; shifted by 0.1 and 0.2 per dimension;
* correlated pullbacks: 10 + 10 AR(1) sequences (ρ = 0.95) of 20 frames around per-pullback
  offsets, groups given (whole pullbacks permuted); shifted by 1 and 2 per dimension; plus the
  same null with groups withheld (frame-wise permutation: the trap);
* IVUS phantom pullbacks at 64 x 64 pixels (4,096 raw-pixel features): pools of pullbacks
  simulated under seed 1 (real) and seed 2 (generated, same physics), and under seed 2 with one
  imaging knob shifted (``SHIFT_KNOBS``). Each draw takes 8 random pullbacks of 10 frames from
  each pool, so draws share pullbacks and the spread of the estimate is wider than binomial; and
  since two finite pools differ by chance, the pooled *null* row is conditional on the pools
  (a powerful test may detect the pools' own difference). The calibration row therefore
  simulates fresh pullbacks for every draw (6 + 6 pullbacks of 6 frames, two new seeds).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthscope.realism import c2st, mmd_test, one_nn_test
from tests.realism._data import gaussians, pullback_pair

TESTS = {"1-NN": one_nn_test, "C2ST": c2st, "MMD": mmd_test}
ALPHA = 0.05
Draw = Callable[[int], tuple[np.ndarray, np.ndarray, list | None]]


def rates(make: Draw, draws: int, permutations: int) -> dict[str, float]:
    rejected = dict.fromkeys(TESTS, 0)
    for draw in range(draws):
        real, fake, groups = make(draw)
        for name, test in TESTS.items():
            result = test(real, fake, groups, n_permutations=permutations, seed=draw)
            rejected[name] += result.p_value <= ALPHA
    return {name: count / draws for name, count in rejected.items()}


def wilson(rate: float, n: int) -> tuple[float, float]:
    z = 1.96
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def phantom_pool(n_pullbacks: int, n_frames: int, seed: int, **knob: float) -> np.ndarray:
    from synthscope.phantom import PhantomParams, simulate

    params = PhantomParams().shifted(**knob) if knob else PhantomParams()
    frames = simulate(
        n_pullbacks * n_frames, size=64, seed=seed, pullbacks=n_pullbacks, params=params
    )
    pixels = frames.images.reshape(n_pullbacks, n_frames, -1).astype(np.float64) / 255.0
    return pixels


def phantom_draw(real_pool: np.ndarray, fake_pool: np.ndarray, per_set: int) -> Draw:
    def make(draw: int) -> tuple[np.ndarray, np.ndarray, list]:
        rng = np.random.default_rng(50_000 + draw)
        ir = rng.choice(real_pool.shape[0], per_set, replace=False)
        jf = rng.choice(fake_pool.shape[0], per_set, replace=False)
        real = real_pool[ir].reshape(-1, real_pool.shape[-1])
        fake = fake_pool[jf].reshape(-1, fake_pool.shape[-1])
        frames = real_pool.shape[1]
        groups = [f"r{i}" for i in ir for _ in range(frames)]
        groups += [f"f{j}" for j in jf for _ in range(frames)]
        return real, fake, groups

    return make


def fresh_phantom_draw(n_pullbacks: int, n_frames: int) -> Draw:
    """Each draw simulates new pullbacks: real under seed 2d + 1, generated under 2d + 2."""

    def make(draw: int) -> tuple[np.ndarray, np.ndarray, list]:
        real = phantom_pool(n_pullbacks, n_frames, seed=100_000 + 2 * draw + 1)
        fake = phantom_pool(n_pullbacks, n_frames, seed=100_000 + 2 * draw + 2)
        groups = [f"r{i}" for i in range(n_pullbacks) for _ in range(n_frames)]
        groups += [f"f{i}" for i in range(n_pullbacks) for _ in range(n_frames)]
        return real.reshape(-1, real.shape[-1]), fake.reshape(-1, fake.shape[-1]), groups

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer draws and a smaller phantom")
    parser.add_argument("--draws", type=int, default=200, help="draws per null scenario")
    parser.add_argument("--power-draws", type=int, default=50, help="draws per shifted scenario")
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--no-phantom", action="store_true")
    parser.add_argument("--phantom-pullbacks", type=int, default=24)
    parser.add_argument("--knobs", default="gain_db,blur_px,speckle_size")
    parser.add_argument("--fresh-draws", type=int, default=100, help="phantom null draws")
    parser.add_argument("--fresh-pullbacks", type=int, default=6)
    parser.add_argument("--fresh-frames", type=int, default=6)
    args = parser.parse_args()
    if args.quick:
        args.draws, args.power_draws, args.phantom_pullbacks, args.fresh_draws = 40, 10, 12, 5
        args.knobs = "gain_db"

    scenarios: list[tuple[str, bool, int, Draw]] = [
        ("Gaussian null", True, args.draws, lambda d: (*gaussians(100, 100, 20, seed=d), None)),
        (
            "Gaussian shift 0.1",
            False,
            args.power_draws,
            lambda d: (*gaussians(100, 100, 20, shift=0.1, seed=d), None),
        ),
        (
            "Gaussian shift 0.2",
            False,
            args.power_draws,
            lambda d: (*gaussians(100, 100, 20, shift=0.2, seed=d), None),
        ),
        ("pullbacks null, groups", True, args.draws, lambda d: pullback_pair(10, 20, 20, seed=d)),
        (
            "pullbacks null, no groups (trap)",
            True,
            max(10, args.draws // 10),
            lambda d: (*pullback_pair(10, 20, 20, seed=d)[:2], None),
        ),
        (
            "pullbacks shift 1",
            False,
            args.power_draws,
            lambda d: pullback_pair(10, 20, 20, shift=1.0, seed=d),
        ),
        (
            "pullbacks shift 2",
            False,
            args.power_draws,
            lambda d: pullback_pair(10, 20, 20, shift=2.0, seed=d),
        ),
    ]
    if not args.no_phantom:
        from synthscope.phantom import SHIFT_KNOBS

        start = time.perf_counter()
        n_pb, frames = args.phantom_pullbacks, 10
        pool_real = phantom_pool(n_pb, frames, seed=1)
        pool_fake = phantom_pool(n_pb, frames, seed=2)
        scenarios.append(
            (
                "phantom null, fresh pullbacks",
                True,
                args.fresh_draws,
                fresh_phantom_draw(args.fresh_pullbacks, args.fresh_frames),
            )
        )
        scenarios.append(
            (
                "phantom null, pools (conditional)",
                True,
                args.power_draws,
                phantom_draw(pool_real, pool_fake, 8),
            )
        )
        for knob in filter(None, args.knobs.split(",")):
            shifted = phantom_pool(n_pb, frames, seed=2, **{knob: SHIFT_KNOBS[knob]})
            scenarios.append(
                (
                    f"phantom {knob} = {SHIFT_KNOBS[knob]:g}",
                    False,
                    args.power_draws,
                    phantom_draw(pool_real, shifted, 8),
                )
            )
        print(f"phantom pools simulated in {time.perf_counter() - start:.0f} s")

    print(f"α = {ALPHA}, {args.permutations} permutations, load average {os.getloadavg()[0]:.1f}")
    header = f"{'scenario':<36} {'draws':>5}  " + "  ".join(f"{n:>15}" for n in TESTS)
    print(header)
    for name, is_null, draws, make in scenarios:
        start = time.perf_counter()
        result = rates(make, draws, args.permutations)
        cells = []
        for test in TESTS:
            rate = result[test]
            lo, hi = wilson(rate, draws)
            cells.append(f"{rate:5.1%} [{lo:.2f},{hi:.2f}]")
        kind = "FPR" if is_null else "power"
        print(
            f"{name:<36} {draws:>5}  " + "  ".join(f"{c:>15}" for c in cells),
            f" {kind}, {time.perf_counter() - start:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
