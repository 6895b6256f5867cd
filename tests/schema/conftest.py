"""An app over the seeds and fixtures, ingested into each engine's test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api.app import create_app
from api.loaders.ingest import ingest_paths
from api.settings import Settings
from tests.paths import ROOT

# Relative paths, so that sourceFile is the same on every machine.
DOCUMENTS = ["seeds", "tests/fixtures"]


@pytest.fixture
def seeded(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.chdir(ROOT)
    report = ingest_paths(engine, DOCUMENTS, workers=1)
    assert report.summary()["failed"] == 0
    return engine


@pytest.fixture
def client(seeded: sa.Engine, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def graphql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


def data(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body = graphql(client, query, **variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result
