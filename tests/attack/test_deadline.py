"""A deadline per request, on both engines, and a fair share of the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.database import PER_REQUEST
from api.settings import Settings
from tests.schema.conftest import data, graphql

COUNT_FOREVER = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
def hurried(seeded: sa.Engine, database_url: str) -> Iterator[TestClient]:
    # The resolvers' statements (a compiled one's deadline: tests/read/test_compiler.py).
    settings = Settings(database_url=database_url, request_timeout=1.0, compile_graphql=False)
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_statement_past_the_deadline_is_stopped_with_its_own_code(
    hurried: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(connection: sa.Connection, organization: str | None) -> list[Any]:
        connection.exec_driver_sql(COUNT_FOREVER).all()
        raise AssertionError("the statement was not stopped")

    monkeypatch.setattr(queries, "all_bodies", slow)
    started = time.monotonic()
    body = graphql(hurried, "{ bodies { id } }")
    assert time.monotonic() - started < 5
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "its 1 s" in error["message"]
    monkeypatch.undo()
    assert data(hurried, "{ bodies { id } }")["bodies"]  # the connection is fine after


def test_a_requests_statements_run_a_few_at_a_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = most = 0
    lock = threading.Lock()
    counted = queries.all_bodies

    def watched(connection: sa.Connection, organization: str | None) -> list[Any]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return counted(connection, organization)

    monkeypatch.setattr(queries, "all_bodies", watched)
    batch = [{"query": "{ bodies { id } }"}] * 10
    assert client.post("/graphql", json=batch).status_code == 200
    assert most <= PER_REQUEST
