"""The service's reads: in autocommit, without a ping before each, and still answered
when the server has closed a pooled connection."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import anyio
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.database import PREPARE, Database
from api.db import create_engine
from api.migrations import upgrade
from api.search.syntax import parse_query
from api.settings import Settings
from tests.schema.conftest import data


def _in_a_transaction(connection: sa.Connection) -> bool:
    """Whether the driver's connection holds an open transaction after a SELECT."""
    connection.exec_driver_sql("SELECT 1").all()
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        return bool(dbapi.info.transaction_status != 0)  # type: ignore[union-attr]
    return bool(dbapi.in_transaction)  # type: ignore[union-attr]


@pytest.fixture
def serving(database_url: str) -> Iterator[Database]:
    engine = create_engine(database_url)
    yield Database.serving(engine)
    engine.dispose()


def test_the_service_reads_in_autocommit(serving: Database) -> None:
    assert anyio.run(serving.for_request().run, _in_a_transaction) is False


def test_a_search_still_plans_with_its_settings(serving: Database) -> None:
    """On PostgreSQL a search's planner settings last its transaction (SET LOCAL): under
    autocommit its statements still share one."""
    if serving.engine.dialect.name != "postgresql":
        assert anyio.run(serving.run, _in_a_transaction) is False
        return
    shown = "SELECT current_setting('enable_seqscan'), current_setting('work_mem')"

    def search_then_show(connection: sa.Connection) -> tuple[str, str]:
        queries.search_page(connection, parse_query("godkende"), queries.SearchFilter(), 5, None)
        setting, memory = connection.exec_driver_sql(shown).one()
        return setting, memory

    def show(connection: sa.Connection) -> tuple[str, str]:
        setting, memory = connection.exec_driver_sql(shown).one()
        return setting, memory

    assert anyio.run(serving.run, search_then_show) == ("off", "64MB")
    assert anyio.run(serving.run, show) == ("on", "4MB")  # the next read is back to normal


def test_each_statement_is_planned_for_its_own_values_unless_prepared(serving: Database) -> None:
    """psycopg would prepare what it ran five times on a connection, which nothing clears
    in autocommit, and PostgreSQL would then plan a case's timeline once for every case;
    only a statement run with PREPARE is prepared (the compiler's, where one plan serves)."""
    if serving.engine.dialect.name != "postgresql":
        return  # SQLite plans each statement anew
    prepared = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %(like)s"

    def run_six_times(connection: sa.Connection, marker: str, prepare: bool | None) -> int:
        options = {} if prepare is None else {PREPARE: prepare}
        for _ in range(6):
            connection.exec_driver_sql(f"SELECT 1 AS {marker}", execution_options=options)
        count: int = connection.exec_driver_sql(prepared, {"like": f"%{marker}%"}).scalar_one()
        return count

    assert anyio.run(serving.run, run_six_times, "as_ever", None) == 0
    assert anyio.run(serving.run, run_six_times, "never", False) == 0
    assert anyio.run(serving.run, run_six_times, "once_for_all", True) == 1


@pytest.fixture
def postgresql_client(new_database: Callable[[str], str]) -> Iterator[tuple[TestClient, str]]:
    url = new_database("postgresql")
    upgrade(url)
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, url


def test_a_connection_the_server_closed_does_not_fail_a_request(
    postgresql_client: tuple[TestClient, str],
) -> None:
    client, url = postgresql_client
    assert data(client, "{ organizations { id } }") == {"organizations": []}
    assert client.get("/api/v1/organizations").status_code == 200
    # The server ends every connection to the database: those in the service's pool too.
    admin = create_engine(url)
    with admin.connect() as connection:
        ended = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": make_url(url).database},
        ).scalar_one()
    admin.dispose()
    assert ended >= 1
    assert data(client, "{ organizations { id } }") == {"organizations": []}
    assert client.get("/api/v1/organizations").status_code == 200
