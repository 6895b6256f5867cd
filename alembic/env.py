"""Alembic environment: the URL comes from the caller or DATABASE_URL, the metadata from
api.models, and the engine from api.db so that SQLite gets the same pragmas as at run time.

A run is one transaction on both engines, so a migration that fails leaves nothing
half done. On SQLite it runs with foreign keys off: altering a table there copies it
and drops the original, and with foreign keys on that drop first deletes the table's
rows, cascading to every table that refers to them. In their place, the references are
checked once, before the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa

import api.models
from alembic import context
from api.db import create_engine
from api.migrations import MigrationError
from api.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = api.models.SQLModel.metadata


# Search indexes live outside the models (see api.models.SearchDocument).
_UNMODELLED_TABLES = ("search_fts",)
_UNMODELLED = {("column", "tsv"), ("column", "tokens"), ("index", "ix_search_documents_tsv")}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "table" and name and name.startswith(_UNMODELLED_TABLES):
        return False
    return (type_, name) not in _UNMODELLED


def _url() -> str:
    url = config.attributes.get("database_url") or Settings.from_env().database_url
    return str(url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), for_writing=True)  # SQLite's write lock from the start
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: sa.Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    applied: list[Any] = []
    with _sqlite_foreign_keys_off(connection) if sqlite else nullcontext():
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            include_object=include_object,
            transactional_ddl=True,  # alembic's default for SQLite is a commit per step
            on_version_apply=lambda **step: applied.append(step),
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and applied:
                _check_foreign_keys(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection: sa.Connection) -> Iterator[None]:
    """Foreign keys off for the run, on again after its commit or rollback.

    SQLite ignores the pragma inside a transaction, and a statement through SQLAlchemy
    would begin one (BEGIN IMMEDIATE, api.db), so it goes to the driver's connection.
    """
    if connection.in_transaction():
        # The caller's transaction: too late to turn them off.
        if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise MigrationError(
                "migrating SQLite needs foreign keys off, and they cannot be turned off "
                "inside a transaction: pass a connection that is not in one"
            )
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    was_on = driver.execute("PRAGMA foreign_keys").fetchone()[0]
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA foreign_keys={'ON' if was_on else 'OFF'}")


def _check_foreign_keys(connection: sa.Connection) -> None:
    """Raise, so that the run rolls back, if any row refers to a row that is not there."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise MigrationError(
            f"the migration would leave {len(broken)} row(s) referring to rows that are not "
            f"there (the first: {table} row {rowid}, into {parent}), so it was not committed"
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
