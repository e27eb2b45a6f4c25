"""The workspace: the on-disk store a user opens (points, vectors, projections, thumbnails, edits),
and the orchestration that fills it (ingest, embed, project, score, export).

Names are imported on first use (PEP 562): a Dask worker that unpickles an ingest or embed task
imports only the modules that task needs, not torch, scipy.stats and the projection kernels
(15 s on a busy two-core machine).
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> the private module that defines it
_EXPORTS = {
    "CheckReport": "_check",
    "ComputeProjection": "_projections",
    "Condition": "_select",
    "EXPORT_FORMATS": "_export",
    "Executor": "_cluster",
    "Finding": "_check",
    "GROUP_SCOPES": "_score",
    "ImportReport": "_import",
    "IngestReport": "_ingest",
    "SCORES": "_score",
    "SOURCE_FOLDER": "_store",
    "Skipped": "_decode",
    "StoredProjection": "_projections",
    "THUMBS_PER_ROW": "_thumbs",
    "THUMBS_PER_TILE": "_thumbs",
    "THUMB_SIZE": "_thumbs",
    "TRAIN_ON": "_train_encoder",
    "Workspace": "_store",
    "check_workspace": "_check",
    "embed": "_embed",
    "export": "_export",
    "extractor_provenance": "_embed",
    "feature_is_current": "_embed",
    "feature_name": "_embed",
    "frame_key": "_store",
    "import_projector_files": "_import",
    "import_tf_projector": "_import",
    "ingest": "_ingest",
    "load_utility_result": "_utility",
    "metadata_columns": "_export",
    "open_executor": "_cluster",
    "parse_where": "_select",
    "project": "_projections",
    "resolve_cluster": "_cluster",
    "reusable_projection": "_projections",
    "score_column": "_score",
    "score_features": "_score",
    "score_workspace": "_score",
    "select_points": "_select",
    "split_frame": "_store",
    "train_encoder": "_train_encoder",
    "utility_workspace": "_utility",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
