"""A batch's new rows, gathered across its documents and inserted together: one
executemany (COPY on PostgreSQL) a table for as many documents as can go at once, not
one a table for every document: the calls, round trips and savepoints of each document
cost more than its rows.

Rows go in parents first (shared rows, meetings, content, documents), so every foreign
key finds its row; shared rows in key order, so that two transactions inserting
overlapping sets lock them in the same order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from api import models
from api.search import partitions
from api.search.order import DAY, day_key

_MEETINGS: sa.Table = models.Meeting.__table__  # type: ignore[attr-defined]
_DOCUMENTS: sa.Table = models.Document.__table__  # type: ignore[attr-defined]
# Parents first: bodies refer to organizations.
SHARED_ORDER = ("organizations", "bodies", "persons", "cases")
# The rows of a meeting's content, in insertion order, with their columns. They go to
# the driver's executemany directly: SQLAlchemy's per-statement work would otherwise
# cost more than the inserts themselves.
CONTENT: dict[str, tuple[str, ...]] = {
    "participations": ("meeting_id", "is_absent", "position", "person_id", "role", "party"),
    "agenda_items": ("id", "meeting_id", "number", "title", "case_id", "is_closed", "page"),
    "sections": ("agenda_item_id", "position", "kind", "heading", "text"),
    "decisions": ("id", "agenda_item_id", "position", "body", "date", "text", "outcome"),
    "attachments": ("agenda_item_id", "position", "title", "file_extension"),
    # The last column is the lemmas: SQLite stores them as text for FTS5 to index,
    # PostgreSQL as the tsvector built from them (api.search.normalise.tsvector_text).
    "search_documents": ("id", "kind", "agenda_item_id", "meeting_id", "body_id", "date", "tokens"),
}
_POSTGRES_COLUMNS = {"search_documents": (*CONTENT["search_documents"][:-1], "tsv")}
# SQLite also gets the rowid, which orders search documents by date (api.search.order).
_SQLITE_FIRST = {"search_documents": ("rowid",)}
_SQLITE_INSERTS = {
    table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['?'] * len(cols))})"
    for table, cols in ((t, _SQLITE_FIRST.get(t, ()) + c) for t, c in CONTENT.items())
}
# A search document on its way to SQLite's full-text index: year, rowid, tokens.
Indexed = tuple[int, int, str]


class PendingRows:
    """New rows of one or more documents, not yet inserted."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        # SQLite: the next free search rowid of each day this batch stores, so that
        # documents of one day waiting together never share one. Only ever ahead of
        # the table (rows rolled back leave gaps), so it holds for the transaction.
        self.next_rowid: dict[dt.date, int] = {}
        self.clear()

    def clear(self) -> None:
        """Forget the rows not inserted (their document was rolled back)."""
        self.shared: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in SHARED_ORDER}
        self.meetings: list[dict[str, Any]] = []
        self.content: dict[str, list[list[Any]]] = {table: [] for table in CONTENT}
        self.documents: list[dict[str, Any]] = []
        self.indexed: list[Indexed] = []

    def add_shared(self, table: str, rows: list[dict[str, Any]], known: set[str]) -> None:
        """Shared rows whose key is neither ``known`` (stored) nor waiting already."""
        waiting = self.shared[table]
        for row in rows:
            if row["id"] not in known:
                waiting.setdefault(str(row["id"]), row)

    def add_content(self, date: dt.date, rows: dict[str, list[list[Any]]]) -> None:
        """A document's content rows; SQLite's search documents get their rowids here."""
        searchable = rows["search_documents"]
        if not self.postgres and searchable:
            rowid = self.next_rowid.get(date)
            if rowid is None:
                rowid = _next_search_rowid(self.connection, date)
            self.next_rowid[date] = rowid + len(searchable)
            searchable = [[rowid + place, *row] for place, row in enumerate(searchable)]
            self.indexed += [(date.year, row[0], row[-1]) for row in searchable]
            rows = rows | {"search_documents": searchable}
        for table, table_rows in rows.items():
            self.content[table] += table_rows

    def flush(self) -> list[Indexed]:
        """Insert every row waiting; SQLite's search documents inserted, for the caller
        to index (api.loaders.store._SearchIndex)."""
        connection = self.connection
        cursor = connection.connection.cursor()
        try:
            for table in SHARED_ORDER:
                _insert_missing(connection, cursor, table, self.shared[table])
            if self.meetings:
                connection.execute(_MEETINGS.insert(), self.meetings)
            for year in sorted({year for year, _, _ in self.indexed}):
                partitions.ensure_year(cursor, year)
            for table, rows in self.content.items():
                if rows and self.postgres:
                    # COPY: one message stream for all rows, not a statement per row;
                    # the server still checks every constraint and foreign key.
                    columns = ", ".join(_POSTGRES_COLUMNS.get(table, CONTENT[table]))
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                elif rows:
                    cursor.executemany(_SQLITE_INSERTS[table], rows)
            if self.documents:
                connection.execute(_DOCUMENTS.insert(), self.documents)
        finally:
            cursor.close()
        indexed = self.indexed
        self.clear()
        return indexed


def _next_search_rowid(connection: sa.Connection, date: dt.date) -> int:
    """The first free rowid among the search documents dated ``date``. Writers hold
    SQLite's write lock, so no other transaction takes it meanwhile."""
    low = day_key(date)
    highest = connection.exec_driver_sql(
        "SELECT max(rowid) FROM search_documents WHERE rowid >= ? AND rowid < ?",
        (low, low + DAY),
    ).scalar()
    return low if highest is None else int(highest) + 1


def _insert_missing(
    connection: sa.Connection, cursor: Any, table: str, rows: dict[str, dict[str, Any]]
) -> None:
    """Insert rows whose primary key is new; leave existing ones as they are. In key
    order (see the module's docstring)."""
    if not rows:
        return
    new = [rows[key] for key in sorted(rows)]
    columns = list(new[0])
    marks = ", ".join(["%s" if connection.dialect.paramstyle != "qmark" else "?"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    cursor.executemany(sql, [tuple(row.values()) for row in new])
