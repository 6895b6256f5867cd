"""The schema comes from alembic alone, identical to the models, on both engines."""

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from alembic import command
from api.db import create_engine
from api.migrations import (
    NotMigratedError,
    alembic_config,
    downgrade,
    ensure_migrated,
    head_revision,
    upgrade,
)
from api.models import SQLModel
from tests.conftest import ENGINES


@pytest.mark.parametrize("engine_name", ENGINES)
def test_upgrade_check_downgrade_and_upgrade_again(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    url = new_database(engine_name)
    engine = create_engine(url)
    try:
        with pytest.raises(NotMigratedError, match=r"not migrated .*run `referat migrate`"):
            ensure_migrated(engine)
        upgrade(url)
        ensure_migrated(engine)
        command.check(alembic_config(url))  # raises when models and migrations drift
        tables = set(sa.inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        downgrade(url, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert set(SQLModel.metadata.tables) <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_head_is_named_in_the_refusal(new_database: Callable[[str], str]) -> None:
    url = new_database("sqlite")
    engine = create_engine(url)
    with pytest.raises(NotMigratedError) as caught:
        ensure_migrated(engine)
    assert f"(head is {head_revision(url)})" in str(caught.value)
    assert "\n" not in str(caught.value)
    engine.dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(
    new_database: Callable[[str], str],
) -> None:
    engine = create_engine(new_database("sqlite"))
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() >= 1000
    engine.dispose()
