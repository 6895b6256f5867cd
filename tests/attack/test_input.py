"""Bounded input: the body, the document, every string; NUL and over-long words."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from api.graphql_view import MAX_BODY
from api.schema.limits import MAX_CHARACTERS, MAX_STRING
from api.search.syntax import MAX_QUERY_CHARACTERS
from tests.schema.conftest import graphql


def code(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


def test_a_body_over_the_limit_is_413_in_json(client: TestClient) -> None:
    big = {"query": "{ bodies { id } }", "variables": {"x": "a" * MAX_BODY}}
    response = client.post("/graphql", json=big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Streamed without a length, it is cut off as it arrives.
    chunks = (b"x" * 65536 for _ in range(MAX_BODY // 65536 + 2))
    response = client.post("/graphql", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_comments_and_whitespace_count(client: TestClient) -> None:
    padded = "{ bodies { id } }\n" + "# padding\n" * (MAX_CHARACTERS // 10)
    body = graphql(client, padded)
    assert code(body) == "QUERY_TOO_COMPLEX"
    assert f"at most {MAX_CHARACTERS:,}" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($q: String!) { search(query: $q) { totalCount } }",
         {"q": "a " * MAX_QUERY_CHARACTERS}),
        ("query($q: String!) { search(query: $q) { totalCount } }", {"q": "x" * 5000}),
        ("query($q: String!) { search(query: $q) { totalCount } }", {"q": "ord " + "x" * 150}),
        ("query($n: String) { persons(name: $n) { totalCount } }", {"n": "x" * (MAX_STRING + 1)}),
        ('{ persons(name: "' + "x" * (MAX_STRING + 1) + '") { totalCount } }', {}),
    ],
)  # fmt: skip
def test_long_strings_are_bad_user_input(
    client: TestClient, query: str, variables: dict[str, str]
) -> None:
    assert code(graphql(client, query, **variables)) == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "query",
    [
        '{ meeting(id: "a\\u0000b") { id } }',
        '{ meetings(filter: { body: "a\\u0000b" }) { totalCount } }',
        '{ persons(name: "a\\u0000") { totalCount } }',
        '{ search(query: "godkendt\\u0000") { totalCount } }',
        '{ case(number: "19/\\u0000227") { id } }',
    ],
)
def test_nul_is_bad_user_input_on_both_engines(client: TestClient, query: str) -> None:
    body = graphql(client, query)
    assert code(body) == "BAD_USER_INPUT", body
    assert "NUL" in body["errors"][0]["message"]
