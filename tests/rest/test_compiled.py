"""REST answers from the GraphQL compiler are the builders' answers, byte for byte once
parsed, on both engines: the builders stay the reference, as the resolvers do for
GraphQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import parse, validate
from starlette.testclient import TestClient

from api.app import create_app
from api.rest import models as m
from api.rest.routes import OPERATIONS
from api.rest.selections import selection
from api.schema import schema
from api.settings import Settings


@pytest.fixture
def builders(seeded: sa.Engine, database_url: str) -> Iterator[TestClient]:
    """The app with the compiler off: REST answered by the builders."""
    off = Settings(database_url=database_url, compile_graphql=False)
    with TestClient(create_app(off)) as client:
        yield client


def _ids(engine: sa.Engine, sql: str) -> list[str]:
    with engine.connect() as connection:
        return [str(value) for value in connection.exec_driver_sql(sql).scalars()]


def _paths(engine: sa.Engine) -> list[str]:
    meetings = _ids(engine, "SELECT id FROM meetings ORDER BY id")
    items = _ids(engine, "SELECT id FROM agenda_items ORDER BY is_closed DESC, id LIMIT 15")
    persons = _ids(engine, "SELECT id FROM persons ORDER BY id LIMIT 6")
    organizations = _ids(engine, "SELECT id FROM organizations ORDER BY id")
    person = persons[0]
    listings = [
        "/api/v1/meetings",
        "/api/v1/meetings?limit=2",
        "/api/v1/meetings?limit=100&kind=AGENDA",
        f"/api/v1/meetings?organization={organizations[0]}&dateFrom=2019-01-01&dateTo=2030-01-01",
        "/api/v1/meetings?organization=H%C3%B8je-Taastrup%20Kommune&limit=3",
        f"/api/v1/meetings?participant={person}",
        "/api/v1/meetings?modifiedSince=2020-01-01T00:00:00%2B01:00&from=2019-06-01",
        "/api/v1/meetings?body=Nowhere",
        "/api/v1/meetings?cursor=garbage",
        "/api/v1/meetings?kind=NEITHER",
    ]
    return [
        *listings,
        "/api/v1/organizations",
        *(f"/api/v1/organizations/{i}" for i in [*organizations, "nowhere"]),
        *(f"/api/v1/meetings/{i}" for i in [*meetings, "no-such-meeting"]),
        *(f"/api/v1/agenda-items/{i}" for i in [*items, "no-such-item"]),
        *(f"/api/v1/persons/{i}" for i in [*persons, "no-such-person"]),
    ]


def test_every_fixed_selection_is_a_valid_graphql_operation() -> None:
    fixed = [op.compiled for op in OPERATIONS if op.compiled is not None]
    assert len(fixed) == 6
    for answer in fixed:
        assert validate(schema._schema, parse(answer.query)) == [], answer.query


def test_a_model_is_its_own_selection() -> None:
    assert selection(m.Person) == "{ id organization { id name } name meetingCount }"
    assert "agendaItems { id meeting { id } number title caseNumber" in selection(m.Meeting)


def test_compiled_answers_are_the_builders_answers(
    client: TestClient, builders: TestClient, seeded: sa.Engine
) -> None:
    for path in _paths(seeded):
        compiled, built = client.get(path), builders.get(path)
        assert compiled.status_code == built.status_code, path
        assert compiled.json() == built.json(), path
        assert compiled.headers.get("etag") == built.headers.get("etag"), path
        assert list(_keys(compiled.json())) == list(_keys(built.json())), path


def test_the_pages_of_a_listing_are_the_builders_pages(
    client: TestClient, builders: TestClient, seeded: sa.Engine
) -> None:
    path: str | None = "/api/v1/meetings?limit=2&kind=MINUTES"
    pages = 0
    while path is not None:
        compiled, built = client.get(path), builders.get(path)
        assert compiled.json() == built.json(), path
        assert compiled.headers.get("link") == built.headers.get("link"), path
        path = compiled.json()["next"]
        pages += 1
    assert pages > 2


def _keys(value: Any) -> Iterator[str]:
    """Every key, depth first, in order: the compiled JSON keeps the model's order."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


@pytest.mark.parametrize(
    ("path", "statements"),
    [
        ("/api/v1/meetings/{meeting}", 3),  # and the data version and the meeting's time
        ("/api/v1/meetings?dateFrom=2019-01-01&modifiedSince=2020-01-01T00:00:00Z", 2),
        ("/api/v1/meetings?kind=MINUTES&limit=2&body=Direktionen", 2),  # and the version
    ],
)
def test_a_compiled_answer_is_one_statement_of_its_own(
    client: TestClient, seeded: sa.Engine, executed: list[str], path: str, statements: int
) -> None:
    (meeting,) = _ids(seeded, "SELECT id FROM meetings ORDER BY id LIMIT 1")
    assert client.get(path.format(meeting=meeting)).status_code == 200
    assert len(executed) == statements, executed
