"""What the demo makes at each size: the founding study's numbers, and a small version of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from synthscope._params import Options, check_value

__all__ = ["DEMO_SIZES", "DemoPlan", "demo_plan"]


@dataclass(frozen=True)
class DemoPlan:
    """Sizes and seeds of one demo run; every random step takes one of these seeds."""

    name: str
    n_real: int  # real frames with label maps (the phantom's pullbacks)
    n_heldout: int  # label maps from other pullbacks, from which frames are generated
    frame_size: int  # side of the real frames in pixels
    pullbacks: int  # pullbacks the real frames (and, separately, the held-out maps) span
    real_seed: int = 1
    heldout_seed: int = 2
    generate_seed: int = 0
    tsne_perplexity: float = 30.0
    tsne_iterations: int = 1000
    score_permutations: int = 200
    projection_seed: int = 0
    # The self-supervised encoder trained on the real frames (at the generator's size): a few
    # epochs make a space that holds the anatomy (docs/encoder.md), within the demo's budget.
    encoder_epochs: int = 8
    encoder_width: int = 8
    # The opt-in utility study: small U-Nets at equal steps, a few repeats, half the real
    # pullbacks held out for testing (a p-value needs test groups: see synthscope.utility).
    utility_steps: int = 150
    utility_repeats: int = 2
    utility_test_fraction: float = 0.5

    def as_dict(self) -> dict:
        return asdict(self)

    def steps_key(self) -> dict:
        """What every step's reuse key holds: the plan without the utility study's settings,
        which only the last step reads (changing them reruns that step alone)."""
        return {k: v for k, v in asdict(self).items() if not k.startswith("utility_")}

    def utility_settings(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k.startswith("utility_")}


DEMO_SIZES = {
    # Ready in well under three minutes on two cores; frames at the shipped generator's size.
    "small": DemoPlan("small", n_real=300, n_heldout=300, frame_size=64, pullbacks=12),
    # The founding study: 1,800 real 500x500 frames and 1,800 generated from other pullbacks.
    "paper": DemoPlan("paper", n_real=1800, n_heldout=1800, frame_size=500, pullbacks=18),
}


def demo_plan(size: str) -> DemoPlan:
    check_value("size", size, Options(*DEMO_SIZES))
    return DEMO_SIZES[size]
