"""Vectors go in and out through one accessor that knows how they were made."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from synthscope._files import atomic_file, staged_folder
from synthscope.errors import InvalidParameterError, UnknownFeatureError, WorkspaceError
from synthscope.features import PixelsExtractor
from synthscope.projection import ProjectionRequest
from synthscope.workspace import Workspace, embed, feature_is_current, ingest, project
from synthscope.workspace._vectors import VectorStore, array_digest


def test_provenance_is_stored_beside_the_vectors_and_describes_the_file(tmp_path):
    store = VectorStore(tmp_path / "vectors")
    array = np.arange(12, dtype=np.float32).reshape(4, 3)
    record = store.write("f", array, {"spec": "x"})
    assert record["vectors_sha1"] == array_digest(array) and record["spec"] == "x"
    assert store.provenance("f")["shape"] == [4, 3]
    assert store.digest("f", 4) == array_digest(array)
    assert store.digest("f", 2) == array_digest(array[:2])  # a prefix is hashed, not believed
    # A file replaced behind the store's back: the stored record no longer describes it.
    np.save(tmp_path / "vectors" / "f.npy", array * 2)
    os.utime(tmp_path / "vectors" / "f.npy", ns=(1, 1))
    assert store.provenance("f") is None
    assert store.digest("f", 4) == array_digest(array * 2)


def test_a_copied_store_keeps_its_provenance_and_a_changed_copy_loses_it(tmp_path):
    store = VectorStore(tmp_path / "vectors")
    array = np.arange(12, dtype=np.float32).reshape(4, 3)
    store.write("f", array, {"spec": "x"})
    # cp -r: the same bytes with a new modification time
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "vectors", copy, copy_function=shutil.copyfile)
    os.utime(copy / "f.npy", ns=(10**18, 10**18))
    copied = VectorStore(copy)
    assert copied.provenance("f")["spec"] == "x"
    recorded = json.loads((copy / "f.json").read_text())
    assert recorded["file_mtime_ns"] == 10**18  # believed once, then known by its time
    # the same size and a new time but other rows: not believed
    np.save(copy / "f.npy", array + 1)
    assert copied.provenance("f") is None


def test_a_read_only_copy_is_hashed_once_per_store(tmp_path, monkeypatch):
    from synthscope.workspace import _vectors

    store = VectorStore(tmp_path / "vectors")
    store.write("f", np.ones((5, 2), dtype=np.float32))
    os.utime(tmp_path / "vectors" / "f.npy", ns=(10**18, 10**18))  # copied: a new time

    def read_only(path, text):
        raise PermissionError(f"{path}: read-only file system")

    hashed = []
    digest = _vectors.array_digest
    monkeypatch.setattr(_vectors, "write_text_atomic", read_only)
    monkeypatch.setattr(_vectors, "array_digest", lambda array: hashed.append(1) or digest(array))
    copy = VectorStore(tmp_path / "vectors")
    assert copy.provenance("f") is not None and copy.provenance("f") is not None
    assert len(hashed) == 1  # the record could not take the new time; the store remembers


def test_bad_names_missing_and_stale_features_are_refused(tmp_path):
    store = VectorStore(tmp_path / "vectors")
    with pytest.raises(InvalidParameterError, match=r"feature '\.\./x' must hold only"):
        store.write("../x", np.zeros((2, 2)))
    with pytest.raises(UnknownFeatureError, match="no feature 'nope'"):
        store.read("nope", 2)
    store.write("short", np.zeros((2, 2)))
    with pytest.raises(WorkspaceError, match="covers 2 of 3 points"):
        store.read("short", 3)
    with pytest.raises(InvalidParameterError, match="must be 2-D"):
        store.write("flat", np.zeros(3))


def test_embed_reuses_only_while_the_extractor_is_the_same(tmp_path, image_folders):
    real, fake = image_folders(3, 3)
    ingest(tmp_path / "ws", [real], [fake])
    with Workspace.open(tmp_path / "ws") as ws:
        info = ws.feature_info("pixels64")
        assert info["spec"] == "pixels:64" and info["identity"]["kind"] == "pixels"
        assert feature_is_current(ws, PixelsExtractor(64))
        embed(ws, "pixels:8")
        stamp = ws.vectors_file("pixels8").stat().st_mtime_ns
        embed(ws, "pixels:8")
        assert ws.vectors_file("pixels8").stat().st_mtime_ns == stamp  # reused
        # A stored identity that differs (another extractor version made it): recomputed.
        meta = ws.vectors_file("pixels8").with_suffix(".json")
        record = json.loads(meta.read_text())
        record["identity"]["version"] = "0"
        meta.write_text(json.dumps(record))
        assert not feature_is_current(ws, PixelsExtractor(8))
        embed(ws, "pixels:8")
        assert ws.feature_info("pixels8")["identity"]["version"] == PixelsExtractor.version


def test_a_stored_projection_is_reused_only_for_the_same_vectors(tmp_path, image_folders):
    real, fake = image_folders(6, 6)
    ingest(tmp_path / "ws", [real], [fake])
    request = ProjectionRequest(method="pca", dims=2)
    with Workspace.open(tmp_path / "ws") as ws:
        first = project(ws, request)
        assert not first.reused and project(ws, request).reused
        ws.write_vectors("pixels64", np.asarray(ws.vectors("pixels64")) * 2)
        again = project(ws, request)
        assert again.id == first.id and not again.reused
        assert again.meta["vectors_sha1"] == ws.vectors_digest("pixels64")
        assert again.meta["summary"] == "PCA 2-D · pixels64"


def test_a_callback_that_says_stop_marks_the_projection_stopped(tmp_path, image_folders):
    real, fake = image_folders(8, 8)
    ingest(tmp_path / "ws", [real], [fake])
    request = ProjectionRequest(method="tsne", dims=2, perplexity=3, iterations=200)
    with Workspace.open(tmp_path / "ws") as ws:
        stored = project(ws, request, callback=lambda it, emb, kl: it >= 20)
        assert stored.meta["stopped"] and stored.meta["iterations"] == 20
        # A stopped result is never taken for the finished one.
        assert not project(ws, request).reused


def test_atomic_file_and_staged_folder_leave_nothing_on_failure(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["a.bin"]
    with atomic_file(target) as temporary:
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["a.bin"]

    out = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_folder(out) as staging:
        (staging / "x").write_text("half")
        raise RuntimeError
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["a.bin"]
    with staged_folder(out) as staging:
        (staging / "x").write_text("whole")
    assert (out / "x").read_text() == "whole"
    with pytest.raises(FileExistsError), staged_folder(out):
        pass
    with staged_folder(out, replace=True) as staging:
        (staging / "y").write_text("replaced")
    assert os.listdir(out) == ["y"] and sorted(os.listdir(tmp_path)) == ["a.bin", "out"]
