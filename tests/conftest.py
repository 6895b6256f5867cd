"""Database fixtures: every test that asks for a database runs on SQLite and PostgreSQL.

PostgreSQL is the server at REFERAT_TEST_POSTGRES (default 127.0.0.1:5432, user postgres).
Each test run creates its own database ``referat_test_<random>`` and drops it afterwards.
Unreachable, it fails the run under CI=true and skips, loudly, elsewhere. The schema
always comes from the alembic migrations.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from api.app import create_app
from api.db import create_engine
from api.loaders.ingest import ingest_paths
from api.migrations import upgrade
from api.models import SQLModel
from api.settings import Settings
from api.statements import Statements
from tests.paths import ROOT

POSTGRES_ADMIN_URL = os.environ.get(
    "REFERAT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ENGINES = ("sqlite", "postgresql")


def _postgres_unreachable(reason: str) -> None:
    message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the PostgreSQL half of the suite must run)")
    print(f"\n{'!' * 78}\n!! SKIPPING the PostgreSQL half of the suite: {message}\n{'!' * 78}",
          file=sys.stderr)  # fmt: skip
    pytest.skip(message)


def _create_postgres_database() -> str:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"referat_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        _postgres_unreachable(str(exc.orig).strip().splitlines()[0])
    finally:
        admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'
            )
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """A factory of empty, unmigrated databases of one engine; all dropped at the end."""
    created: list[str] = []

    def make(engine_name: str) -> str:
        if engine_name == "sqlite":
            path = tmp_path_factory.mktemp("sqlite") / "referat.db"
            return f"sqlite:///{path}"
        url = _create_postgres_database()
        created.append(url)
        return url

    yield make
    for url in created:
        _drop_postgres_database(url)


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, new_database: Callable[[str], str]) -> str:
    """A migrated database for the session, on each engine in turn."""
    url = new_database(request.param)
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """An ingest engine on the session database, emptied after each test."""
    engine = create_engine(database_url, for_writing=True)
    yield engine
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


# Relative paths, so that sourceFile is the same on every machine.
DOCUMENTS = ["seeds", "tests/fixtures"]
# The seeds are Høje-Taastrup's and name no organization; two fixtures are Roskilde's
# and say so in their letterhead.
HOME = "Høje-Taastrup Kommune"


@pytest.fixture
def seeded(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    """The seeds and fixtures, ingested."""
    monkeypatch.chdir(ROOT)
    report = ingest_paths(engine, DOCUMENTS, workers=1, default_organization=HOME)
    assert report.summary()["failed"] == 0
    return engine


@pytest.fixture
def client(seeded: sa.Engine, database_url: str) -> Iterator[TestClient]:
    """The app over the seeded database."""
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        yield client


@pytest.fixture
def executed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statements the app runs meanwhile: in worker threads through SQLAlchemy, and
    on the event loop (api.statements, PostgreSQL's compiled answers)."""
    engine = client.app.state.database.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    scalar = Statements.scalar

    async def counted(self: Statements, text: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(text)
        return await scalar(self, text, *args, **kwargs)

    monkeypatch.setattr(Statements, "scalar", counted)
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str]:
    """The environment for a ``referat`` subprocess on the test database."""
    return {**os.environ, "DATABASE_URL": database_url}


@pytest.fixture
def referat() -> Path:
    return Path(sys.executable).parent / "referat"
