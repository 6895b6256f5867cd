"""The compiler is on, answers what it compiles with one statement a root field, and its
answer is the database's own text: the bytes of the response are the statements' JSON,
spliced, not decoded and encoded again in Python."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg
from starlette.testclient import TestClient

from api.app import create_app
from api.read.compiler.plan import Planner
from api.schema import schema
from api.schema.compiled import compile_request
from api.settings import Settings
from tests.read.test_compiler_differential import (
    MEETING_WITH_ITEMS,
    MEETINGS_WITH_ITEMS,
    compiled_body,
)


def _a_meeting(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        found = connection.exec_driver_sql("SELECT min(meeting_id) FROM agenda_items")
        return str(found.scalar_one())


def test_the_compiler_is_on_unless_turned_off() -> None:
    assert Settings().compile_graphql
    assert Settings.from_env({}).compile_graphql
    for off in ("0", "false", "off", "no"):
        assert not Settings.from_env({"REFERAT_COMPILE_GRAPHQL": off}).compile_graphql
    assert Settings.from_env({"REFERAT_COMPILE_GRAPHQL": "1"}).compile_graphql


def test_a_root_field_is_one_statement(
    client: TestClient, seeded: sa.Engine, executed: list[str]
) -> None:
    query = f"{{ a: {MEETINGS_WITH_ITEMS[1:-1]} b: organizations {{ name }} __typename }}"
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert len(response.json()["data"]["a"]["edges"]) == 9
    assert len(executed) == 2, executed


def test_the_answer_is_the_statements_text(client: TestClient, seeded: sa.Engine) -> None:
    variables = {"meeting": _a_meeting(seeded)}
    body = compiled_body(seeded, MEETING_WITH_ITEMS, variables)
    assert body is not None
    response = client.post("/graphql", json={"query": MEETING_WITH_ITEMS, "variables": variables})
    assert response.content == body
    if seeded.dialect.name == "postgresql":
        # PostgreSQL's json_build_object spaces its keys from their values; Python's
        # encoder, with the separators the resolvers' answers use, would not.
        assert b'"title" : ' in response.content


def test_an_unknown_id_is_the_resolvers_not_found(client: TestClient) -> None:
    answer = client.post("/graphql", json={"query": '{ meeting(id: "nope") { id } }'}).json()
    assert answer["data"] == {"meeting": None}
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_the_typename_floor_needs_no_statement(client: TestClient, executed: list[str]) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }"})
    assert response.content == b'{"data":{"__typename":"Query"}}'
    assert executed == []


# A statement that would count for hours.
COUNT_FOREVER = (
    "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT CAST(count(*) AS TEXT) FROM c)"
)


@pytest.fixture
def hurried(seeded: sa.Engine, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, request_timeout=1.0))) as c:
        yield c


def test_a_compiled_statement_past_the_deadline_answers_timeout(
    hurried: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(self: Planner, *_: Any) -> sa.Select[Any]:
        return sa.select(sa.literal_column(COUNT_FOREVER))

    monkeypatch.setattr(Planner, "_root_bodies", slow)
    started = time.monotonic()
    body = hurried.post("/graphql", json={"query": "{ bodies { id } }"}).json()
    assert time.monotonic() - started < 5
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "its 1 s" in error["message"]


def test_a_failing_compiled_statement_is_logged_and_the_resolvers_answer(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Planner, *_: Any) -> sa.Select[Any]:
        return sa.select(sa.literal_column("no_such_column"))

    monkeypatch.setattr(Planner, "_root_organizations", broken)
    with caplog.at_level(logging.ERROR, logger="referat.graphql"):
        body = client.post("/graphql", json={"query": "{ organizations { id } }"}).json()
    assert "errors" not in body
    assert len(body["data"]["organizations"]) == 2
    (record,) = caplog.records
    assert record.exc_info is not None


@pytest.mark.parametrize(
    ("query", "prepared"),
    [
        ('{ meeting(id: "m") { id agendaItems { number case { number } } } }', [True]),
        ('{ meetings(filter: {dateFrom: "2020-01-01"}) { edges { node { id } } } }', [True]),
        ('{ meetings(filter: {organization: "o"}) { edges { node { id } } } }', [False]),
        ('{ agendaItems(filter: {caseNumber: "19/227"}) { totalCount } }', [False]),
        ('{ case(number: "19/227") { agendaItems(first: 500) { id } } }', [False]),
        ('{ body(id: "b") { meetings(first: 5) { edges { node { id } } } } }', None),
        ('{ organization(id: "o") { meetings(first: 5) { totalCount } } }', [False]),
        (
            '{ a: case(number: "1") { agendaItems { id } } b: meeting(id: "m") { id } }',
            [False, True],
        ),
    ],
)
def test_one_plan_serves_a_statement_unless_its_values_decide_how_many_rows_it_reads(
    query: str, prepared: list[bool] | None
) -> None:
    operation = compile_request(schema._schema, query, None, None, psycopg.dialect())
    if prepared is None:  # not a root field: not compiled
        assert operation is None
        return
    assert operation is not None
    assert [field.prepare for field in operation.fields] == prepared
