"""The workspace: the on-disk store a user opens (points, vectors, projections, thumbnails, edits),
and the orchestration that fills it (ingest, embed, project, score, export)."""

from synthscope.workspace._check import CheckReport, Finding, check_workspace
from synthscope.workspace._decode import Skipped
from synthscope.workspace._embed import (
    embed,
    extractor_provenance,
    feature_is_current,
    feature_name,
)
from synthscope.workspace._export import EXPORT_FORMATS, export, metadata_columns
from synthscope.workspace._import import ImportReport, import_projector_files, import_tf_projector
from synthscope.workspace._ingest import IngestReport, ingest
from synthscope.workspace._projections import (
    ComputeProjection,
    StoredProjection,
    project,
    reusable_projection,
)
from synthscope.workspace._score import (
    GROUP_SCOPES,
    SCORES,
    score_column,
    score_features,
    score_workspace,
)
from synthscope.workspace._select import Condition, parse_where, select_points
from synthscope.workspace._store import SOURCE_FOLDER, Workspace, frame_key, split_frame
from synthscope.workspace._thumbs import THUMB_SIZE, THUMBS_PER_ROW, THUMBS_PER_TILE
from synthscope.workspace._train_encoder import TRAIN_ON, train_encoder
from synthscope.workspace._utility import load_utility_result, utility_workspace

__all__ = [
    "CheckReport",
    "ComputeProjection",
    "Condition",
    "EXPORT_FORMATS",
    "Finding",
    "GROUP_SCOPES",
    "ImportReport",
    "IngestReport",
    "SCORES",
    "SOURCE_FOLDER",
    "Skipped",
    "StoredProjection",
    "THUMBS_PER_ROW",
    "THUMBS_PER_TILE",
    "THUMB_SIZE",
    "TRAIN_ON",
    "Workspace",
    "check_workspace",
    "embed",
    "export",
    "extractor_provenance",
    "feature_is_current",
    "feature_name",
    "frame_key",
    "import_projector_files",
    "import_tf_projector",
    "ingest",
    "load_utility_result",
    "metadata_columns",
    "parse_where",
    "project",
    "reusable_projection",
    "score_column",
    "score_features",
    "score_workspace",
    "select_points",
    "split_frame",
    "train_encoder",
    "utility_workspace",
]
