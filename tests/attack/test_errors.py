"""Errors by the GraphQL spec and GraphQL over HTTP: the client's mistakes are named."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query
from starlette.testclient import TestClient

from tests.schema.conftest import data, graphql

SPEC = {"accept": "application/graphql-response+json"}


def code(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


@pytest.mark.parametrize(
    ("query", "variables", "named"),
    [
        ("query($d: Date) { meetings(filter: { dateFrom: $d }) { totalCount } }",
         {"d": "yesterday"}, "$d"),
        ("query($n: Int!) { meetings(first: $n) { totalCount } }", {}, "$n"),
        ("query($n: Int) { meetings(first: $n) { totalCount } }", {"n": "ten"}, "$n"),
        ("query($k: DocumentKind) { meetings(filter: { kind: $k }) { totalCount } }",
         {"k": "MEMO"}, "$k"),
    ],
)  # fmt: skip
def test_bad_variables_are_bad_user_input_naming_the_variable(
    client: TestClient, query: str, variables: dict[str, object], named: str
) -> None:
    body = graphql(client, query, **variables)
    assert code(body) == "BAD_USER_INPUT"
    assert named in body["errors"][0]["message"]


def test_nullable_arguments_with_defaults_as_api_md_has_them(client: TestClient) -> None:
    query = "query($o: MeetingOrder, $l: Int) { meetings(orderBy: $o) { totalCount } " \
            "stats { busiestCases(limit: $l) { count } } }"  # fmt: skip
    found = data(client, query, o=None, l=None)
    assert found["meetings"]["totalCount"] > 0 and len(found["stats"]["busiestCases"]) <= 10


def test_several_operations_need_an_operation_name(client: TestClient) -> None:
    document = "query A { organizations { id } } query B { bodies { id } }"
    body = client.post("/graphql", json={"query": document}).json()
    assert code(body) == "BAD_USER_INPUT" and "operationName" in body["errors"][0]["message"]
    named = client.post("/graphql", json={"query": document, "operationName": "B"}).json()
    assert named["data"]["bodies"]


def test_graphql_response_json_gets_the_specs_status_codes(client: TestClient) -> None:
    ok = client.post("/graphql", json={"query": "{ bodies { id } }"}, headers=SPEC)
    assert (ok.status_code, ok.headers["content-type"]) == (
        200,
        "application/graphql-response+json",
    )
    for bad in ("{ bodies { id }", "{ bodies { nosuchfield } }"):
        response = client.post("/graphql", json={"query": bad}, headers=SPEC)
        assert response.status_code == 400, bad
        assert response.headers["content-type"] == "application/graphql-response+json"
    legacy = client.post("/graphql", json={"query": "{ bodies { nosuchfield } }"})
    assert legacy.status_code == 200  # application/json: errors in a 200, as before


@pytest.mark.parametrize(
    "body", [b'{"query": ', b"[" * 5000 + b"]" * 5000, b'{"query": 5}', b"\xff\xfe"]
)
def test_malformed_bodies_are_400_in_json(client: TestClient, body: bytes) -> None:
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "field",
    ['meeting(id: "nope")', 'agendaItem(id: "nope")', 'decision(id: "nope")',
     'person(id: "nope")', 'organization(id: "nope")', 'node(id: "nope")',
     'case(number: "99/1")'],
)  # fmt: skip
def test_an_id_that_names_nothing_is_null_with_not_found(client: TestClient, field: str) -> None:
    body = graphql(client, f"{{ found: {field} {{ id }} }}")
    assert body["data"] == {"found": None}
    assert code(body) == "NOT_FOUND" and body["errors"][0]["path"] == ["found"]


def test_graphiqls_introspection_is_answered(client: TestClient) -> None:
    schema = data(client, get_introspection_query(descriptions=True))["__schema"]
    assert {t["name"] for t in schema["types"]} >= {"Meeting", "Case", "DecisionOutcome"}
    deeper = "{ __schema { types { " + "ofType { " * 25 + "name" + " }" * 25 + " } } }"
    assert code(graphql(client, deeper)) == "QUERY_TOO_COMPLEX"


@pytest.mark.parametrize("path", ["/graphql", "/healthz", "/readyz", "/openapi.json"])
def test_405_names_the_allowed_methods(client: TestClient, path: str) -> None:
    response = client.delete(path)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
