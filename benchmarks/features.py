"""Which feature space sees what an ultrasound generator gets wrong: power, calibration, ranking.

    python benchmarks/features.py [--quick] [--draws 50] [--null-draws 200] [--ssl RUN]

On the phantom's shift knobs (``synthscope.phantom.SHIFT_KNOBS``: speckle size, dynamic range,
gain, blur, noise, attenuation, frequency, blood echo, ring-down), each at its shifted value and
at half of it: 300 real frames (12 pullbacks of 25) against 300 generated frames (12 other
pullbacks) whose only difference is the knob, at 256 x 256, in every feature space, with the three
two-sample tests of ``synthscope.realism`` (1-NN, C2ST, MMD; 100 permutations that move whole
pullbacks; α = 0.05). Group names are scoped to their set, as a workspace does.

* power: the share of draws (fresh pullbacks each) in which each test rejects, per feature, knob
  and level;
* false-positive rate: the same with an unshifted generated set, over ``--null-draws`` draws
  (200: a test holding α exactly still shows a rate above 0.07 in 13 % of runs of 100 draws and
  8 % of runs of 200, and the table holds a dozen such rates; each is reported with its 95 %
  interval, and ``features_null_pool.py`` measures them over thousands of draws);
* resize cue: the same null, but the generated frames went through a resize round trip
  (256 -> 64 -> stored at 64), the way a generator working at 64 px would store them: how
  strongly each test and feature reacts to the cue alone;
* per-image ranking: a generated set of which half the pullbacks carry the shift; the AUROC of
  each feature's per-image realism scores (``realism_c2st``, the grouped classifier's
  out-of-fold probability, and ``realism_knn``, the share of real images among the 10 nearest
  from other pullbacks) at ranking the clean frames above the shifted ones;
* speed of each extractor in images/s on one set.

Features are computed as ``synthscope embed`` computes them (the registry's extractors, texture
standardised with pooled statistics). Every draw's result is cached under
``benchmarks/results/cache/features/``, so an interrupted run resumes (and another process may
compute some of the draws: they land in the same files). The table is written to
``benchmarks/results/features.json`` with the machine and its load, and how many draws this
process read from the cache rather than computed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import RESULTS, machine, write_result

CACHE = RESULTS / "cache" / "features"
TESTS = ("1-NN", "C2ST", "MMD")
ALPHA = 0.05
REAL_SEED, FAKE_SEED, NULL_REAL_SEED, NULL_FAKE_SEED = 1_000, 500_000, 2_000, 600_000
RANK_SEED = 700_000
NULL_DRAWS = 200  # see the module's notes; features_null_pool.py reads it too


def levels() -> dict[str, dict[str, float]]:
    """Each knob's shifted value and half of it (halfway from its default)."""
    from synthscope.phantom import SHIFT_KNOBS, PhantomParams

    default = PhantomParams()
    out = {}
    for knob, value in SHIFT_KNOBS.items():
        base = float(getattr(default, knob))
        out[knob] = {"shifted": float(value), "half": base + (float(value) - base) / 2.0}
    return out


def simulate(args, seed: int, shift: dict | None = None, frames: int | None = None):
    from synthscope.phantom import PhantomParams, simulate

    params = PhantomParams().shifted(**shift) if shift else PhantomParams()
    n = frames or args.frames
    pullbacks = max(1, round(args.pullbacks * n / args.frames))
    return simulate(n, size=args.size, seed=seed, pullbacks=pullbacks, params=params)


def groups_of(frames, tag: str) -> list[tuple[str, str]]:
    return [(tag, record.stem.split("_")[0]) for record in frames.records]


def embed_all(extractors, images, labels) -> dict[str, np.ndarray]:
    return {
        name: np.asarray(e.transform(list(images), list(labels)), dtype=np.float64)
        for name, e in extractors.items()
    }


def prepare(vectors: np.ndarray, n_real: int, extractor) -> tuple[np.ndarray, np.ndarray]:
    from synthscope.features import standardize

    if extractor.standardize:  # pooled, label-free: as `synthscope score` does
        vectors = standardize(vectors).astype(np.float64)
    return vectors[:n_real], vectors[n_real:]


def test_all(real, fake, groups, permutations: int, seed: int) -> dict[str, float]:
    from synthscope.realism import c2st, mmd_test, one_nn_test

    common = {"n_permutations": permutations, "seed": seed}
    return {
        "1-NN": one_nn_test(real, fake, groups, **common).p_value,
        "C2ST": c2st(real, fake, groups, **common).p_value,
        "MMD": mmd_test(real, fake, groups, **common).p_value,
    }


def compare(extractors, real_vectors, fake_vectors, groups, args, seed) -> dict:
    out = {}
    for name, extractor in extractors.items():
        pooled = np.concatenate([real_vectors[name], fake_vectors[name]])
        real, fake = prepare(pooled, len(real_vectors[name]), extractor)
        out[name] = test_all(real, fake, groups, args.permutations, seed)
    return out


