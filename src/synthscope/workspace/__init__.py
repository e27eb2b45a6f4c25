"""The workspace: the on-disk store a user opens (points, vectors, projections, thumbnails, edits)."""

from synthscope.workspace._decode import Skipped
from synthscope.workspace._embed import FEATURE_SPECS, embed, feature_name
from synthscope.workspace._export import EXPORT_FORMATS, export, metadata_columns
from synthscope.workspace._import import import_tf_projector
from synthscope.workspace._ingest import IngestReport, ingest
from synthscope.workspace._projections import (
    METHODS,
    project,
    projection_meta,
    projection_request,
    run_projection,
    vectors_digest,
)
from synthscope.workspace._select import Condition, parse_where, select_points
from synthscope.workspace._store import Workspace, split_frame
from synthscope.workspace._thumbs import THUMB_SIZE, THUMBS_PER_ROW, THUMBS_PER_TILE
from synthscope.workspace._utility import load_utility_result, utility_workspace

__all__ = [
    "EXPORT_FORMATS",
    "FEATURE_SPECS",
    "METHODS",
    "THUMBS_PER_ROW",
    "THUMBS_PER_TILE",
    "THUMB_SIZE",
    "Condition",
    "IngestReport",
    "Skipped",
    "Workspace",
    "embed",
    "export",
    "feature_name",
    "import_tf_projector",
    "ingest",
    "load_utility_result",
    "metadata_columns",
    "parse_where",
    "project",
    "projection_meta",
    "projection_request",
    "run_projection",
    "select_points",
    "split_frame",
    "utility_workspace",
    "vectors_digest",
]
