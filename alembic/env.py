"""Alembic environment: the URL comes from the caller or DATABASE_URL, the metadata from
api.models, and the engine from api.db so that SQLite gets the same pragmas as at run time."""

from __future__ import annotations

from logging.config import fileConfig

import api.models
from alembic import context
from api.db import create_engine
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
    engine = create_engine(_url(), for_writing=True)  # DDL in one transaction on SQLite too
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
