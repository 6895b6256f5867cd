"""The database release 0005 made (tests/release_0005), loaded into a database at an
older revision on either engine: what migrations are tested on."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from api.db import create_engine
from api.loaders.store import _tsvector
from api.migrations import upgrade
from api.search import partitions
from tests.paths import ROOT

RELEASE_0005 = json.loads((ROOT / "tests" / "release_0005" / "database.json").read_text())
# The documents of the release's database, where a fresh ingest finds them.
RELEASE_0005_DOCUMENTS = [
    "seeds/001_8b76944810878f52.txt",
    "seeds/002_78977b299a6d627a.txt",
    "seeds/003_3a47a5f1bc055bc2.txt",
    "tests/fixtures/dagsorden_byraadet.txt",
    "tests/release_0005/002_afternoon.txt",
]


def load_release_0005(url: str, revision: str = "0005") -> sa.Engine:
    """The database at ``url`` brought to ``revision`` (0002-0005) and given what release
    0005 stored; an engine on it.

    PostgreSQL indexes search documents by a tsvector, made here from the stored lemmas
    as ingest makes it; at 0002 and 0003 it keeps the lemmas too. SQLite gets the
    release's rowids, and its triggers index the rows as they come.
    """
    upgrade(url, revision)
    engine = create_engine(url, for_writing=True)
    with engine.begin() as connection:
        sqlite = connection.dialect.name == "sqlite"
        for name, table in RELEASE_0005["tables"].items():  # parents before children
            types = {
                c.name: c.type for c in sa.Table(name, sa.MetaData(), autoload_with=connection).c
            }
            rows = records(table)
            if "tsv" in types:
                for row in rows:
                    row["tsv"] = _tsvector(row["tokens"])
            if name == "search_documents" and sqlite and revision == "0005":
                # Ingest makes a year's index before its first document.
                for year in {int(row["date"][:4]) for row in rows}:
                    partitions.ensure_year(connection.connection.cursor(), year)
                    # Indexed by a trigger then; by ingest itself since revision 0009.
                    connection.exec_driver_sql(partitions.insert_trigger(year))
            columns = [c for c in rows[0] if c in types or (c == "rowid" and sqlite)]
            values = [f"CAST(:{c} AS tsvector)" if c == "tsv" else f":{c}" for c in columns]
            insert = sa.text(
                f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join(values)})"
            ).bindparams(*(sa.bindparam(c, type_=types[c]) for c in columns if c in types))
            connection.execute(
                insert, [{c: _typed(types.get(c), row[c]) for c in columns} for row in rows]
            )
    return engine


def records(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def _typed(type_: Any, value: Any) -> Any:
    """A value of the JSON, as the Python value its column's type takes."""
    if value is None:
        return None
    if isinstance(type_, sa.DateTime):  # stored in UTC (api.utc)
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if isinstance(type_, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(type_, sa.Boolean):
        return bool(value)
    return value
