"""Fuzzing the API: any body or query gives an answer or a 4xx in the one shape, never a 500.

The test client re-raises any exception a route lets through, so a crash fails the test as
surely as a 500 would. Bounded by ``max_examples`` (``SYNTHSCOPE_FUZZ_EXAMPLES`` raises it).
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=int(os.environ.get("SYNTHSCOPE_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 2, 11, 12, -1, 1e400, 2**31, 0.5]),
)
_SCALARS = st.one_of(st.none(), st.booleans(), _NUMBERS, st.text(max_size=12))
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
_IDS = st.one_of(
    st.lists(st.integers(0, 11), min_size=1, max_size=4), st.lists(_NUMBERS, max_size=8), _JSON
)
_QUERY = st.text(alphabet=st.characters(codec="utf-8"), max_size=24)
_PATH = _QUERY.map(lambda text: quote(text, safe=""))
_COLUMNS = st.sampled_from(["label", "group", "score", "source", "path", "id", "nope", "", "a:b"])


def assert_answered(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) <= {"detail", "error", "parameter"}, body
        assert isinstance(body["detail"], str) and body["error"], body


def post_json(client, path: str, body: object):
    # allow_nan: NaN and Infinity tokens as a careless client (or Python's json) sends them.
    text = json.dumps(body, allow_nan=True)
    return client.post(path, content=text, headers={"Content-Type": "application/json"})


@FUZZ
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {"ids": _IDS},
            optional={"column": st.one_of(_COLUMNS, _JSON), "value": st.one_of(_NUMBERS, _JSON)},
        ),
        _JSON,
    )
)
def test_relabel_bodies(client, body):
    assert_answered(post_json(client, "/api/labels", body))
    # Whatever was accepted must read back.
    ids = body.get("ids") if isinstance(body, dict) else None
    point = ids[0] if isinstance(ids, list) and ids and isinstance(ids[0], int) else 0
    assert_answered(client.get(f"/api/point/{point}"))
    assert_answered(client.get("/api/column/score", params={"format": "json"}))
    assert_answered(client.get("/api/labels/history"))


_FIELDS = {
    "method": st.one_of(st.sampled_from(["pca", "tsne", "umap"]), _JSON),
    "dims": st.one_of(st.sampled_from([2, 3]), _JSON),
    "feature": st.one_of(st.sampled_from(["pixels64", "nope", "../x"]), _JSON),
    "perplexity": st.one_of(st.floats(0.5, 20), _JSON),
    "learning_rate": st.one_of(st.just("auto"), _NUMBERS),
    "iterations": st.one_of(st.integers(-5, 60), _JSON),
    "pca_dims": st.one_of(st.none(), st.integers(0, 20), _JSON),
    "metric": st.one_of(st.sampled_from(["euclidean", "cosine"]), _JSON),
    "engine": _JSON,
    "seed": st.one_of(st.integers(-1, 2**40), _JSON),
    "n_neighbors": st.one_of(st.integers(-1, 20), _JSON),
    "min_dist": st.one_of(st.floats(-1, 2), _JSON),
}


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries({}, optional=_FIELDS), _JSON))
def test_projection_bodies(client, body):
    assert_answered(post_json(client, "/api/projections", body))


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries({}, optional={"ids": _IDS}), _JSON))
def test_selection_bodies(client, body):
    assert_answered(post_json(client, "/api/selection.tsv", body))


@FUZZ
@given(
    palette=st.one_of(
        st.fixed_dictionaries({"key": _JSON}, optional={"values": st.lists(_JSON, max_size=4)}),
        _JSON,
    ),
    rename=st.one_of(st.fixed_dictionaries({}, optional={"name": _JSON}), _JSON),
    export=st.one_of(
        st.fixed_dictionaries({"ids": _IDS}, optional={"name": st.one_of(_JSON, _QUERY)}), _JSON
    ),
    pid=st.one_of(st.just("nope"), _QUERY.map(lambda text: quote(text, safe=""))),
)
def test_palette_rename_and_export_bodies(client, palette, rename, export, pid):
    assert_answered(post_json(client, "/api/palette", palette))
    text = json.dumps(rename, allow_nan=True)
    headers = {"Content-Type": "application/json"}
    assert_answered(client.patch(f"/api/projections/{pid}", content=text, headers=headers))
    assert_answered(post_json(client, "/api/exports/images", export))


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 3))
@given(
    ids=st.one_of(_QUERY, st.lists(st.integers(-3, 15).map(str), max_size=6).map(",".join)),
    point=st.one_of(st.integers(-3, 15).map(str), _PATH),
    name=st.one_of(_COLUMNS, _PATH),
    number=st.one_of(st.integers(-5, 2000).map(str), _QUERY),
    word=st.one_of(st.sampled_from(["cosine", "euclidean", "pixels64", "json"]), _QUERY),
)
def test_queries_and_path_parameters(client, ids, point, name, number, word):
    for path, params in (
        ("/api/selection.tsv", {"ids": ids}),
        (f"/api/column/{name}", {"format": word}),
        (f"/api/point/{point}", {}),
        (f"/api/neighbors/{point}", {"k": number, "metric": word, "feature": word}),
        (f"/api/image/{point}", {}),
        (f"/api/image/{point}/labels", {}),
        (f"/api/thumbs/{point}", {}),
        (f"/api/projection/{name}", {}),
        ("/api/coordinates.csv", {"projection": word}),
        ("/api/realism", {"feature": word}),
        ("/api/labels/history", {"limit": number}),
        (f"/api/projections/{name}/status", {}),
    ):
        assert_answered(client.get(path, params=params))
    assert_answered(client.post(f"/api/projections/{name}/{quote(word, safe='')}"))
