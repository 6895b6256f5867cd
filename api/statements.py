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

import asyncio
import sys
import time
from collections import deque
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from api.database import DeadlineExceeded

# Connections kept open for the loop's statements: as many as the requests one server
# process has in the database at once, give or take; more wait for one.
POOL_SIZE = 10
Connection = psycopg.AsyncConnection[Any]


class Statements:
    """Up to ``size`` asyncio connections to PostgreSQL, each bounded by ``timeout`` per
    statement, in autocommit, preparing only what the caller asks to.

    The connections are a free list of our own, not psycopg_pool's: a statement takes
    one and gives it back in the same task, with nothing to reset, and the pool's
    checkout and return cost 50-80 us of CPU a statement (a third of the statement's
    own, measured on one meeting with its items), where a list's pop and append cost
    nothing. A connection that comes back broken, or not idle (its task was cancelled
    mid-statement), is closed, and its place goes to whoever waits."""

    def __init__(self, engine: sa.Engine, timeout: float, size: int = POOL_SIZE) -> None:
        url = engine.url.set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.timeout = timeout
        self._idle: list[Connection] = []
        # Each waiter gets a connection, or None: a place to open one of its own.
        self._waiting: deque[asyncio.Future[Connection | None]] = deque()
        self._places = size  # connections that may still be opened
        self._closed = False

    async def open(self) -> None:
        """Opens the first connection now: a server that cannot reach PostgreSQL says so
        at startup, not at its first request."""
        self._places -= 1
        try:
            self._idle.append(await self._connect(self.timeout))
        except BaseException:
            self._places += 1
            raise

    async def close(self) -> None:
        self._closed = True
        for waiter in self._waiting:
            waiter.cancel()
        self._waiting.clear()
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def _connect(self, wait: float) -> Connection:
        async with asyncio.timeout(wait):
            connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        # As api.database's connections: never prepared unasked (see PREPARE there).
        connection.prepare_threshold = sys.maxsize
        await connection.execute(f"SET statement_timeout = {int(self.timeout * 1000)}")
        return connection

    async def _take(self, wait: float) -> Connection:
        """An idle connection, a new one while there is a place for it, or the next one
        given back, waiting at most ``wait`` seconds."""
        if self._closed:
            raise RuntimeError("the statements' connections are closed")
        if self._idle:
            return self._idle.pop()
        if not self._places:
            waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                async with asyncio.timeout(wait):
                    given = await waiter
            except (TimeoutError, asyncio.CancelledError) as stopped:
                # Out of time or cancelled in the turn it was given a connection, or a
                # place: passed on to the next.
                if waiter.done() and not waiter.cancelled():
                    self._pass_on(waiter.result())
                if isinstance(stopped, TimeoutError):
                    raise DeadlineExceeded(self.timeout) from None
                raise
            if given is not None:
                return given
        else:
            self._places -= 1
        try:
            return await self._connect(wait)
        except BaseException as failed:
            self._pass_on(None)  # the place it took
            if isinstance(failed, TimeoutError):
                raise DeadlineExceeded(self.timeout) from None
            raise

    async def _give_back(self, connection: Connection) -> None:
        if (
            self._closed
            or connection.broken
            or connection.info.transaction_status != TransactionStatus.IDLE
        ):
            await connection.close()
            self._pass_on(None)
            return
        self._pass_on(connection)

    def _pass_on(self, connection: Connection | None) -> None:
        """A connection, or a place for one (None), to the first who waits still (the
        others ran out of time), else back to the idle ones or the places."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if connection is None:
            self._places += 1
        else:
            self._idle.append(connection)

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
            connection = await self._take(left)
            try:
                cursor = await connection.execute(text, parameters, prepare=prepare)
                row = await cursor.fetchone()
            except psycopg.errors.QueryCanceled:
                raise DeadlineExceeded(self.timeout) from None
            except psycopg.OperationalError:
                if attempt == 2 or not connection.broken:
                    raise
                continue  # dropped as it comes back, below
            finally:
                await self._give_back(connection)
            return None if row is None else row[0]
        raise AssertionError("unreachable")  # pragma: no cover
