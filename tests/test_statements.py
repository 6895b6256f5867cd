"""PostgreSQL's compiled answers run on the event loop (api.statements): bounded like
the worker threads' statements, prepared only when asked, and a read that finds its
connection closed by the server runs again once on a new one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api.database import DeadlineExceeded
from api.db import create_engine
from api.statements import Statements


def test_only_postgresql_answers_on_the_event_loop(client: TestClient, database_url: str) -> None:
    statements = client.app.state.database.statements  # type: ignore[attr-defined]
    assert (statements is not None) == database_url.startswith("postgresql")


def _with_statements(
    engine: sa.Engine, timeout: float, body: Callable[[Statements], Awaitable[Any]]
) -> Any:
    async def run() -> Any:
        statements = Statements(engine, timeout, size=1)  # one connection: the same each time
        await statements.open()
        try:
            return await body(statements)
        finally:
            await statements.close()

    return anyio.run(run)


@pytest.fixture
def postgresql(new_database: Callable[[str], str]) -> Iterator[sa.Engine]:
    """A PostgreSQL database of its own: SQLite's answers run in the worker threads."""
    engine = create_engine(new_database("postgresql"))
    yield engine
    engine.dispose()


def test_a_statement_is_prepared_only_when_asked(postgresql: sa.Engine) -> None:
    prepared = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %(like)s"

    async def run_six_times(statements: Statements) -> list[int]:
        counts = []
        for marker, prepare in (("not_asked", False), ("asked", True)):
            for _ in range(6):
                await statements.scalar(f"SELECT 1 AS {marker}", {}, prepare=prepare, deadline=None)
            found = await statements.scalar(
                prepared, {"like": f"%AS {marker}%"}, prepare=False, deadline=None
            )
            counts.append(found)
        return counts

    assert _with_statements(postgresql, 10, run_six_times) == [0, 1]


def test_a_statement_past_its_time_is_the_requests_deadline(postgresql: sa.Engine) -> None:
    async def sleep(statements: Statements) -> None:
        await statements.scalar("SELECT pg_sleep(5)", {}, prepare=False, deadline=None)

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        _with_statements(postgresql, 0.2, sleep)
    assert time.monotonic() - started < 4

    async def late(statements: Statements) -> None:
        await statements.scalar("SELECT 1", {}, prepare=False, deadline=time.monotonic() - 1)

    with pytest.raises(DeadlineExceeded):
        _with_statements(postgresql, 10, late)


def test_a_connection_the_server_closed_is_replaced_and_the_read_runs_again(
    postgresql: sa.Engine,
) -> None:
    async def across_a_restart(statements: Statements) -> tuple[int, int, int]:
        before = await statements.scalar(
            "SELECT pg_backend_pid()", {}, prepare=False, deadline=None
        )
        with postgresql.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({before})")
            admin.commit()
        after = await statements.scalar("SELECT pg_backend_pid()", {}, prepare=False, deadline=None)
        answer = await statements.scalar("SELECT 41 + 1", {}, prepare=True, deadline=None)
        return before, after, answer

    before, after, answer = _with_statements(postgresql, 10, across_a_restart)
    assert before != after
    assert answer == 42


def test_waiting_for_a_connection_counts_against_the_requests_time(
    postgresql: sa.Engine,
) -> None:
    async def behind_a_slow_one(statements: Statements) -> float:
        async with anyio.create_task_group() as group:
            slow = "SELECT pg_sleep(1.5)"
            group.start_soon(lambda: statements.scalar(slow, {}, prepare=False, deadline=None))
            await anyio.sleep(0.2)  # the pool's one connection is busy
            started = time.monotonic()
            with pytest.raises(DeadlineExceeded):
                await statements.scalar("SELECT 1", {}, prepare=False, deadline=started + 0.3)
            return time.monotonic() - started

    assert _with_statements(postgresql, 10, behind_a_slow_one) < 1.0


def test_a_connection_given_back_mid_statement_is_closed_and_its_place_reopened(
    postgresql: sa.Engine,
) -> None:
    async def cancelled_then_again(statements: Statements) -> tuple[int, int, int]:
        first = await statements.scalar("SELECT pg_backend_pid()", {}, prepare=False, deadline=None)
        with anyio.move_on_after(0.3):  # the client went away mid-statement
            await statements.scalar("SELECT pg_sleep(5)", {}, prepare=False, deadline=None)
        again = await statements.scalar("SELECT pg_backend_pid()", {}, prepare=False, deadline=None)
        answer = await statements.scalar("SELECT 41 + 1", {}, prepare=False, deadline=None)
        return first, again, answer

    first, again, answer = _with_statements(postgresql, 10, cancelled_then_again)
    assert first != again  # the connection busy with the sleep was not given out again
    assert answer == 42


def test_a_waiting_statement_gets_the_connection_given_back(postgresql: sa.Engine) -> None:
    async def behind_a_short_one(statements: Statements) -> tuple[int, int]:
        pids: list[int] = []

        async def short() -> None:
            pids.append(
                await statements.scalar(
                    "SELECT pg_backend_pid() FROM pg_sleep(0.3)", {}, prepare=False, deadline=None
                )
            )

        async with anyio.create_task_group() as group:
            group.start_soon(short)
            await anyio.sleep(0.1)  # the one connection is busy: this one waits for it
            pids.append(
                await statements.scalar(
                    "SELECT pg_backend_pid()", {}, prepare=False, deadline=time.monotonic() + 5
                )
            )
        return pids[0], pids[1]

    first, second = _with_statements(postgresql, 10, behind_a_short_one)
    assert first == second


def test_a_waiter_cancelled_as_it_is_given_a_connection_passes_it_on(
    postgresql: sa.Engine,
) -> None:
    async def cancelled_at_the_handover(statements: Statements) -> tuple[int, int]:
        held = await statements._take(5)  # the one connection
        waiting = asyncio.ensure_future(statements._take(5))
        while not statements._waiting:
            await asyncio.sleep(0)
        await statements._give_back(held)  # handed to the waiter...
        waiting.cancel()  # ...which is cancelled before it runs again
        with pytest.raises(asyncio.CancelledError):
            await waiting
        idle = len(statements._idle)  # the pool took it back
        # And nothing is lost: the one connection answers the next statement.
        answer = await statements.scalar("SELECT 41 + 1", {}, prepare=False, deadline=None)
        return idle, answer

    assert _with_statements(postgresql, 10, cancelled_at_the_handover) == (1, 42)
