"""Statements run on the event loop: PostgreSQL's compiled GraphQL and REST answers over
psycopg's asyncio connections, with no worker thread between the request and its one
statement.

The worker threads of api.database serve everything else. For an answer that is one
statement they cost more than the statement: the hop to a thread and back, and the
interpreter lock handed between the loop and the thread, which under load kept
requests waiting (one meeting with its items, 8 clients: 608-865 req/s and a p99 of
145-205 ms through a thread, 1,506-1,531 req/s and 47-67 ms on the loop).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api.database import DeadlineExceeded

_PG_QUERY_CANCELED = "57014"
# Connections kept open for the loop's statements: as many as the requests one server
# process has in the database at once, give or take; more wait for one.
POOL_SIZE = 10


class Statements:
    """A pool of asyncio connections to PostgreSQL, each bounded by ``timeout`` per
    statement, in autocommit, preparing only what the caller asks to."""

    def __init__(self, engine: sa.Engine, timeout: float, size: int = POOL_SIZE) -> None:
        url = engine.url.set(drivername="postgresql")
        self.timeout = timeout
        self.pool = AsyncConnectionPool(
            url.render_as_string(hide_password=False),
            min_size=1,
            max_size=size,
            timeout=timeout,
            open=False,
            configure=self._configure,
            name="referat-statements",
        )

    async def _configure(self, connection: psycopg.AsyncConnection[Any]) -> None:
        # As api.database's connections: never prepared unasked (see PREPARE there).
        connection.prepare_threshold = sys.maxsize
        await connection.execute(f"SET statement_timeout = {int(self.timeout * 1000)}")
        await connection.commit()
        await connection.set_autocommit(True)

    async def open(self) -> None:
        await self.pool.open()

    async def close(self) -> None:
        await self.pool.close()

    @contextlib.asynccontextmanager
    async def _connection(self, wait: float) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        try:
            async with self.pool.connection(timeout=wait) as connection:
                yield connection
        except PoolTimeout:
            raise DeadlineExceeded(self.timeout) from None

    async def scalar(
        self, text: str, parameters: dict[str, Any], *, prepare: bool, deadline: float | None
    ) -> Any:
        """The first column of the statement's first row (None for no row). A connection
        the server has closed (a restart) fails its statement and is dropped; the
        statement, a read, runs again once on another."""
        for attempt in (1, 2):
            left = self.timeout if deadline is None else deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(self.timeout)
            # Waiting for a connection counts against the request's time too.
            async with self._connection(left) as connection:
                try:
                    cursor = await connection.execute(text, parameters, prepare=prepare)
                    row = await cursor.fetchone()
                except psycopg.errors.QueryCanceled:
                    raise DeadlineExceeded(self.timeout) from None
                except psycopg.OperationalError:
                    if attempt == 2 or not connection.broken:
                        raise
                    continue  # the pool drops the broken connection as it comes back
                return None if row is None else row[0]
        raise AssertionError("unreachable")  # pragma: no cover
