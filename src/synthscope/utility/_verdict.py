"""The plain-language verdict of a utility study: what adding generated images did, in words.

A change is called a rise or a fall only when its whole interval lies on one side of zero and
every repeat moved the same way (:attr:`Comparison.direction`); otherwise the sentence says the
metric did not change detectably, and gives the interval. With one repeat nothing is called a
change: one training cannot tell an effect from training randomness.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthscope.utility._result import ArmResult, Comparison

__all__ = ["write_verdict"]


def _interval(ci: tuple[float, float]) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]"


def _p(value: float) -> str:
    return "p n/a" if value != value else f"p = {value:.3g}"


def _direction(item: Comparison) -> str:
    return {1: "raised", -1: "lowered", 0: "did not detectably change"}[item.direction]


def _change(what: str, metric: str, base: ArmResult, arm: ArmResult, item: Comparison) -> str:
    verb = _direction(item)
    return (
        f"{what} {verb} {metric} from {base.mean:.3f} to {arm.mean:.3f} "
        f"(difference {item.difference:+.3f} {_interval(item.ci)}, {_p(item.p_value)})"
    )


def _against_chance(control: ArmResult, item: Comparison, metric: str, noun: str) -> str:
    verb = {1: "beat", -1: "did worse than", 0: "did not detectably beat"}[item.direction]
    return (
        f"{control.n_generated} random generated {noun} gave {control.mean:.3f}: this choice {verb} "
        f"chance ({metric} {item.difference:+.3f} {_interval(item.ci)}, {_p(item.p_value)})"
    )


def write_verdict(
    arms: Sequence[ArmResult],
    comparisons: Sequence[Comparison],
    metric: str,
    noun: str = "images",
) -> tuple[str, tuple[str, ...]]:
    """The verdict (one or two sentences) and one evidence line per other arm."""
    by_name = {arm.name: arm for arm in arms}
    pairs = {(c.arm, c.baseline): c for c in comparisons}
    real = by_name.get("real")
    lines: list[tuple[ArmResult, str]] = []
    for arm in arms:
        if arm.name == "real" or real is None:
            continue
        versus_real = pairs.get((arm.name, "real"))
        if versus_real is None:
            continue
        if arm.kind == "tstr":
            text = (
                f"Trained on the {arm.n_generated} generated {noun} alone (TSTR), {metric} on the "
                f"real test groups is {arm.mean:.3f} against {real.mean:.3f} for the "
                f"{real.n_train} real training {noun} (difference {versus_real.difference:+.3f} "
                f"{_interval(versus_real.ci)})"
            )
        else:
            what = {
                "generated": f"Adding all {arm.n_generated} generated {noun}",
                "curated": f"Adding the {arm.n_generated} curated generated {noun}",
                "top": f"Adding the {arm.n_generated} generated {noun} ranked best by {arm.score}",
                "random": f"Adding {arm.n_generated} generated {noun} drawn at random",
            }[arm.kind]
            if arm.description:
                what = arm.description
            text = _change(what, metric, real, arm, versus_real)
            control = by_name.get(arm.control) if arm.control else None
            versus_control = pairs.get((arm.name, arm.control)) if arm.control else None
            if control is not None and versus_control is not None:
                text += "; " + _against_chance(control, versus_control, metric, noun)
        lines.append((arm, text + "."))
    if real is None:
        return (f"No 'real' arm: nothing to compare {metric} against.", ())
    if not lines:
        return (f"{metric} of the real arm: {real.mean:.3f} {list(real.ci)}.", ())
    # The lead: the user's curation when there is one, else adding every generated image.
    kinds = [arm.kind for arm, _ in lines]
    lead = next((kinds.index(k) for k in ("curated", "generated") if k in kinds), 0)
    verdict = lines[lead][1]
    evidence = tuple(text for i, (_, text) in enumerate(lines) if i != lead)
    return verdict, evidence