def resized_round_trip(images: np.ndarray, small: int = 64) -> list[np.ndarray]:
    from PIL import Image

    return [
        np.asarray(Image.fromarray(image).resize((small, small), Image.LANCZOS)) for image in images
    ]


def cached(args, kind: str, d: int) -> Path:
    """Where draw ``d`` of ``kind`` (``draw`` or ``null``) is kept once computed."""
    return CACHE / f"{args.tag}-{kind}{d:03d}.json"


def run_draw(d: int, args, extractors) -> dict:
    """Every knob and level against one real set (and, for the first draws, the ranking)."""
    path = cached(args, "draw", d)
    if path.is_file():
        return json.loads(path.read_text())
    real = simulate(args, REAL_SEED + d)
    real_vectors = embed_all(extractors, real.images, real.labels)
    result: dict = {"power": {}, "ranking": {}}
    for knob, values in levels().items():
        for level, value in values.items():
            fake = simulate(args, FAKE_SEED + d, {knob: value})
            fake_vectors = embed_all(extractors, fake.images, fake.labels)
            groups = groups_of(real, "real") + groups_of(fake, "fake")
            result["power"][f"{knob}/{level}"] = compare(
                extractors, real_vectors, fake_vectors, groups, args, seed=d
            )
        if d < args.ranking_draws:
            result["ranking"][knob] = rank_draw(
                d, knob, values["shifted"], real, real_vectors, args, extractors
            )
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))
    return result


def rank_draw(d, knob, value, real, real_vectors, args, extractors) -> dict[str, float]:
    """AUROC of the per-image realism score at ranking clean generated frames above shifted."""
    from synthscope.realism import realism_scores

    half = args.frames // 2
    clean = simulate(args, RANK_SEED + d, frames=half)
    shifted = simulate(args, RANK_SEED + 50_000 + d, {knob: value}, frames=half)
    images = np.concatenate([clean.images, shifted.images])
    labels = np.concatenate([clean.labels, shifted.labels])
    fake_vectors = embed_all(extractors, images, labels)
    groups = groups_of(real, "real") + groups_of(clean, "clean") + groups_of(shifted, "shifted")
    is_clean = np.r_[np.ones(half, bool), np.zeros(half, bool)]
    out = {}
    for name, extractor in extractors.items():
        pooled = np.concatenate([real_vectors[name], fake_vectors[name]])
        r, f = prepare(pooled, len(real_vectors[name]), extractor)
        scores = realism_scores(r, f, groups, seed=d)
        out[name] = {
            "realism_c2st": auroc(scores.c2st_probability, is_clean),
            "realism_knn": auroc(scores.knn_real_share, is_clean),
        }
    return out


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def run_null(d: int, args, extractors) -> dict:
    """One unshifted draw, and the same generated frames after a 64-px resize round trip."""
    path = cached(args, "null", d)
    if path.is_file():
        return json.loads(path.read_text())
    real = simulate(args, NULL_REAL_SEED + d)
    fake = simulate(args, NULL_FAKE_SEED + d)
    real_vectors = embed_all(extractors, real.images, real.labels)
    fake_vectors = embed_all(extractors, fake.images, fake.labels)
    groups = groups_of(real, "real") + groups_of(fake, "fake")
    result = {"null": compare(extractors, real_vectors, fake_vectors, groups, args, seed=d)}
    if d < args.resize_draws:
        small = resized_round_trip(fake.images)
        labels = resized_round_trip(fake.labels)  # nearest would do; labels only steer the FOV
        resized_vectors = {
            name: np.asarray(e.transform(small, labels), dtype=np.float64)
            for name, e in extractors.items()
        }
        result["resize"] = compare(extractors, real_vectors, resized_vectors, groups, args, seed=d)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))
    return result


def speeds(args, extractors) -> dict[str, float]:
    frames = simulate(args, 99, frames=min(args.frames, 200))
    out = {}
    for name, extractor in extractors.items():
        extractor.transform(list(frames.images[:4]), list(frames.labels[:4]))  # compile, load
        start = time.perf_counter()
        extractor.transform(list(frames.images), list(frames.labels))
        out[name] = round(len(frames.images) / (time.perf_counter() - start), 1)
    return out


def rates(results: list[dict], key: str) -> dict:
    """Share of draws rejecting at α, nested as the per-draw dicts are."""
    out: dict = {}
    for result in results:
        for case, per_feature in result.get(key, {}).items():
            target = out.setdefault(case, {})
            for feature, tests in per_feature.items():
                for test, p in tests.items():
                    target.setdefault(feature, {}).setdefault(test, []).append(p <= ALPHA)
    return {
        case: {
            f: {t: round(float(np.mean(v)), 3) for t, v in tests.items()} for f, tests in fs.items()
        }
        for case, fs in out.items()
    }


def flat_rates(results: list[dict], key: str) -> dict:
    wrapped = [{key: {"all": r[key]}} for r in results if key in r]
    return rates(wrapped, key).get("all", {})


