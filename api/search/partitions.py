"""SQLite's full-text index: one FTS5 table a year of document dates.

Search ranks one year's matches at a time (api.queries). FTS5's bm25 weighs each term by
how rare it is, and counts that by walking every match of the term in its table, once
a query; FTS5 answers a prefix by merging every term that starts so. Over one table
for the whole archive both grew with it: at 100k meetings, ranking "godkende" spent
30 ms counting its 655k matches and "økonomi*" 80 ms merging. A table a year bounds
both by one year's documents, whatever the archive's size.

A year's table indexes the search documents of its rowid range (rowids follow dates,
api.search.order). Ingest fills it itself, a batch of documents at a time
(``insert_statement``; api.loaders.store): FTS5 flushes its pending terms at every
savepoint, so an insert trigger, firing inside each document's savepoint, cost three
times as much (migration 0009 dropped it). Triggers on search_documents still take a
deleted or changed row out. Storing a document makes its year's table first
(``ensure_year``); migration 0005 made those of the documents already stored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from api.search.order import day_key

# FTS5 tokenizes the stored lemmas; remove_diacritics 0 keeps å from becoming a.
TOKENIZER = "unicode61 remove_diacritics 0"
_NAME = re.compile(r"search_fts_(\d{4})")


def table(year: int) -> str:
    return f"search_fts_{year:04d}"


def rowids(year: int) -> tuple[int, int]:
    """The rowids of the year's documents: from the first, up to the second."""
    return day_key(dt.date(year, 1, 1)), day_key(dt.date(year + 1, 1, 1))


def create_statements(year: int) -> list[str]:
    """The year's FTS5 table and the triggers that take deleted and changed rows out
    (inserted rows are put in by whoever inserts them: ``insert_statement``)."""
    name = table(year)
    low, high = rowids(year)

    def within(row: str) -> str:
        return f"{row}.rowid >= {low} AND {row}.rowid < {high}"

    delete = f"INSERT INTO {name}({name}, rowid, tokens) SELECT 'delete', old.rowid, old.tokens"
    insert = f"INSERT INTO {name}(rowid, tokens) SELECT new.rowid, new.tokens"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5(tokens, "
        f"content='search_documents', content_rowid='rowid', tokenize='{TOKENIZER}')",
        f"CREATE TRIGGER IF NOT EXISTS {name}_ad AFTER DELETE ON search_documents "
        f"WHEN {within('old')} BEGIN {delete}; END",
        # One trigger for both sides of an update, so that the old entry goes before the
        # new one comes, also when a row stays in its year.
        f"CREATE TRIGGER IF NOT EXISTS {name}_au AFTER UPDATE ON search_documents "
        f"WHEN {within('old')} OR {within('new')} BEGIN "
        f"{delete} WHERE {within('old')}; {insert} WHERE {within('new')}; END",
    ]


def insert_trigger(year: int) -> str:
    """The trigger that indexed each row as it was inserted, from migration 0005 until
    0009 dropped it (ingest now indexes a batch's rows at once: ``insert_statement``)."""
    name = table(year)
    low, high = rowids(year)
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name}_ai AFTER INSERT ON search_documents "
        f"WHEN new.rowid >= {low} AND new.rowid < {high} BEGIN "
        f"INSERT INTO {name}(rowid, tokens) SELECT new.rowid, new.tokens; END"
    )


def insert_statement(year: int) -> str:
    """Index new search documents of the year: parameters rowid and tokens, one row each.
    The rows must be in search_documents already (the table's content)."""
    return f"INSERT INTO {table(year)}(rowid, tokens) VALUES (?, ?)"


def drop_statements(year: int) -> list[str]:
    name = table(year)
    # _ai: the insert trigger of tables made before migration 0009.
    triggers = [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in ("ai", "ad", "au")]
    return [*triggers, f"DROP TABLE IF EXISTS {name}"]


def ensure_year(cursor: Any, year: int) -> None:
    """Make the year's table, on a DB-API cursor inside the storing transaction."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table(year),))
    if cursor.fetchone() is None:
        for statement in create_statements(year):
            cursor.execute(statement)


def years(names: list[str]) -> list[int]:
    """The years of the tables among ``names`` (of sqlite_master), newest first."""
    found = (_NAME.fullmatch(name) for name in names)
    return sorted((int(match.group(1)) for match in found if match), reverse=True)
