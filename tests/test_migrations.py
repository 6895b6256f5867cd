"""The schema comes from alembic alone, identical to the models, on both engines; data
stored by an earlier release comes through each migration intact.

Databases of earlier revisions are loaded from tests/release_0005/database.json, what
release 0005 stored of a few documents (see tests/releases.py): today's ingest writes
today's schema and ids only.
"""

import datetime as dt
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from alembic import command
from api.db import create_engine
from api.loaders.ingest import ingest_paths
from api.migrations import (
    MigrationError,
    NotMigratedError,
    alembic_config,
    current_revision,
    downgrade,
    ensure_migrated,
    head_revision,
    upgrade,
)
from api.models import SQLModel
from api.search import partitions
from api.search.order import DAY, day_key
from tests.conftest import ENGINES, HOME
from tests.feed import PARENTS_FIRST
from tests.paths import ROOT
from tests.releases import RELEASE_0005, RELEASE_0005_DOCUMENTS, load_release_0005, records


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
    new_database: Callable[[str], str],
) -> None:
    url = new_database("sqlite")
    engine = load_release_0005(url, "0002")
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
    new_database: Callable[[str], str],
) -> None:
    url = new_database("postgresql")
    engine = load_release_0005(url)
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
        rebuilt = dict(connection.exec_driver_sql("SELECT id, tokens FROM search_documents").all())
    # The lemma text comes back, in order, from the tsvector's positions.
    table = RELEASE_0005["tables"]["search_documents"]
    assert rebuilt == {row["id"]: row["tokens"] for row in records(table)}

    upgrade(url, "0005")
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
    new_database: Callable[[str], str],
) -> None:
    url = new_database("sqlite")
    engine = load_release_0005(url)
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

    upgrade(url, "0005")
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


# The columns of ids and of the keys around them, wherever a table has them.
_KEYS = (
    "rowid",
    "id",
    "organization_id",
    "body_id",
    "meeting_id",
    "person_id",
    "agenda_item_id",
    "case_id",
    "sequence",
    "is_absent",
    "position",
    "number",
)


def _keys(engine: sa.Engine, columns: dict[str, list[str]]) -> dict[str, set[tuple[Any, ...]]]:
    """Each table's key columns, of every row."""
    with engine.connect() as connection:
        return {
            table: set(
                map(tuple, connection.exec_driver_sql(f"SELECT {', '.join(keys)} FROM {table}"))
            )
            for table, keys in columns.items()
        }


def _head_keys(engine: sa.Engine) -> dict[str, set[tuple[Any, ...]]]:
    tables = SQLModel.metadata.tables
    columns = {name: [c.name for c in table.c if c.name in _KEYS] for name, table in tables.items()}
    keys = _keys(engine, {name: keys for name, keys in columns.items() if keys})
    with engine.connect() as connection:
        organizations = connection.exec_driver_sql("SELECT id, name, kind FROM organizations")
        keys["organizations"] = set(map(tuple, organizations))
    return keys


def _release_keys(engine: sa.Engine) -> tuple[dict[str, set[Any]], dict[str, set[Any]]]:
    """The key columns of release 0005's tables as ``engine``'s database holds them, and
    as the release stored them; rowids on SQLite only."""
    sqlite = engine.dialect.name == "sqlite"
    tables = RELEASE_0005["tables"]
    columns = {
        name: [c for c in table["columns"] if c in _KEYS and (c != "rowid" or sqlite)]
        for name, table in tables.items()
    }
    stored = {
        name: {tuple(row[c] for c in keys) for row in records(tables[name])}
        for name, keys in columns.items()
    }
    return _keys(engine, columns), stored


