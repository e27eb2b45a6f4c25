"""Does adding generated images help a downstream task? Train on real, real + generated, real +
curated, ... and test on held-out real groups.

Arrays in, results out (no workspace here; :mod:`synthscope.workspace` gathers the arrays)::

    from synthscope.utility import TrainConfig, UtilityData, standard_arms, utility_study
    data = UtilityData("segment", ("outside", "lumen", "plaque", "perivascular", "calcium"),
                       train_images, train_maps, test_images, test_maps, test_groups,
                       generated_images, generated_maps)
    result = utility_study(data, standard_arms(len(generated_images), curated=chosen),
                           config=TrainConfig(steps=300), repeats=3, seed=0)
    print(result.verdict); result.to_json("utility.json"); result.to_html("utility.html")
"""

from synthscope.utility._nets import SmallCNN, UNet
from synthscope.utility._result import ArmResult, Comparison, UtilityResult
from synthscope.utility._study import (
    ARM_KINDS,
    ArmSpec,
    UtilityData,
    standard_arms,
    utility_study,
)
from synthscope.utility._train import TASKS, TrainConfig, predict, resolve_device, training_loop

__all__ = [
    "ARM_KINDS",
    "ArmResult",
    "ArmSpec",
    "Comparison",
    "SmallCNN",
    "TASKS",
    "TrainConfig",
    "UNet",
    "UtilityData",
    "UtilityResult",
    "predict",
    "resolve_device",
    "standard_arms",
    "training_loop",
    "utility_study",
]
