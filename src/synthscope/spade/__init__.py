"""SPADE (Park et al., CVPR 2019) for label-map-to-image synthesis, written from the paper.

Train on paired images and integer label maps, resume exactly, generate from label maps alone
and read pooled discriminator activations as features::

    from synthscope.spade import SpadeConfig, training_loop, generate_images
    training_loop("phantom/", "run/", SpadeConfig(size=64, ngf=16, epochs=5))
    generate_images("run/", "new_labels/", "generated/", seed=0)
"""

from synthscope.spade._blocks import SPADEResBlock
from synthscope.spade._checkpoint import checkpoint_path, list_checkpoints, load_checkpoint
from synthscope.spade._config import SpadeConfig, load_config, resumed_config
from synthscope.spade._data import PairedData, load_paired, read_label_map
from synthscope.spade._discriminator import MultiscaleDiscriminator, PatchDiscriminator
from synthscope.spade._encoder import ConvEncoder
from synthscope.spade._features import discriminator_features
from synthscope.spade._generate import GenerateResult, generate_images
from synthscope.spade._generator import SPADEGenerator
from synthscope.spade._model import SpadeModel, TrainedSpade, load_trained
from synthscope.spade._norm import SPADENorm
from synthscope.spade._slim import slim_run
from synthscope.spade._train import TrainResult, TrainStatus, training_loop

__all__ = [
    "ConvEncoder",
    "GenerateResult",
    "MultiscaleDiscriminator",
    "PairedData",
    "PatchDiscriminator",
    "SPADEGenerator",
    "SPADENorm",
    "SPADEResBlock",
    "SpadeConfig",
    "SpadeModel",
    "TrainResult",
    "TrainStatus",
    "TrainedSpade",
    "checkpoint_path",
    "discriminator_features",
    "generate_images",
    "list_checkpoints",
    "load_checkpoint",
    "load_config",
    "load_paired",
    "load_trained",
    "read_label_map",
    "resumed_config",
    "slim_run",
    "training_loop",
]
