"""The reference the compiler is held to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings


@pytest.fixture
def resolvers(seeded: sa.Engine, database_url: str) -> Iterator[TestClient]:
    """The app with the compiler off: the reference."""
    off = Settings(database_url=database_url, compile_graphql=False)
    with TestClient(create_app(off)) as client:
        yield client
