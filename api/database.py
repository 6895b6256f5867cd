"""The engine behind a running service, and running queries off the event loop.

Each request gets a deadline and a share of the database: its statements run at most a
few at a time (so one client's batch cannot take every worker thread from the others),
and none runs past the request's deadline: PostgreSQL stops a statement at
``statement_timeout``, SQLite's progress handler interrupts one whose request is out of
time.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import anyio
import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy import event

if TYPE_CHECKING:
    from api.statements import Statements

P = ParamSpec("P")
T = TypeVar("T")

REQUEST_TIMEOUT = 10.0  # seconds a request may spend in the database, by default
PER_REQUEST = 2  # statements of one request that may run at once
_SQLITE_CHECK_EVERY = 10_000  # virtual machine instructions between deadline checks
_PG_QUERY_CANCELED = "57014"
# An execution option for PostgreSQL on the service: True prepares the statement, so
# that it may be planned once for any values; otherwise each run is planned anew.
PREPARE = "referat_prepare"


class DeadlineExceeded(Exception):
    """The request ran out of time; it is the request's error, not the server's."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"the request took longer than its {timeout:g} s in the database")
        self.timeout = timeout


_running = threading.local()  # the deadline of the statement this thread runs


class Database:
    """Runs functions of api.queries, each on a pooled connection in a worker thread:
    SQLAlchemy is synchronous, the server is not."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        timeout: float | None = None,
        deadline: float | None = None,
        limiter: anyio.CapacityLimiter | None = None,
        statements: Statements | None = None,
    ) -> None:
        self.engine = engine
        self.timeout = timeout
        self.deadline = deadline
        self.limiter = limiter
        # PostgreSQL's compiled answers, run on the event loop (api.statements).
        self.statements = statements

    @classmethod
    def serving(
        cls,
        engine: sa.Engine,
        timeout: float = REQUEST_TIMEOUT,
        statements: Statements | None = None,
    ) -> Database:
        """The service's database: every statement bounded by ``timeout``, and read in
        autocommit: no BEGIN before a statement and no ROLLBACK after it, two round trips
        of three on PostgreSQL. (SQLite's readers are in autocommit already: api.db.)"""
        _bound_statements(engine, timeout)
        engine.dispose()  # connections opened before (a migration check) lack the bound
        if engine.dialect.name == "postgresql":
            _planned_for_values(engine)
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        return cls(engine, timeout=timeout, statements=statements)

    def for_request(self) -> Database:
        """This database with one request's deadline and share of the worker threads."""
        if self.timeout is None:
            return self
        return Database(
            self.engine,
            timeout=self.timeout,
            deadline=time.monotonic() + self.timeout,
            limiter=anyio.CapacityLimiter(PER_REQUEST),
            statements=self.statements,
        )

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Database]:
        """This database's reads, until the block ends, on one connection in one read-only
        transaction, so that they all see the data as it was at the first of them
        (REPEATABLE READ on PostgreSQL; on SQLite a read transaction, which WAL keeps at
        its first read while writers go on). The statements run one at a time, with this
        database's deadline. The block holds a pooled connection: a server keeps it short."""
        connection = await anyio.to_thread.run_sync(self._begin_snapshot)
        try:
            yield _Snapshot(self, connection)
        finally:
            # Back to the pool, which rolls the transaction back; also when the block
            # ends by cancellation (a client that went away).
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(connection.close)

    def _begin_snapshot(self) -> sa.Connection:
        connection = self.engine.connect()
        try:
            if connection.dialect.name == "postgresql":
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
                connection.begin()
            else:
                # Reads run in autocommit on SQLite (api.db): BEGIN by hand.
                connection.exec_driver_sql("BEGIN")
        except BaseException:
            connection.close()
            raise
        return connection

    def _connect(self) -> contextlib.AbstractContextManager[sa.Connection]:
        return self.engine.connect()

    _may_run_again = True  # on a new connection, when its pooled one was dead

    async def run(
        self, query: Callable[Concatenate[sa.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        deadline, timeout = self.deadline, self.timeout

        def attempt() -> T:
            if deadline is not None and time.monotonic() > deadline:
                raise DeadlineExceeded(timeout or 0)
            _running.deadline = deadline
            try:
                with self._connect() as connection:
                    return query(connection, *args, **kwargs)
            except sa.exc.OperationalError as error:
                if timeout is not None and _timed_out(error):
                    raise DeadlineExceeded(timeout) from None
                raise
            finally:
                _running.deadline = None

        def work() -> T:
            try:
                return attempt()
            except sa.exc.DBAPIError as error:
                # A pooled connection the server has closed (a restart, a terminated
                # backend) fails its first statement; SQLAlchemy then discards the pool's
                # older connections, and a read is safe to run again.
                if not error.connection_invalidated or not self._may_run_again:
                    raise
            return attempt()

        if self.limiter is None:
            return await anyio.to_thread.run_sync(work)
        async with self.limiter:
            return await anyio.to_thread.run_sync(work)


class _Snapshot(Database):
    """A database whose statements run on one held connection, one at a time."""

    def __init__(self, database: Database, connection: sa.Connection) -> None:
        super().__init__(
            database.engine,
            timeout=database.timeout,
            deadline=database.deadline,
            limiter=anyio.CapacityLimiter(1),  # a connection serves one thread at a time
        )
        self.connection = connection

    def _connect(self) -> contextlib.AbstractContextManager[sa.Connection]:
        return contextlib.nullcontext(self.connection)

    _may_run_again = False  # the snapshot went with its connection


def _timed_out(error: sa.exc.OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == _PG_QUERY_CANCELED:
        return True
    return "interrupted" in str(original)


def _bound_statements(engine: sa.Engine, timeout: float) -> None:
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def statement_timeout(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(timeout * 1000)}")
            dbapi_connection.commit()

    elif engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def progress(dbapi_connection: Any, _record: Any) -> None:
            def out_of_time() -> int:
                deadline = getattr(_running, "deadline", None)
                return int(deadline is not None and time.monotonic() > deadline)

            dbapi_connection.set_progress_handler(out_of_time, _SQLITE_CHECK_EVERY)


def _planned_for_values(engine: sa.Engine) -> None:
    """Each statement planned for its own values, unless its caller says that one plan
    serves any values (the execution option PREPARE, True). psycopg would prepare what
    it ran five times on a connection, which nothing clears in autocommit, and
    PostgreSQL may then plan it once for any values: its generic plan of a busy case's
    timeline read the case's items several times over (Q5 of bench/postgraphile.py: 20
    req/s where custom plans give 55). Planning costs too, though: a meeting by id took
    1.39 ms planned for each request against 0.61 ms prepared, a page of meetings 0.94
    against 0.54; the compiler knows which of its statements one plan serves."""

    @event.listens_for(engine, "connect")
    def never_prepared_unasked(dbapi_connection: Any, _record: Any) -> None:
        # Not None: that would refuse even the statements that ask (prepare=True).
        dbapi_connection.prepare_threshold = sys.maxsize

    @event.listens_for(engine, "do_execute")
    def prepared_when_asked(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        prepare = context.execution_options.get(PREPARE)
        if prepare is None:
            return False  # SQLAlchemy executes it as ever
        cursor.execute(statement, parameters, prepare=prepare)
        return True


def rows_by(rows: list[Any], key: str) -> dict[Any, list[Any]]:
    """Rows grouped by one of their columns, keeping their order."""
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped
