from __future__ import annotations

import numpy as np
import pytest

from synthscope.errors import TableError
from synthscope.io import read_metadata_tsv, read_tensors_tsv, write_metadata_tsv, write_tensors_tsv


def test_tensors_round_trip_float32_exactly(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((5, 7)).astype(np.float32)
    vectors[0] = np.arange(7) / np.float32(255)
    write_tensors_tsv(tmp_path / "t.tsv", vectors)
    read, labels = read_tensors_tsv(tmp_path / "t.tsv")
    assert labels is None
    np.testing.assert_array_equal(read, vectors)


def test_tensors_with_a_label_first_field(tmp_path):
    (tmp_path / "t.tsv").write_text("cat\t1\t2\ndog\t3\t4\n")
    vectors, labels = read_tensors_tsv(tmp_path / "t.tsv")
    assert labels == ["cat", "dog"]
    np.testing.assert_array_equal(vectors, [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\t2\t3\n4\t5\n", r"t\.tsv, row 2: has 2 fields where row 1 has 3"),
        ("1\t2\n3\tabc\n", r"t\.tsv, row 2: value 'abc' is not a number"),
        ("1\t2\nnan\t4\n", r"t\.tsv, row 2: holds NaN or infinite values"),
        ("", r"t\.tsv: has no rows"),
        ("1\n2\n", r"t\.tsv, row 1: vectors must have at least 2 values"),
    ],
)
def test_bad_tensor_files(tmp_path, text, message):
    (tmp_path / "t.tsv").write_text(text)
    with pytest.raises(TableError, match=message):
        read_tensors_tsv(tmp_path / "t.tsv")


def test_metadata_header_rule(tmp_path):
    (tmp_path / "one.tsv").write_text("real\nfake\n\n")
    assert read_metadata_tsv(tmp_path / "one.tsv", n_rows=2) == (["label"], [["real"], ["fake"]])
    (tmp_path / "many.tsv").write_text("label\tgroup\nreal\t\nfake\tpb1\n")
    columns, rows = read_metadata_tsv(tmp_path / "many.tsv", n_rows=2)
    assert columns == ["label", "group"] and rows == [["real", None], ["fake", "pb1"]]


@pytest.mark.parametrize(
    ("text", "n", "message"),
    [
        ("label\nreal\nfake\n", 2, "single-column metadata should not have a header row"),
        ("real\tpb1\nfake\tpb2\n", 2, "multi-column metadata needs a header row"),
        ("real\nfake\nreal\n", 5, "has 3 data rows but there are 5 vectors"),
        ("a\tb\n1\t2\n3\n", 2, r"row 3: has 1 fields where the header has 2"),
    ],
)
def test_bad_metadata(tmp_path, text, n, message):
    (tmp_path / "m.tsv").write_text(text)
    with pytest.raises(TableError, match=message):
        read_metadata_tsv(tmp_path / "m.tsv", n_rows=n)


def test_metadata_writer_follows_the_header_rule_and_reads_back(tmp_path):
    write_metadata_tsv(tmp_path / "one.tsv", ["label"], [["real"], ["fake"]])
    assert (tmp_path / "one.tsv").read_text() == "real\nfake\n"
    rows = [["real", 0.5, None], ["fa\tke", float("nan"), 3.0]]
    write_metadata_tsv(tmp_path / "m.tsv", ["label", "score", "n"], rows)
    assert read_metadata_tsv(tmp_path / "m.tsv") == (
        ["label", "score", "n"],
        [["real", "0.5", None], ["fa ke", None, "3"]],
    )
