"""Write docs/features.md's power, calibration and ranking tables from the committed benchmark.

``python benchmarks/make_features_table.py [--result benchmarks/results/features.json]``

Everything between the two markers in docs/features.md is replaced by tables rendered from the
JSON that ``benchmarks/features.py`` wrote, followed by a paragraph from the JSON of
``features_null_pool.py`` when there is one (a test checks that the block is what this renders,
so no figure in it is typed by hand).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _blocks import replace_between

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "features.json"
POOL = ROOT / "benchmarks" / "results" / "features_null_pool.json"
DOC = ROOT / "docs" / "features.md"
START = "<!-- features-table:start (written by benchmarks/make_features_table.py) -->"
END = "<!-- features-table:end -->"
TESTS = ("1-NN", "C2ST", "MMD")


def _rates(per_test: dict) -> str:
    return " / ".join(f"{per_test[test]:.2f}" for test in TESTS)


def render(result: dict, pool: dict | None = None) -> str:
    """The markdown block: provenance, power, false-positive rate, resize cue, ranking, speed.

    ``pool`` is ``benchmarks/features_null_pool.py``'s result, rendered after the targets.
    """
    settings = result["settings"]
    machine = result["machine"]
    features = list(result["false_positive_rate"])
    n_sets = f"{settings['frames']} + {settings['frames']} frames"
    cached = result.get("read_from_cache", {})
    if any(cached.values()):  # a resumed run: its clock saw only the last sitting
        took = (
            f"resumed: {cached['draws']} of {settings['draws']} draws and "
            f"{cached['null_draws']} of {settings['null_draws']} null draws came from the cache"
        )
    else:
        took = f"{result['seconds'] / 60:.0f} min"
    lines = [
        f"From `benchmarks/results/features.json` ({result['date']}, commit {result['commit']}; "
        f"{machine['cpu']}, {machine['cores']} cores, load average "
        f"{machine['load_average_before']} before and {machine['load_average']} after; "
        f"{took}): {n_sets} at {settings['size']}×{settings['size']} "
        f"in {settings['pullbacks']} + {settings['pullbacks']} pullbacks, "
        f"{settings['permutations']} permutations moving whole pullbacks, α = {result['alpha']}; "
        f"power over {settings['draws']} draws, false-positive rate over "
        f"{settings['null_draws']} null draws, the resize cue over {settings['resize_draws']}, "
        f"ranking over {settings['ranking_draws']}.",
        "",
        "Power (share of draws rejecting; each cell 1-NN / C2ST / MMD):",
        "",
        "| knob | level | value | " + " | ".join(f"`{f}`" for f in features) + " |",
        "|---|---|---|" + "---|" * len(features),
    ]
    for case, per_feature in result["power"].items():
        knob, level = case.split("/")
        value = result["levels"][knob][level]
        cells = " | ".join(_rates(per_feature[f]) for f in features)
        lines.append(f"| {knob} | {level} | {value:g} | {cells} |")
    lines += [
        "",
        "Under the null (real against real from other pullbacks), and against the same generated "
        "frames after a resize round trip only (stored at 64 px, read back): rejection rates, "
        "1-NN / C2ST / MMD.",
        "",
        "| feature | false-positive rate | resize cue alone |",
        "|---|---|---|",
    ]
    for feature in features:
        fpr = _rates(result["false_positive_rate"][feature])
        cue = _rates(result["resize_cue_rejection_rate"][feature])
        lines.append(f"| `{feature}` | {fpr} | {cue} |")
    lines += [
        "",
        "Per-image ranking: AUROC of each score at ranking clean generated frames above shifted "
        "ones (half of each; `realism_c2st` / `realism_knn`).",
        "",
        "| knob | " + " | ".join(f"`{f}`" for f in features) + " |",
        "|---|" + "---|" * len(features),
    ]
    for knob, per_feature in result["ranking_auroc"].items():
        cells = " | ".join(
            f"{per_feature[f]['realism_c2st']:.2f} / {per_feature[f]['realism_knn']:.2f}"
            for f in features
        )
        lines.append(f"| {knob} | {cells} |")
    targets = result["targets"]
    met = [k for k, v in targets["per_knob"].items() if v["meets_targets"]]
    missed = [k for k, v in targets["per_knob"].items() if not v["meets_targets"]]
    speeds = ", ".join(f"`{f}` {v:g}" for f, v in result["images_per_second"].items())
    lines += [
        "",
        f"Targets: a built-in space with power ≥ 0.9 (C2ST or MMD) and ranking AUROC ≥ 0.9 at the "
        f"shifted value — met for {', '.join(met) or 'none'}"
        + (f"; missed for {', '.join(missed)}" if missed else "")
        + f". Worst false-positive rate {targets['worst_fpr']:.2f} "
        + f"({targets['worst_fpr_rejections']} of {settings['null_draws']} null draws, 95 % "
        + "interval {:.2f}–{:.2f}; target ≤ 0.07: ".format(*targets["worst_fpr_95ci"])
        + ("met" if targets["fpr_at_most_0.07"] else "missed")
        + f"). Images/s at {settings['size']} px during the run: {speeds}.",
    ]
    if pool is not None:
        lines += ["", render_pool(pool)]
    return "\n".join(lines)


def render_pool(pool: dict) -> str:
    """The null-pool study: each cell's rate over thousands of randomised draws, set effects."""
    settings = pool["settings"]
    exact = pool["exact_test_at_features_benchmark"]
    cells = "; ".join(
        f"`{feature}` " + " / ".join(f"{per_test[test]['rate']:.3f}" for test in TESTS)
        for feature, per_test in pool["false_positive_rate"].items()
    )
    effects = ", ".join(f"`{f}` {p:.2f}" for f, p in pool["set_effect_p"].items())
    worst = pool["targets"]
    side = settings["pullbacks"]
    return (
        f"The same tests over many more null draws (`benchmarks/results/features_null_pool.json`, "
        f"{pool['date']}, commit {pool['commit']}): the {pool['pool']['pullbacks']} pullbacks of "
        f"{pool['pool']['sets']} sets simulated as above (the sets of the first "
        f"{pool['pool']['sets'] // 2} null draws), each draw {side} + {side} of them split at "
        "random, "
        f"{settings['draws']} draws for 1-NN and MMD and {settings['c2st_draws']} for C2ST per "
        f"feature. A random split makes each draw an exact null, so these rates check the tests "
        f"themselves: 1-NN / C2ST / MMD {cells}; the worst is {worst['worst_fpr']:.3f} (95 % "
        "interval {:.3f}–{:.3f}; target ≤ 0.07: ".format(*worst["worst_fpr_95ci"])
        + ("met" if worst["fpr_at_most_0.07"] else "missed")
        + "). "
        + "Whether separately simulated sets differ as sets (the spread of set means against "
        f"random regroupings of their pullbacks, {settings['regroupings']} regroupings): p = "
        f"{effects}. A test rejecting at exactly {exact['level']:.4f} shows a rate above 0.07 "
        f"over {exact['draws']} draws with probability {exact['p_one_cell_above_target']:.3f} "
        f"per cell, and in at least one of {exact['cells']} independent cells with probability "
        f"{exact['p_any_cell_above_target_if_independent']:.2f}."
    )


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def replace_block(text: str, block: str) -> str:
    """``text`` with the block between this script's markers replaced by ``block``."""
    return replace_between(text, block, START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, default=RESULT)
    parser.add_argument("--pool", type=Path, default=POOL)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args()
    block = render(load(args.result), load(args.pool) if args.pool.is_file() else None)
    args.doc.write_text(replace_block(args.doc.read_text(encoding="utf-8"), block), "utf-8")
    print(f"rewrote the tables of {args.doc} from {args.result}")


if __name__ == "__main__":
    main()
