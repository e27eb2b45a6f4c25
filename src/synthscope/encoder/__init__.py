"""A self-supervised encoder trained on the user's own real images (VICReg, geometric views).

Train once on real frames, then encode any image as a float32 vector::

    from synthscope.encoder import EncoderConfig, encode, load_encoder, training_loop
    training_loop(real_images, "run/", EncoderConfig(size=128, epochs=30))
    vectors = encode(load_encoder("run/"), images)        # (n, 15 * width) float32

Modules: ``_config`` (the options and their constraint table), ``_data`` (the resize, data
order), ``_augment`` (geometric views only), ``_network`` (a small ResNet), ``_objective``
(VICReg, SimCLR), ``_run`` (the run folder and checkpoints), ``_train`` (the training loop),
``_load`` (loading and encoding). ``docs/encoder.md`` says why each choice was made.
"""

from synthscope.encoder._augment import augment, sample_affine, warp
from synthscope.encoder._config import CONSTRAINTS, METHODS, RESUMABLE, EncoderConfig
from synthscope.encoder._data import RESIZE_METHOD, PreparedImages, prepare_images, resize_image
from synthscope.encoder._load import TrainedEncoder, encode, load_encoder
from synthscope.encoder._network import Encoder
from synthscope.encoder._objective import OBJECTIVES, simclr_loss, vicreg_loss
from synthscope.encoder._run import (
    checkpoint_path,
    list_checkpoints,
    load_checkpoint,
    read_options,
    resumed_config,
)
from synthscope.encoder._train import (
    MIN_IMAGES,
    RECOMMENDED_IMAGES,
    TrainResult,
    TrainStatus,
    build_encoder,
    too_few_images,
    training_loop,
)

__all__ = [
    "CONSTRAINTS",
    "Encoder",
    "EncoderConfig",
    "METHODS",
    "MIN_IMAGES",
    "OBJECTIVES",
    "PreparedImages",
    "RECOMMENDED_IMAGES",
    "RESIZE_METHOD",
    "RESUMABLE",
    "TrainResult",
    "TrainStatus",
    "TrainedEncoder",
    "augment",
    "build_encoder",
    "checkpoint_path",
    "encode",
    "list_checkpoints",
    "load_checkpoint",
    "load_encoder",
    "prepare_images",
    "read_options",
    "resize_image",
    "resumed_config",
    "sample_affine",
    "simclr_loss",
    "too_few_images",
    "training_loop",
    "vicreg_loss",
    "warp",
]
