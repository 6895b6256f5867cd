"""The schema comes from alembic alone, identical to the models, on both engines."""

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from alembic import command
from api.db import create_engine
from api.loaders.ingest import ingest_paths
from api.migrations import (
    NotMigratedError,
    alembic_config,
    downgrade,
    ensure_migrated,
    head_revision,
    upgrade,
)
from api.models import SQLModel
from api.search import partitions
from api.search.normalise import tokens
from api.search.order import DAY, day_key
from tests.conftest import ENGINES
from tests.paths import ROOT


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


def test_0003_renumbers_sqlite_search_documents_by_date(
    new_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = _ingested(new_database, monkeypatch, "sqlite", ["seeds"], "0002")
    with engine.begin() as connection:  # rowids as 0002 handed them out: 1, 2, 3, ...
        rows = connection.exec_driver_sql(
            "SELECT rowid FROM search_documents ORDER BY date DESC, rowid"
        ).all()
        connection.exec_driver_sql(
            "UPDATE search_documents SET rowid = ? WHERE rowid = ?",
            [(place, rowid) for place, (rowid,) in enumerate(rows, start=1)],
        )
    before = _sqlite_search(engine)
    upgrade(url, "0003")
    after = _sqlite_search(engine)
    assert after == before
    with engine.connect() as connection:
        ordered = connection.exec_driver_sql(
            "SELECT rowid, date FROM search_documents ORDER BY rowid"
        ).all()
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
    assert len(ordered) == len(rows)
    assert [d for _, d in ordered] == sorted(d for _, d in ordered)
    for rowid, date in ordered:
        assert (
            day_key(dt.date.fromisoformat(date))
            <= rowid
            < day_key(dt.date.fromisoformat(date)) + DAY
        )
    engine.dispose()


def _ingested(
    new_database: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    engine_name: str,
    paths: list[str],
    revision: str = "head",
) -> tuple[str, sa.Engine]:
    """A new database at ``revision`` with ``paths`` ingested, and its ingest engine."""
    url = new_database(engine_name)
    upgrade(url, revision)
    engine = create_engine(url, for_writing=True)
    monkeypatch.chdir(ROOT)
    ingest_paths(engine, paths, workers=1)
    return url, engine


def _found(engine: sa.Engine, sql: str, searches: tuple[str, ...]) -> dict[str, list[str]]:
    """The ids ``sql`` finds for each search, straight from an engine's own index."""
    with engine.connect() as connection:
        return {
            search: sorted(connection.exec_driver_sql(sql, (search,)).scalars())
            for search in searches
        }


def _sqlite_search(engine: sa.Engine) -> dict[str, list[str]]:
    """The ids each of a few searches finds through the single FTS5 index (0002-0004)."""
    sql = (
        "SELECT d.id FROM search_fts JOIN search_documents d "
        "ON d.rowid = search_fts.rowid WHERE search_fts MATCH ?"
    )
    return _found(engine, sql, ('"godkende"', '"sygefravær"*', '"tage til efterretning"'))


def test_0004_keeps_postgresql_tsvectors_in_the_row_and_back_again(
    new_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = _ingested(new_database, monkeypatch, "postgresql", ["seeds"])
    with engine.connect() as connection:
        medium, large = connection.exec_driver_sql(
            "SELECT count(*) FILTER (WHERE pg_column_size(tsv) BETWEEN 2100 AND 7000), "
            "count(*) FILTER (WHERE pg_column_size(tsv) > 7000) FROM search_documents"
        ).one()
        columns = _columns(connection)
    # Past the default toast target of 2 kB, yet in the row: only what cannot fit a
    # page goes to TOAST.
    assert medium > 10
    assert _toasted(engine) <= large
    assert "tokens" not in columns and "tsv" in columns
    before = _postgres_search(engine)

    downgrade(url, "0003")
    with engine.connect() as connection:
        assert "tokens" in _columns(connection)
        rebuilt = connection.exec_driver_sql(
            "SELECT d.text, s.tokens FROM search_documents s JOIN decisions d ON d.id = s.id"
        ).all()
    # The lemma text comes back, in order, from the tsvector's positions.
    assert len(rebuilt) > 20
    for text, lemmas in rebuilt:
        assert lemmas == " ".join(tokens(text))

    upgrade(url)
    assert _postgres_search(engine) == before
    assert _toasted(engine) <= large
    engine.dispose()


def _columns(connection: sa.Connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("search_documents")}


def _toasted(engine: sa.Engine) -> int:
    """Values in search_documents' TOAST table, once dead row versions are gone."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM search_documents")
        toast = connection.exec_driver_sql(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'search_documents'"
        ).scalar_one()
        values = f"SELECT count(DISTINCT chunk_id) FROM {toast}"
        return int(connection.exec_driver_sql(values).scalar_one())


def _postgres_search(engine: sa.Engine) -> dict[str, list[str]]:
    sql = "SELECT id FROM search_documents WHERE tsv @@ CAST(%s AS tsquery)"
    return _found(engine, sql, ("godkende", "sygefravær:*", "tage <-> til <-> efterretning"))


def test_0005_splits_the_sqlite_index_by_year_and_back_again(
    new_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = _ingested(new_database, monkeypatch, "sqlite", ["seeds", "tests/fixtures"])
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT DISTINCT CAST(substr(date, 1, 4) AS INTEGER) FROM search_documents"
        ).scalars()
        assert _fts_years(connection) == sorted(stored, reverse=True)
    by_year = _search_by_year(engine)
    assert len(by_year["godkende"]) > 2

    downgrade(url, "0004")  # one index for all years, rebuilt from search_documents
    with engine.connect() as connection:
        assert _fts_years(connection) == []
        single = connection.exec_driver_sql(
            "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"godkende\"'"
        ).scalar_one()
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
    assert single == sum(len(ids) for ids in by_year["godkende"].values())

    upgrade(url)
    assert _search_by_year(engine) == by_year
    engine.dispose()


def _fts_years(connection: sa.Connection) -> list[int]:
    names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    return partitions.years(list(names.scalars()))


def _search_by_year(engine: sa.Engine) -> dict[str, dict[int, list[str]]]:
    """The ids each year's index finds for a few searches; every id in its own year."""
    found: dict[str, dict[int, list[str]]] = {}
    with engine.connect() as connection:
        for match in ('"godkende"', '"sygefravær"*', '"tage til efterretning"'):
            found[match.strip('"*')] = by_year = {}
            for year in _fts_years(connection):
                fts = partitions.table(year)
                rows = connection.exec_driver_sql(
                    f"SELECT d.id, d.date FROM {fts} JOIN search_documents d "
                    f"ON d.rowid = {fts}.rowid WHERE {fts} MATCH ?",
                    (match,),
                ).all()
                assert all(date.startswith(str(year)) for _, date in rows)
                if rows:
                    by_year[year] = sorted(id_ for id_, _ in rows)
    return found
