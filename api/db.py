"""Engines for SQLite (embedded default) and PostgreSQL, configured alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(database_url: str, *, for_writing: bool = False, **kwargs: Any) -> sa.Engine:
    """An engine for DATABASE_URL; never created at import time.

    ``for_writing`` makes SQLite transactions take the write lock when they begin, so
    that concurrent writers queue instead of failing; readers must not do that.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine, immediate=for_writing)
        return engine
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    # A pre-ping is a round trip before every statement. Ingest keeps it; the service's
    # reads instead run again, once, when a pooled connection turns out to be dead
    # (api.database).
    return sa.create_engine(url, pool_pre_ping=for_writing, **kwargs)


def _configure_sqlite(engine: sa.Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if immediate:
            # Fewer, larger checkpoints: each one syncs the disk, which dominated the
            # cost of a commit during ingest at the default of 1000 pages.
            cursor.execute("PRAGMA wal_autocheckpoint=20000")
        cursor.close()

    if immediate:

        @event.listens_for(engine, "begin")
        def on_begin(connection: sa.Connection) -> None:
            # IMMEDIATE takes the write lock up front: two writers then queue instead of
            # one failing with "database is locked" when its read tries to upgrade.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    # Readers run each statement in autocommit mode: a read sees the newest commit and
    # holds no lock between statements.
