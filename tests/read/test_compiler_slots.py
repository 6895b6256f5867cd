"""An operation is compiled once for every value of its ID and String variables where
they are only parameters, and once per value where the planner makes something of them."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.dialects.sqlite import pysqlite
from starlette.testclient import TestClient

from api.read.compiler import field_answers
from api.schema import schema
from api.schema.compiled import compile_request
from tests.read.test_compiler_differential import MEETING_WITH_ITEMS, same_answers

DIALECTS = [psycopg.dialect(), pysqlite.dialect()]
ITEM = """query($item: ID!) { agendaItem(id: $item) { id number title
    meeting { id date } case { number } decisions { id text } } }"""
PERSON = "query($p: ID!) { person(id: $p) { id name meetingCount } }"
BY_ORGANIZATION = """query($o: String) { meetings(filter: {organization: $o}) {
    totalCount edges { node { id } } } }"""
CASE = "query($n: String!) { case(number: $n) { number agendaItems { id } } }"


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_requests_differing_in_an_id_share_one_compiled_operation(dialect: sa.Dialect) -> None:
    one = compile_request(schema._schema, MEETING_WITH_ITEMS, None, {"meeting": "a"}, dialect)
    other = compile_request(schema._schema, MEETING_WITH_ITEMS, None, {"meeting": "b"}, dialect)
    assert one is not None and other is not None
    assert one.fields is other.fields
    assert (one.values, other.values) == ({"meeting": "a"}, {"meeting": "b"})
    assert [variable for field in one.fields for _, variable in field.slots] == ["meeting"]


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize(
    ("query", "variable"),
    [(BY_ORGANIZATION, "o"), (CASE, "n")],  # a name made a slug of; a number stripped
)
def test_a_value_the_planner_changes_is_compiled_for_each_value(
    dialect: sa.Dialect, query: str, variable: str
) -> None:
    one = compile_request(schema._schema, query, None, {variable: "Odsherred"}, dialect)
    other = compile_request(schema._schema, query, None, {variable: "Lejre"}, dialect)
    assert one is not None and other is not None
    assert one.fields is not other.fields
    assert not any(field.slots for field in one.fields)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_an_empty_string_is_no_slot(dialect: sa.Dialect) -> None:
    empty = compile_request(schema._schema, PERSON, None, {"p": " "}, dialect)
    assert empty is not None and not empty.values


def _ids(engine: sa.Engine, sql: str) -> list[str]:
    with engine.connect() as connection:
        return [str(value) for value in connection.exec_driver_sql(sql).scalars()]


def test_one_compiled_operation_answers_every_id_as_the_resolvers_do(
    client: TestClient, resolvers: TestClient, seeded: sa.Engine
) -> None:
    meetings = _ids(seeded, "SELECT id FROM meetings ORDER BY id")
    items = _ids(seeded, "SELECT id FROM agenda_items ORDER BY is_closed DESC, id LIMIT 12")
    persons = _ids(seeded, "SELECT id FROM persons ORDER BY id LIMIT 8")
    unknown = ["no-such-id", f" {meetings[0]} ", "x' OR '1'='1"]
    for query, variable, values in (
        (MEETING_WITH_ITEMS, "meeting", meetings + unknown),
        (ITEM, "item", items + unknown),
        (PERSON, "p", persons + unknown),
    ):
        for value in values:
            same_answers(client, resolvers, seeded, query, {variable: value})


def test_values_the_planner_changes_answer_as_the_resolvers_do(
    client: TestClient, resolvers: TestClient, seeded: sa.Engine
) -> None:
    organizations = _ids(seeded, "SELECT name FROM organizations ORDER BY id")
    numbers = _ids(seeded, "SELECT number FROM cases ORDER BY id LIMIT 4")
    for value in [*organizations, *(name.upper() for name in organizations), "Ingen"]:
        same_answers(client, resolvers, seeded, BY_ORGANIZATION, {"o": value})
    for value in [*numbers, *(f"  {number} " for number in numbers)]:
        same_answers(client, resolvers, seeded, CASE, {"n": value})


def test_a_slot_takes_each_requests_value_in_the_statement_itself(seeded: sa.Engine) -> None:
    """Not through the resolvers, which would answer alike if the statement found
    nothing: the compiled statement, its slot filled, finds each meeting asked for."""
    query = "query($id: ID!) { meeting(id: $id) { id } }"
    meetings = _ids(seeded, "SELECT id FROM meetings ORDER BY id")
    with seeded.connect() as connection:
        for meeting in meetings:
            operation = compile_request(
                schema._schema, query, None, {"id": meeting}, seeded.dialect
            )
            assert operation is not None and operation.fields[0].slots
            (text,) = field_answers(connection, operation) or [""]
            assert json.loads(text) == {"id": meeting}
