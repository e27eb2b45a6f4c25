"""Reading and writing the files synthscope meets: images, DICOM, TSV tables, Projector bundles."""

from synthscope.io._atlas import AtlasLayout, atlas_tile, encode_png, pack_grid
from synthscope.io._images import (
    DEFAULT_MAX_PIXELS,
    Frame,
    ImageFile,
    is_dicom,
    read_frames,
    read_grayscale,
    read_image_file,
    read_label_map,
)
from synthscope.io._properties import PROPERTY_COLUMNS, native_properties
from synthscope.io._resize import RESIZE_METHOD, resize_image, resize_labels
from synthscope.io._scan import ImageEntry, iter_folder, scan_folder
from synthscope.io._tf_projector import (
    CONFIG_NAME,
    MAX_SPRITE_PX,
    EmbeddingConfig,
    read_projector_config,
    sprite_tile_size,
    write_projector_config,
    write_sprite,
)
from synthscope.io._tsv import (
    iter_sidecar_table,
    read_metadata_tsv,
    read_sidecar_table,
    read_tensors_tsv,
    write_metadata_tsv,
    write_tensors_tsv,
)

__all__ = [
    "AtlasLayout",
    "CONFIG_NAME",
    "DEFAULT_MAX_PIXELS",
    "EmbeddingConfig",
    "Frame",
    "ImageEntry",
    "ImageFile",
    "MAX_SPRITE_PX",
    "PROPERTY_COLUMNS",
    "RESIZE_METHOD",
    "atlas_tile",
    "encode_png",
    "is_dicom",
    "iter_folder",
    "iter_sidecar_table",
    "native_properties",
    "pack_grid",
    "read_frames",
    "read_grayscale",
    "read_image_file",
    "read_label_map",
    "read_metadata_tsv",
    "read_projector_config",
    "read_sidecar_table",
    "read_tensors_tsv",
    "resize_image",
    "resize_labels",
    "scan_folder",
    "sprite_tile_size",
    "write_metadata_tsv",
    "write_projector_config",
    "write_sprite",
    "write_tensors_tsv",
]
