"""The engine behind a running service, and running queries off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
import sqlalchemy as sa

P = ParamSpec("P")
T = TypeVar("T")


class Database:
    """Runs functions of api.queries, each on a pooled connection in a worker thread:
    SQLAlchemy is synchronous, the server is not."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    async def run(
        self, query: Callable[Concatenate[sa.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        def work() -> T:
            with self.engine.connect() as connection:
                return query(connection, *args, **kwargs)

        return await anyio.to_thread.run_sync(work)


def rows_by(rows: list[Any], key: str) -> dict[Any, list[Any]]:
    """Rows grouped by one of their columns, keeping their order."""
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped
