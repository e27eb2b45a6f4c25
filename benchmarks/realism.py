"""Realism report speed: the whole report for 1,800 + 1,800 images at 4,096 dimensions.

    python benchmarks/realism.py [--quick] [--n 1800] [--dim 4096] [--permutations 200]

Target: the whole report (``realism_report``: PCA, 1-NN, C2ST and MMD with 200 group
permutations each, per-image scores, Fréchet distance, KID 100 x 1000, PRDC, memorisation)
in <= 60 s on 2 cores. Then each piece is timed against the usual way of computing it, in this
process on the same data:

* C2ST: scikit-learn ``permutation_test_score`` (logistic regression, ``GroupKFold``), which
  refits per permutation; ours fits every permutation at once;
* Fréchet distance: ``scipy.linalg.sqrtm`` of ``Σr Σg`` as in pytorch-fid (on ``--fd-dim``
  dimensions, since sqrtm at 4,096 takes minutes);
* KID: per-subset kernel matrices from the features, as in clean-fid's ``kernel_distance``;
* PRDC: the ``prdc`` package's algorithm (scikit-learn pairwise distances, ``np.partition``).

The data are image-like: a few smooth low-rank components plus pixel noise, 30-frame "pullbacks"
sharing an offset (so the group-aware permutations do real work), values in 0..1.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def make_data(n: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(20, dim)).astype(np.float32) / np.sqrt(dim)

    def one_set(tag: str, shift: float) -> tuple[np.ndarray, list[str]]:
        frames = 30
        groups, rows = [], []
        for g in range(n // frames + 1):
            offset = rng.normal(size=20) * 3.0
            coef = offset + rng.normal(size=(frames, 20))
            rows.append(coef @ basis * 8.0 + rng.normal(size=(frames, dim)) * 0.05)
            groups += [f"{tag}{g}"] * frames
        x = np.vstack(rows)[:n] + 0.5 + shift
        return np.clip(x, 0, 1).astype(np.float32), groups[:n]

    real, g_real = one_set("r", 0.0)
    fake, g_fake = one_set("f", 0.01)
    return real, fake, g_real + g_fake


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def peer_c2st(x: np.ndarray, y: np.ndarray, groups: list[str], permutations: int) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, permutation_test_score
    from sklearn.preprocessing import StandardScaler

    xs = StandardScaler().fit_transform(x)
    _, _, p = permutation_test_score(
        LogisticRegression(class_weight="balanced", max_iter=200),
        xs,
        y,
        groups=groups,
        cv=GroupKFold(5),
        n_permutations=permutations,
        scoring="roc_auc",
        random_state=0,
    )
    return p


def peer_frechet(a: np.ndarray, b: np.ndarray) -> float:
    from scipy import linalg

    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + offset) @ (s2 + offset))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def peer_kid(a: np.ndarray, b: np.ndarray, subsets: int, size: int) -> float:
    d = a.shape[1]
    m = min(size, len(a), len(b))
    rng = np.random.default_rng(0)
    t = 0.0
    for _ in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx, kyy, kxy = ((u @ v.T / d + 1) ** 3 for u, v in ((x, x), (y, y), (x, y)))
        t += (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        t -= 2 * kxy.mean()
    return t / subsets


def peer_prdc(real: np.ndarray, fake: np.ndarray, k: int = 5) -> tuple[float, ...]:
    from sklearn.metrics import pairwise_distances

    def radii(x: np.ndarray) -> np.ndarray:
        d = pairwise_distances(x, x, n_jobs=1)
        return np.partition(d, k, axis=-1)[:, k]

    r_real, r_fake = radii(real), radii(fake)
    d = pairwise_distances(real, fake, n_jobs=1)
    precision = (d < r_real[:, None]).any(axis=0).mean()
    recall = (d < r_fake[None, :]).any(axis=1).mean()
    density = (1 / k) * (d < r_real[:, None]).sum(axis=0).mean()
    coverage = (d.min(axis=1) < r_real).mean()
    return precision, recall, density, coverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="600 + 600 images, 40 permutations")
    parser.add_argument("--n", type=int, default=1800)
    parser.add_argument("--dim", type=int, default=4096)
    parser.add_argument("--permutations", type=int, default=200)
    parser.add_argument("--peer-permutations", type=int, default=20)
    parser.add_argument("--fd-dim", type=int, default=1024)
    parser.add_argument(
        "--vectors",
        help="a (2n, d) .npy of pooled features (e.g. pixels64 of phantom pullbacks written in "
        "pullback order): first n rows are 'real', the rest 'generated'",
    )
    parser.add_argument("--frames-per-group", type=int, default=100, help="with --vectors")
    args = parser.parse_args()
    if args.quick:
        args.n, args.permutations, args.peer_permutations, args.fd_dim = 600, 40, 5, 256

    from synthscope.realism import c2st, frechet_distance, kid, prdc, realism_report
    from synthscope.realism._geometry import reduce_dims

    if args.vectors:
        pooled = np.load(args.vectors).astype(np.float32)
        args.n, args.dim = pooled.shape[0] // 2, pooled.shape[1]
        real, fake = pooled[: args.n], pooled[args.n : 2 * args.n]
        groups = [str(i // args.frames_per_group) for i in range(2 * args.n)]
        print(f"data: {args.vectors}, groups of {args.frames_per_group} consecutive rows")
    else:
        real, fake, groups = make_data(args.n, args.dim, seed=0)
    cpus = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    print(f"{args.n} + {args.n} images x {args.dim} dims; {cpus} CPUs, load average {load:.1f}")
    report, total = timed(realism_report, real, fake, groups, n_permutations=args.permutations)
    print(f"\nwhole report: {total:.1f} s (target <= 60 s at 1,800 + 1,800 x 4,096)")
    for step, seconds in report.seconds.items():
        print(f"  {step:<13} {seconds:7.2f} s")
    print(f"  verdict: {report.verdict}")

    from threadpoolctl import threadpool_limits

    # Peers and ours on one BLAS thread each, so the ratios compare algorithms (multithreaded
    # LAPACK stalls on a busy machine and would flatter whoever avoids it).
    limit = threadpool_limits(limits=1)
    pooled = np.vstack([real, fake]).astype(np.float64)
    x, _ = reduce_dims(pooled, 50, 0)
    y = np.r_[np.ones(args.n), np.zeros(args.n)]
    rows = []
    p = args.peer_permutations
    _, ours = timed(c2st, x[: args.n], x[args.n :], groups, n_permutations=p, n_components=None)
    _, theirs = timed(peer_c2st, x, y, groups, p)
    rows.append((f"C2ST, {p} permutations", ours, theirs, "sklearn permutation_test_score"))
    a, b = real[:, : args.fd_dim].astype(np.float64), fake[:, : args.fd_dim].astype(np.float64)
    fd_ours, ours = timed(frechet_distance, a, b)
    fd_theirs, theirs = timed(peer_frechet, a, b)
    rows.append((f"Fréchet, {args.fd_dim} dims", ours, theirs, "scipy sqrtm (pytorch-fid)"))
    _, ours = timed(kid, real, fake)
    # The peer costs ~1 s per subset here: time 10 subsets and scale to 100.
    _, theirs = timed(peer_kid, real.astype(np.float64), fake.astype(np.float64), 10, 1000)
    rows.append(("KID, 100 x 1000", ours, theirs * 10, "per-subset kernels (clean-fid), 10 x 10"))
    _, ours = timed(prdc, real, fake)
    _, theirs = timed(peer_prdc, real, fake)
    rows.append(("PRDC", ours, theirs, "prdc package algorithm"))

    limit.unregister()
    print(f"\n{'piece':<26} {'ours s':>8} {'peer s':>8} {'ours/peer':>10}  peer")
    for name, ours, theirs, peer in rows:
        print(f"{name:<26} {ours:8.2f} {theirs:8.2f} {ours / theirs:10.2f}  {peer}")
    print(
        f"\nFréchet agreement: ours {fd_ours.distance:.6g}, sqrtm {fd_theirs:.6g} "
        f"(relative difference {abs(fd_ours.distance - fd_theirs) / abs(fd_theirs):.1e})"
    )


if __name__ == "__main__":
    main()
