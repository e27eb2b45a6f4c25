"""Bounded work per request, NaN refused, and one error shape (issue 16, part 2)."""

from __future__ import annotations

import os
import time
import tracemalloc

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from synthscope.errors import InvalidParameterError
from synthscope.server import Settings, create_app
from synthscope.server.routes._common import parse_ids


def assert_shape(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"detail", "error", "parameter"}
    assert isinstance(body["detail"], str) and "\n" not in body["detail"] and body["error"]
    return body


def test_a_huge_range_is_refused_before_it_is_built(client):
    started = time.perf_counter()
    body = assert_shape(client.get("/api/selection.tsv", params={"ids": "0-100000000"}), 422)
    assert time.perf_counter() - started < 1.0
    assert body["parameter"] == "ids" and "0..11" in body["detail"]
    tracemalloc.start()
    with pytest.raises(InvalidParameterError):
        parse_ids("0-100000000", 12)
    with pytest.raises(InvalidParameterError):
        parse_ids(",".join(["0-11"] * 20000) + ",12", 12)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 2**20


@pytest.mark.parametrize(
    ("ids", "words"),
    [
        ("9-1", "backwards"),
        ("1,x", "integers"),
        ("40", "0..11"),
        ("-3", "integers"),
        ("3-", "ranges"),
    ],
)
def test_bad_id_texts_are_422_naming_ids(client, ids, words):
    body = assert_shape(client.get("/api/selection.tsv", params={"ids": ids}), 422)
    assert body["parameter"] == "ids" and words in body["detail"]


def reference_ids(text: str, n: int) -> list[int] | None:
    """What ``ids`` text means, written out plainly (None: it must be refused)."""
    chosen: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        pieces = [piece.strip() for piece in part.split("-")]
        if not all(piece.isascii() and piece.isdigit() and len(piece) <= 18 for piece in pieces):
            return None
        if len(pieces) not in (1, 2):
            return None
        low, high = int(pieces[0]), int(pieces[-1])
        if high < low or high >= n:
            return None
        chosen.update(range(low, high + 1))
    return sorted(chosen)


_PIECE = st.one_of(
    st.integers(0, 25).map(str),
    st.tuples(st.integers(0, 25), st.integers(0, 25)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.sampled_from(["", " ", "-", "1-", "-1", "1--2", "+3", "1_0", "\u0663", "3 - 5", "9" * 30]),
    st.text(max_size=4),
)


@settings(max_examples=int(os.environ.get("SYNTHSCOPE_FUZZ_EXAMPLES", "300")), deadline=None)
@given(pieces=st.lists(_PIECE, max_size=8), n=st.integers(0, 20))
def test_parse_ids_means_what_it_says_or_refuses(pieces, n):
    text = ",".join(pieces)
    expected = reference_ids(text, n)
    try:
        got = parse_ids(text, n)
    except InvalidParameterError as error:
        assert expected is None, (text, str(error))
        assert error.parameter == "ids" and "\n" not in str(error)
        return
    assert got == expected, text


def test_ids_come_back_sorted_once_each(client):
    rows = client.get("/api/selection.tsv", params={"ids": "8,2,7-8,2"}).text.splitlines()
    assert [row.split("\t")[0] for row in rows[1:]] == ["2", "7", "8"]
    posted = client.post("/api/selection.tsv", json={"ids": [8, 2, 7, 8]}).text.splitlines()
    assert posted == rows
    assert_shape(client.post("/api/selection.tsv", json={"ids": [1, 12]}), 422)
    # Found by fuzzing: an id beyond int64 crashed the check (a 500).
    assert_shape(client.post("/api/selection.tsv", json={"ids": [2**63]}), 422)
    assert_shape(client.post("/api/labels", json={"ids": [2**63], "value": "x"}), 422)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/labels", '{"ids": [1], "column": "score", "value": NaN}'),
        ("/api/labels", '{"ids": [1], "column": "score", "value": 1e400}'),
        ("/api/labels", '{"ids": [1], "column": "score", "value": -Infinity}'),
        ("/api/labels", '{"ids": [1e400], "value": "real"}'),
        ("/api/projections", '{"method": "tsne", "perplexity": NaN}'),
        ("/api/projections", '{"method": "tsne", "learning_rate": 1e400}'),
        ("/api/projections", '{"method": "umap", "min_dist": Infinity}'),
        ("/api/selection.tsv", '{"ids": [NaN]}'),
    ],
)
def test_non_finite_numbers_are_a_422(client, path, body):
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert_shape(response, 422)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e400"])
def test_non_finite_text_for_a_numeric_column_is_a_422(client, value):
    response = client.post("/api/labels", json={"ids": [1], "column": "score", "value": value})
    assert_shape(response, 422)
    assert client.get("/api/point/1").status_code == 200


def test_bodies_over_the_limit_are_a_413(ws_path):
    app = create_app(Settings(workspace=ws_path, max_body_bytes=1000))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        ids = list(range(12)) * 100
        assert_shape(client.post("/api/selection.tsv", json={"ids": ids}), 413)

        def chunks():
            yield b'{"ids": ['
            for _ in range(500):
                yield b"1, "
            yield b"1]}"

        chunked = client.post(
            "/api/selection.tsv", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert_shape(chunked, 413)
        small = client.post("/api/selection.tsv", json={"ids": [1, 2]})
        assert small.status_code == 200


def test_a_label_map_that_is_not_an_image_is_a_404_not_a_500(client, ws_path, tmp_path):
    from synthscope.workspace import Workspace

    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    with Workspace.open(ws_path) as ws:
        ws._connection.execute("UPDATE points SET label_map = ? WHERE id = 1", (str(junk),))
    body = assert_shape(client.get("/api/image/1/labels"), 404)
    assert str(junk) not in body["detail"]