def build_extractors(features: str, ssl: str | None) -> dict:
    """The extractors named by ``--features`` (comma-separated specs) and ``--ssl``, loaded."""
    from synthscope.features import parse_spec

    specs = features.split(",") + ([f"ssl:{ssl}"] if ssl else [])
    extractors = {}
    for spec in specs:
        extractor = parse_spec(spec)
        extractor.prepare()
        extractors[extractor.name] = extractor
    return extractors


def add_simulation_arguments(parser: argparse.ArgumentParser) -> None:
    """The sets simulated and the extractors: one definition, since features_null_pool.py must
    simulate exactly the sets this benchmark's null draws use."""
    parser.add_argument("--frames", type=int, default=300, help="per set")
    parser.add_argument("--pullbacks", type=int, default=12, help="per set")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--permutations", type=int, default=100)
    parser.add_argument("--features", default="pixels:64,texture,random-cnn")
    parser.add_argument(
        "--ssl", help="a train-encoder run, RUN or RUN@SIZE (images resized to SIZE): adds its row"
    )


def quick_simulation(args: argparse.Namespace) -> None:
    """``--quick``'s small sets, the same in both benchmarks."""
    args.frames, args.pullbacks, args.size, args.permutations = 60, 6, 128, 40


def main() -> None:
    from scipy.stats import binomtest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--null-draws", type=int, default=NULL_DRAWS)
    parser.add_argument("--resize-draws", type=int, default=40)
    parser.add_argument("--ranking-draws", type=int, default=10)
    add_simulation_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="2 draws, 4 null draws, 60 frames")
    args = parser.parse_args()
    if args.quick:
        args.draws, args.null_draws, args.resize_draws, args.ranking_draws = 2, 4, 2, 1
        quick_simulation(args)
    args.tag = f"f{args.frames}-s{args.size}-p{args.permutations}"

    extractors = build_extractors(args.features, args.ssl)
    started = machine()
    print(f"features {list(extractors)}; {started}", flush=True)
    clock = time.perf_counter()
    from_cache = {
        "draws": sum(cached(args, "draw", d).is_file() for d in range(args.draws)),
        "null_draws": sum(cached(args, "null", d).is_file() for d in range(args.null_draws)),
    }
    draws = []
    for d in range(args.draws):
        draws.append(run_draw(d, args, extractors))
        print(f"draw {d + 1}/{args.draws}: {time.perf_counter() - clock:.0f} s", flush=True)
    nulls = []
    for d in range(args.null_draws):
        nulls.append(run_null(d, args, extractors))
        print(
            f"null draw {d + 1}/{args.null_draws}: {time.perf_counter() - clock:.0f} s", flush=True
        )
    power = rates(draws, "power")
    collected: dict = {}
    for result in draws:
        for knob, per_feature in result["ranking"].items():
            for feature, per_score in per_feature.items():
                for score, value in per_score.items():
                    collected.setdefault(knob, {}).setdefault(feature, {}).setdefault(score, [])
                    collected[knob][feature][score].append(value)
    ranking = {
        k: {f: {s: round(float(np.mean(v)), 3) for s, v in ss.items()} for f, ss in fs.items()}
        for k, fs in collected.items()
    }
    fpr = flat_rates(nulls, "null")
    resize = flat_rates(nulls, "resize")
    builtin = [n for n in extractors if not n.startswith(("ssl.", "onnx.", "torchscript."))]
    verdicts = {}
    for knob in levels():
        shifted = power[f"{knob}/shifted"]
        best = max(max(shifted[f]["C2ST"], shifted[f]["MMD"]) for f in builtin)
        best_rank = max(
            max(ranking.get(knob, {}).get(f, {}).values(), default=0.0) for f in builtin
        )
        verdicts[knob] = {"best_power_c2st_or_mmd": best, "best_ranking_auroc": best_rank,
                          "meets_targets": best >= 0.9 and best_rank >= 0.9}  # fmt: skip
    rejections = max(
        sum(result["null"][feature][test] <= ALPHA for result in nulls)
        for feature in extractors
        for test in TESTS
    )
    worst_fpr = round(rejections / args.null_draws, 3)
    interval = binomtest(rejections, args.null_draws).proportion_ci(confidence_level=0.95)
    payload = {
        "settings": {k: v for k, v in vars(args).items() if k != "quick"},
        "alpha": ALPHA,
        "levels": levels(),
        "power": power,
        "false_positive_rate": fpr,
        "resize_cue_rejection_rate": resize,
        "ranking_auroc": ranking,
        "images_per_second": speeds(args, extractors),
        "targets": {
            "per_knob": verdicts,
            "worst_fpr": worst_fpr,
            "worst_fpr_rejections": rejections,
            "worst_fpr_95ci": [round(interval.low, 3), round(interval.high, 3)],
            "fpr_at_most_0.07": worst_fpr <= 0.07,
        },
        "seconds": round(time.perf_counter() - clock, 1),
        "read_from_cache": from_cache,
    }
    name = "features-quick" if args.quick else "features"
    print(json.dumps(payload["targets"], indent=1))
    print(f"wrote {write_result(name, payload, started=started)}")


if __name__ == "__main__":
    main()