def _search(engine: sa.Engine) -> dict[str, list[str]]:
    """The ids a few searches find, through either engine's index."""
    if engine.dialect.name == "postgresql":
        found = _postgres_search(engine)
        return dict(
            zip(("godkende", "sygefravær", "tage til efterretning"), found.values(), strict=True)
        )
    return {
        search: sorted(id_ for ids in by_year.values() for id_ in ids)
        for search, by_year in _search_by_year(engine).items()
    }


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0006_gives_stored_rows_the_ids_an_ingest_of_their_documents_gives(
    engine_name: str, new_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = new_database(engine_name)
    migrated = load_release_0005(url)
    upgrade(url, organization=HOME)
    command.check(alembic_config(url))  # raises when models and migrations drift

    fresh_url = new_database(engine_name)
    upgrade(fresh_url)
    fresh = create_engine(fresh_url, for_writing=True)
    monkeypatch.chdir(ROOT)
    report = ingest_paths(fresh, RELEASE_0005_DOCUMENTS, workers=1, organization=HOME)
    assert report.summary()["failed"] == 0

    keys = _head_keys(migrated)
    assert keys == _head_keys(fresh)
    assert keys["organizations"] == {("hoeje-taastrup-kommune", HOME, "MUNICIPALITY")}
    # The afternoon meeting, "direktionen-2019-11-11-2" before, by its start time.
    direktionen = "hoeje-taastrup-kommune.direktionen"
    assert (f"{direktionen}.2019-11-11T1500", direktionen) in keys["meetings"]
    found = _search(migrated)
    assert len(found["godkende"]) > 5
    assert found == _search(fresh)
    if engine_name == "sqlite":  # each year's index agrees with its rows, triggers in place
        with migrated.connect() as connection:
            for year in _fts_years(connection):
                fts = partitions.table(year)
                connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
                triggers = connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                    (f"{fts}_%",),
                ).scalars()
                # Deletes and updates; ingest indexes what it inserts (revision 0009).
                assert sorted(triggers) == [f"{fts}_ad", f"{fts}_au"]
    migrated.dispose()
    fresh.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0006_downgrades_to_the_ids_of_release_0005(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    url = new_database(engine_name)
    engine = load_release_0005(url)
    found = _search(engine)
    upgrade(url, organization=HOME)
    downgrade(url, "0005")
    held, stored = _release_keys(engine)
    assert held == stored
    assert _search(engine) == found
    engine.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0006_downgrades_one_organization_only(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    url = new_database(engine_name)
    engine = load_release_0005(url)
    upgrade(url, organization=HOME)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO organizations (id, name, kind) "
            "VALUES ('roskilde-kommune', 'Roskilde Kommune', 'MUNICIPALITY')"
        )
    with pytest.raises(MigrationError, match=r"minutes of 2 organizations.*room for one"):
        downgrade(url, "0005")
    assert current_revision(engine) == head_revision(url)
    engine.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0006_needs_the_organization_whose_minutes_are_stored(
    engine_name: str, new_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REFERAT_ORGANIZATION", raising=False)
    url = new_database(engine_name)
    engine = load_release_0005(url)
    with pytest.raises(MigrationError) as refused:
        upgrade(url)
    message = str(refused.value)
    assert 'referat migrate --organization "' in message and "REFERAT_ORGANIZATION" in message
    assert "\n" not in message
    assert current_revision(engine) == "0005"
    held, stored = _release_keys(engine)
    assert held == stored

    monkeypatch.setenv("REFERAT_ORGANIZATION", " Høje-Taastrup   Kommune ")
    upgrade(url)
    with engine.connect() as connection:
        organizations = connection.exec_driver_sql("SELECT id, name FROM organizations").all()
    assert organizations == [("hoeje-taastrup-kommune", HOME)]
    engine.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0006_needs_no_organization_for_an_empty_database(
    engine_name: str, new_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REFERAT_ORGANIZATION", raising=False)
    url = new_database(engine_name)
    upgrade(url, "0005")
    upgrade(url)
    engine = create_engine(url)
    ensure_migrated(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM organizations").scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0006_keeps_one_version_of_two_rows_that_get_one_id(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    """Release 0005 kept a file's meeting when the file came to give another start time,
    so two rows of a body's day could come to share one; the minutes, and of those the
    version stored last, stay."""
    url = new_database(engine_name)
    engine = load_release_0005(url)
    with engine.begin() as connection:  # the afternoon meeting at the morning's time
        connection.exec_driver_sql(
            "UPDATE meetings SET starts_at = (SELECT starts_at FROM meetings "
            "WHERE id = 'direktionen-2019-11-11'), updated_at = (SELECT max(updated_at) "
            "FROM meetings) WHERE id = 'direktionen-2019-11-11-2'"
        )
        kept = connection.exec_driver_sql(
            "SELECT source_path FROM documents WHERE meeting_id = 'direktionen-2019-11-11-2'"
        ).scalar_one()
    upgrade(url, organization=HOME)
    meeting = "hoeje-taastrup-kommune.direktionen.2019-11-11T1000"
    with engine.connect() as connection:
        ids = connection.exec_driver_sql(
            "SELECT id FROM meetings WHERE date = '2019-11-11'"
        ).scalars()
        assert list(ids) == [meeting]
        source = sa.text("SELECT source_path FROM documents WHERE meeting_id = :meeting")
        assert connection.execute(source, {"meeting": meeting}).scalar_one() == kept
        for table in ("agenda_items", "participations", "search_documents"):
            stray = connection.exec_driver_sql(
                f"SELECT count(*) FROM {table} WHERE meeting_id NOT IN (SELECT id FROM meetings)"
            ).scalar_one()
            assert stray == 0, table
    engine.dispose()


def test_0006_refuses_to_leave_references_to_missing_rows_on_sqlite(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("sqlite")
    engine = load_release_0005(url)
    # A row that foreign keys on would not have let in: sqlite3 leaves them off.
    with closing(sqlite3.connect(str(make_url(url).database))) as connection, connection:
        connection.execute("UPDATE agenda_items SET case_id = '99-1' WHERE number = 1")
    with pytest.raises(MigrationError, match=r"agenda_items row \d+, into cases"):
        upgrade(url, organization=HOME)
    assert current_revision(engine) == "0005"  # and its tables as they were
    assert "organizations" not in sa.inspect(engine).get_table_names()
    assert "sequence" in {c["name"] for c in sa.inspect(engine).get_columns("meetings")}
    engine.dispose()


def test_sqlite_migrations_on_a_given_connection_turn_foreign_keys_back_on(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("sqlite")
    engine = load_release_0005(url)
    config = alembic_config(url)
    config.attributes["organization"] = HOME
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        with connection.begin(), pytest.raises(MigrationError, match="inside a transaction"):
            command.upgrade(config, "head")  # too late to turn foreign keys off
        command.upgrade(config, "head")
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # Copying a table to alter it deleted nothing that referred to it.
    counts = {name: len(table["rows"]) for name, table in RELEASE_0005["tables"].items()}
    entities = ("bodies", "persons", "cases", "meetings", "agenda_items", "decisions")
    assert {table: len(rows) for table, rows in _head_keys(engine).items()} == {
        **counts,
        "organizations": 1,
        # Each entity announced once by 0010 (the feed's ids).
        "changes": 1 + sum(counts[table] for table in entities),
    }
    engine.dispose()


def _outcomes(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT id, outcome FROM decisions")
        return {key: outcome for key, outcome in rows}


def _participation_columns(engine: sa.Engine) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns("participations")}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0007_allows_recommended_adds_parties_and_downgrades_to_approved(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    url = new_database(engine_name)
    engine = load_release_0005(url)
    upgrade(url, "0006", organization=HOME)
    words = sa.text("UPDATE decisions SET text = :text, outcome = :outcome WHERE id = :id")
    with engine.begin() as connection:
        recommended, assented = sorted(
            connection.exec_driver_sql("SELECT id FROM decisions").scalars()
        )[:2]
        # As revision 0006's rules had them: no RECOMMENDED, no "tilsluttede sig".
        connection.execute(
            words,
            [
                {"id": recommended, "text": "Indstilles godkendt.", "outcome": "APPROVED"},
                {"id": assented, "text": "Direktionen tilsluttede sig.", "outcome": "OTHER"},
            ],
        )
        with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
            connection.execute(words, {"id": recommended, "text": "", "outcome": "RECOMMENDED"})
    before = _outcomes(engine)
    assert "party" not in _participation_columns(engine)

    upgrade(url)
    command.check(alembic_config(url))  # raises when models and migrations drift
    # The stored decisions read as an ingest of their text now gives them.
    assert _outcomes(engine) == before | {recommended: "RECOMMENDED", assented: "APPROVED"}
    assert "party" in _participation_columns(engine)
    with engine.begin() as connection:
        parties = connection.exec_driver_sql("SELECT party FROM participations").scalars()
        assert set(parties) == {None}  # only parsing the documents again can tell
        connection.exec_driver_sql("UPDATE participations SET party = 'Ø' WHERE position = 1")
        with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
            connection.execute(words, {"id": assented, "text": "", "outcome": "MAYBE"})

    downgrade(url, "0006")
    assert _outcomes(engine) == before | {recommended: "APPROVED", assented: "APPROVED"}
    assert "party" not in _participation_columns(engine)
    with engine.begin() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(words, {"id": recommended, "text": "", "outcome": "RECOMMENDED"})

    upgrade(url)
    assert _outcomes(engine)[recommended] == "RECOMMENDED"
    engine.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_check_constraints_allow_the_values_of_the_models(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    """alembic check does not compare check constraints: the values each allows, as the
    migrations made it, are those of the model (the records' enums)."""
    url = new_database(engine_name)
    upgrade(url)
    engine = create_engine(url)
    inspector = sa.inspect(engine)
    compared = 0
    for table in SQLModel.metadata.sorted_tables:
        made = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                name = str(constraint.name)  # the naming convention's, once applied
                sql = made[name if name.startswith("ck_") else f"ck_{table.name}_{name}"]
                assert _quoted(sql) == _quoted(str(constraint.sqltext)), table.name
                compared += 1
    assert compared == 7
    engine.dispose()


def _quoted(sql: str) -> list[str]:
    return sorted(re.findall(r"'(\w+)'", sql))


def test_0009_leaves_indexing_inserted_rows_to_ingest_and_back_again(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("sqlite")  # PostgreSQL's tsvector is a column: nothing changes
    upgrade(url)
    engine = create_engine(url, for_writing=True)
    ingest_paths(engine, RELEASE_0005_DOCUMENTS, workers=1, organization=HOME)

    def triggers() -> set[str]:
        with engine.connect() as connection:
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
            return {name.rsplit("_", 1)[1] for name in names if name.startswith("search_fts_")}

    before = _search(engine)
    assert len(before["godkende"]) > 5
    assert triggers() == {"ad", "au"}
    downgrade(url, "0008")
    assert triggers() == {"ai", "ad", "au"}
    with engine.begin() as connection:  # a row inserted then is indexed by its trigger
        connection.exec_driver_sql(
            "INSERT INTO search_documents (rowid, id, kind, agenda_item_id, meeting_id, "
            "body_id, date, tokens) SELECT rowid + 1000, id || '-copy', kind, agenda_item_id, "
            "meeting_id, body_id, date, tokens FROM search_documents "
            "WHERE tokens LIKE '%godkende%' LIMIT 1"
        )
    assert len(_search(engine)["godkende"]) == len(before["godkende"]) + 1
    upgrade(url)
    assert triggers() == {"ad", "au"}
    engine.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_0010_announces_every_stored_entity_once_and_downgrades_without_the_feed(
    engine_name: str, new_database: Callable[[str], str]
) -> None:
    """A mirror that reads the feed from its start gets the whole archive, stored before
    the feed was there: each entity node(id:) answers, CREATED, parents first."""
    url = new_database(engine_name)
    engine = load_release_0005(url)
    upgrade(url, organization=HOME)
    tables = PARENTS_FIRST
    with engine.connect() as connection:
        feed = connection.exec_driver_sql("SELECT type, id, action FROM changes ORDER BY seq").all()
        stored = {
            (kind, id_)
            for kind, table in tables.items()
            for (id_,) in connection.exec_driver_sql(f"SELECT id FROM {table}")
        }
    assert {action for _, _, action in feed} == {"CREATED"}
    assert sorted((kind, id_) for kind, id_, _ in feed) == sorted(stored)
    order = [kind for kind, _, _ in feed]
    assert order == sorted(order, key=list(tables).index)  # parents before children
    downgrade(url, "0009")
    assert "changes" not in sa.inspect(engine).get_table_names()
    upgrade(url)
    engine.dispose()
