"""/readyz says ready or not ready, and nothing else: why not goes to the server's log."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api.database import Database
from api.db import create_engine

# A database nobody listens for: port 1 refuses at once.
UNREACHABLE = "postgresql+psycopg://reader:hunter2@127.0.0.1:1/secret_minutes"
SECRETS = ("psycopg", "postgresql", "127.0.0.1", ":1", "secret_minutes", "reader", "hunter2")


def test_ready(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_an_unreachable_database_is_not_ready_and_named_only_in_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app = client.app
    serving = app.state.database  # type: ignore[attr-defined]
    unreachable = create_engine(UNREACHABLE)
    app.state.database = Database(unreachable)  # type: ignore[attr-defined]
    try:
        with caplog.at_level(logging.WARNING, logger="referat.readyz"):
            response = client.get("/readyz")
    finally:
        app.state.database = serving  # type: ignore[attr-defined]
        unreachable.dispose()
    assert (response.status_code, response.json()) == (503, {"status": "not ready"})
    for secret in SECRETS:
        assert secret not in response.text
        assert secret not in str(response.headers)
    (record,) = [r for r in caplog.records if r.name == "referat.readyz"]
    assert "not ready" in record.getMessage() and "127.0.0.1" in record.getMessage()
    assert "hunter2" not in record.getMessage()  # the password, not even in the log
    assert client.get("/readyz").json() == {"status": "ready"}


def test_an_unmigrated_database_is_not_ready(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    engine = client.app.state.database.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        head = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'elsewhere'")
    try:
        with caplog.at_level(logging.WARNING, logger="referat.readyz"):
            response = client.get("/readyz")
    finally:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
    assert (response.status_code, response.json()) == (503, {"status": "not ready"})
    assert "elsewhere" not in response.text
    assert any("run `referat migrate`" in r.getMessage() for r in caplog.records)
