"""The server package's public names (the httpx pattern: a curated, sorted ``__all__``)."""

from __future__ import annotations

import synthscope.server as server


def test_all_is_sorted_and_complete():
    public = sorted(name for name in vars(server) if not name.startswith("_"))
    public = [name for name in public if not isinstance(getattr(server, name), type(server))]
    assert server.__all__ == sorted(server.__all__)
    assert server.__all__ == public


def test_operation_ids_are_stable_tag_name_pairs(ws_path):
    from synthscope.server import Settings, create_app

    schema = create_app(Settings(workspace=ws_path)).openapi()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"dataset-read_dataset", "labels-relabel", "projections-create_projection"} <= ids
