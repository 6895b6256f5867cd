"""``store_meeting``: one parsed document's records mapped to rows, in the caller's
transaction, so a document is stored whole or not at all."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from api import models
from api.loaders import ids
from api.loaders.parser import PARSER_VERSION
from api.loaders.records import DocumentKind, Minutes
from api.search import partitions
from api.search.normalise import tokens
from api.search.order import DAY, day_key

_MEETINGS: sa.Table = models.Meeting.__table__  # type: ignore[attr-defined]
_DOCUMENTS: sa.Table = models.Document.__table__  # type: ignore[attr-defined]
_SHARED: dict[str, sa.Table] = {
    "bodies": models.Body.__table__,  # type: ignore[attr-defined]
    "persons": models.Person.__table__,  # type: ignore[attr-defined]
    "cases": models.Case.__table__,  # type: ignore[attr-defined]
}
# The rows of a meeting's content, in insertion order, with their columns. They go to
# the driver's executemany directly: SQLAlchemy's per-statement work would otherwise
# cost more than the inserts themselves.
_CONTENT: dict[str, tuple[str, ...]] = {
    "participations": ("meeting_id", "is_absent", "position", "person_id", "role"),
    "agenda_items": ("id", "meeting_id", "number", "title", "case_id", "is_closed", "page"),
    "sections": ("agenda_item_id", "position", "kind", "heading", "text"),
    "decisions": ("id", "agenda_item_id", "position", "body", "date", "text", "outcome"),
    "attachments": ("agenda_item_id", "position", "title", "file_extension"),
    # The last column is the lemmas: SQLite stores them as text for FTS5 to index,
    # PostgreSQL as the tsvector built here from them (see _tsvector).
    "search_documents": ("id", "kind", "agenda_item_id", "meeting_id", "body_id", "date", "tokens"),
}
_POSTGRES_COLUMNS = {"search_documents": (*_CONTENT["search_documents"][:-1], "tsv")}
# SQLite also gets the rowid, which orders search documents by date (api.search.order).
_SQLITE_FIRST = {"search_documents": ("rowid",)}
_INSERTS = {
    table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['?'] * len(cols))})"
    for table, cols in ((t, _SQLITE_FIRST.get(t, ()) + c) for t, c in _CONTENT.items())
}


class StoreOutcome(enum.Enum):
    INGESTED = "ingested"
    UPDATED = "updated"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a document came from and what it was, byte for byte."""

    path: str
    sha256: str
    size: int

    @classmethod
    def of(cls, path: str, data: bytes) -> Source:
        return cls(path, hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True, slots=True)
class StoreResult:
    outcome: StoreOutcome
    meeting_id: str
    reason: str | None = None
    # Keys of shared rows (bodies, persons, cases) this transaction relies on.
    shared: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class KnownKeys:
    """Shared rows known to be committed, so that an ingest run need not insert them
    again. Fill it only after a commit: a rolled-back row is not known."""

    keys: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in _SHARED})

    def add(self, shared: dict[str, frozenset[str]]) -> None:
        for table, keys in shared.items():
            self.keys[table] |= keys


def store_meeting(
    connection: sa.Connection,
    minutes: Minutes,
    source: Source,
    *,
    now: dt.datetime,
    known: KnownKeys | None = None,
) -> StoreResult:
    """Insert the meeting, or replace it in place when its content changed.

    Must run inside a transaction. Concurrent writers of the same meeting are serialised
    (an advisory lock on PostgreSQL, the write lock on SQLite), so two ingest processes
    never store the same meeting twice.
    """
    body_id = ids.slugify(minutes.body)
    _begin_write(connection, f"{body_id}/{minutes.date.isoformat()}")
    known = known or KnownKeys()
    rows = _content_rows(minutes)
    shared = {
        "bodies": [{"id": body_id, "name": minutes.body}],
        "persons": rows.pop("persons"),
        "cases": rows.pop("cases"),
    }
    for table, shared_rows in shared.items():
        _insert_missing(connection, _SHARED[table], shared_rows, known.keys[table])
    existing, sequence = _same_meeting(connection, body_id, minutes, source)
    if existing is None:
        meeting = ids.meeting_id(body_id, minutes.date, sequence)
        connection.execute(
            _MEETINGS.insert(),
            _meeting_row(minutes, source, now) | {
                "id": meeting, "body_id": body_id, "sequence": sequence, "ingested_at": now,
            },
        )  # fmt: skip
        outcome = StoreOutcome.INGESTED
    else:
        meeting, stored_kind, stored_sha, stored_version = existing
        if stored_sha == source.sha256 and stored_version == PARSER_VERSION:
            return StoreResult(StoreOutcome.SKIPPED, meeting, "already ingested")
        if stored_kind == DocumentKind.MINUTES.value and minutes.kind is DocumentKind.AGENDA:
            return StoreResult(
                StoreOutcome.SKIPPED, meeting, "an agenda never replaces the meeting's minutes"
            )
        _delete_content(connection, meeting)
        connection.execute(
            _MEETINGS.update().where(_MEETINGS.c.id == meeting), _meeting_row(minutes, source, now)
        )
        outcome = StoreOutcome.UPDATED
    _insert_content(connection, meeting, body_id, minutes.date, rows)
    connection.execute(
        _DOCUMENTS.insert(),
        {
            "meeting_id": meeting,
            "source_path": source.path,
            "sha256": source.sha256,
            "size": source.size,
            "parser_version": PARSER_VERSION,
            "ingested_at": now,
            "warnings": "\n".join(minutes.warnings),
        },
    )
    keys = {
        table: frozenset(str(r["id"]) for r in shared_rows) for table, shared_rows in shared.items()
    }
    return StoreResult(outcome, meeting, shared=keys)


def _meeting_row(minutes: Minutes, source: Source, now: dt.datetime) -> dict[str, Any]:
    return {
        "date": minutes.date,
        "kind": minutes.kind.value,
        "title": minutes.title,
        "starts_at": minutes.starts_at,
        "location": minutes.location,
        "source_file": source.path,
        "source_sha256": source.sha256,
        "updated_at": now,
    }


def _same_meeting(
    connection: sa.Connection, body_id: str, minutes: Minutes, source: Source
) -> tuple[tuple[str, str, str, str] | None, int]:
    """The stored meeting this document is a version of, if any, and else the sequence
    number a new meeting of this body on this day gets.

    One body's meetings on one day are told apart by their start time: the agenda and
    the minutes of a meeting share it, a second meeting that day has another. A document
    from the same file as a stored one is always that meeting.
    """
    rows = connection.execute(
        sa.select(
            _MEETINGS.c.id,
            _MEETINGS.c.kind,
            _MEETINGS.c.sequence,
            _MEETINGS.c.starts_at,
            _DOCUMENTS.c.source_path,
            _DOCUMENTS.c.sha256,
            _DOCUMENTS.c.parser_version,
        )
        .join(_DOCUMENTS, _DOCUMENTS.c.meeting_id == _MEETINGS.c.id)
        .where(_MEETINGS.c.body_id == body_id, _MEETINGS.c.date == minutes.date)
        .order_by(_MEETINGS.c.sequence)
    ).all()
    matches = [row for row in rows if row.source_path == source.path] or [
        row
        for row in rows
        if row.starts_at is None or minutes.starts_at is None or row.starts_at == minutes.starts_at
    ]
    if matches:
        row = matches[0]
        return (row.id, row.kind, row.sha256, row.parser_version), row.sequence
    return None, max((row.sequence for row in rows), default=0) + 1


def _delete_content(connection: sa.Connection, meeting: str) -> None:
    items = "SELECT id FROM agenda_items WHERE meeting_id = ?"
    statements = [
        f"DELETE FROM {table} WHERE agenda_item_id IN ({items})"
        for table in ("sections", "decisions", "attachments")
    ] + [
        f"DELETE FROM {table} WHERE meeting_id = ?"
        for table in ("search_documents", "agenda_items", "participations", "documents")
    ]
    cursor = connection.connection.cursor()
    try:
        for statement in statements:
            cursor.execute(_paramstyle(connection, statement), (meeting,))
    finally:
        cursor.close()


def _content_rows(minutes: Minutes) -> dict[str, list[Any]]:
    """Rows for the content tables (as tuples in _CONTENT's column order; the meeting id
    is filled in later) and for the shared tables (as dicts)."""
    people = [(False, p) for p in minutes.participants] + [(True, p) for p in minutes.absentees]
    persons = {ids.slugify(p.name): p.name for _, p in people}
    positions: Counter[bool] = Counter()
    participations = []
    for is_absent, person in people:
        positions[is_absent] += 1
        participations.append(
            [None, is_absent, positions[is_absent], ids.slugify(person.name), person.role]
        )
    cases = {i.case_number for i in minutes.items if i.case_number}
    items: list[list[Any]] = []
    sections: list[list[Any]] = []
    decisions: list[list[Any]] = []
    attachments: list[list[Any]] = []
    searchable: list[list[Any]] = []
    for item in minutes.items:
        number = item.number
        case = ids.case_id(item.case_number) if item.case_number else None
        items.append([number, None, number, item.title, case, item.is_closed, item.page])
        sections += [
            [number, position, s.kind.value, s.heading, s.text]
            for position, s in enumerate(item.sections, start=1)
        ]
        per_date: Counter[dt.date] = Counter()
        for position, d in enumerate(item.decisions, start=1):
            per_date[d.date] += 1
            decisions.append(
                [(number, d.date, per_date[d.date]), number, position, d.body, d.date, d.text,
                 d.outcome.value]
            )  # fmt: skip
        attachments += [
            [number, position, a.title, a.file_extension]
            for position, a in enumerate(item.attachments, start=1)
        ]
        if not item.is_closed:  # a closed item is never found
            text = [
                item.title,
                *(s.text for s in item.sections),
                *(a.title for a in item.attachments),
            ]
            searchable.append([number, "AgendaItem", number, None, None, None, _lemmas(text)])
            searchable += [
                [row[0], "Decision", number, None, None, None, _lemmas([row[5]])]
                for row in decisions
                if row[1] == number
            ]
    return {
        "persons": [{"id": k, "name": v, "name_key": v.casefold()} for k, v in persons.items()],
        "cases": [{"id": ids.case_id(n), "number": n, "year": ids.case_year(n)} for n in cases],
        "participations": participations,
        "agenda_items": items,
        "sections": sections,
        "decisions": decisions,
        "attachments": attachments,
        "search_documents": searchable,
    }


def _lemmas(texts: list[str]) -> str:
    return " ".join(" ".join(tokens(text)) for text in texts if text)


def _tsvector(lemmas: str) -> str:
    """The tsvector of the lemmas in PostgreSQL's input syntax, positions included; no
    parser or locale is involved, so PostgreSQL indexes exactly what SQLite does."""
    positions: dict[str, list[str]] = {}
    for position, word in enumerate(lemmas.split(), start=1):
        positions.setdefault(word, []).append(str(min(position, 16383)))
    return " ".join(f"'{word}':{','.join(at)}" for word, at in positions.items())


def _insert_content(
    connection: sa.Connection,
    meeting: str,
    body_id: str,
    date: dt.date,
    rows: dict[str, list[Any]],
) -> None:
    """Fill in the meeting's ids and insert the content rows, one executemany a table."""
    item_id = {row[0]: ids.agenda_item_id(meeting, row[0]) for row in rows["agenda_items"]}
    for row in rows["participations"]:
        row[0] = meeting
    for row in rows["agenda_items"]:
        row[0], row[1] = item_id[row[0]], meeting
    for name in ("sections", "attachments"):
        for row in rows[name]:
            row[0] = item_id[row[0]]
    decision_id = {}
    for row in rows["decisions"]:
        key = row[0]
        number, day, occurrence = key
        row[0], row[1] = ids.decision_id(item_id[number], day, occurrence), item_id[number]
        decision_id[key] = row[0]
    postgres = connection.dialect.name == "postgresql"
    for row in rows["search_documents"]:
        key = row[0]
        row[0] = item_id[key] if row[1] == "AgendaItem" else decision_id[key]
        row[2], row[3], row[4], row[5] = item_id[row[2]], meeting, body_id, date
        if postgres:
            row[6] = _tsvector(row[6])
    cursor = connection.connection.cursor()
    try:
        if not postgres:  # dates as SQLAlchemy stores them in SQLite, ISO text
            for row in rows["decisions"]:
                row[4] = row[4].isoformat()
            partitions.ensure_year(cursor, date.year)
            rowid = _next_search_rowid(cursor, date)
            for place, row in enumerate(rows["search_documents"]):
                row[5] = row[5].isoformat()
                row.insert(0, rowid + place)
        for table, sql in _INSERTS.items():
            if not rows[table]:
                continue
            if postgres:
                # COPY: one message stream for all rows, not a statement per row; the
                # server still checks every constraint and foreign key.
                columns = ", ".join(_POSTGRES_COLUMNS.get(table, _CONTENT[table]))
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, rows[table])
    finally:
        cursor.close()


def _next_search_rowid(cursor: Any, date: dt.date) -> int:
    """The first free rowid among the search documents dated ``date``. Writers hold
    SQLite's write lock, so no other transaction takes it meanwhile."""
    low = day_key(date)
    cursor.execute(
        "SELECT max(rowid) FROM search_documents WHERE rowid >= ? AND rowid < ?",
        (low, low + DAY),
    )
    (highest,) = cursor.fetchone()
    return low if highest is None else int(highest) + 1


def _paramstyle(connection: sa.Connection, sql: str) -> str:
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _insert_missing(
    connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]], known: set[str]
) -> None:
    """Insert rows whose primary key is new; leave existing ones as they are.

    Rows go in key order, so that two transactions inserting overlapping sets lock them
    in the same order and cannot deadlock.
    """
    new = sorted((row for row in rows if row["id"] not in known), key=lambda row: str(row["id"]))
    if not new:
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(postgresql.insert(table).on_conflict_do_nothing(), new)
    elif dialect == "sqlite":
        connection.execute(sqlite.insert(table).on_conflict_do_nothing(), new)
    else:  # pragma: no cover - only the two engines above are supported
        raise NotImplementedError(dialect)


def _begin_write(connection: sa.Connection, key: str) -> None:
    if connection.dialect.name == "postgresql":
        # Ingest is idempotent: a crash may lose the last few commits, never consistency,
        # and running ingest again restores them. Not waiting for the WAL flush on each
        # document's commit doubles the ingest rate.
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        lock = int.from_bytes(
            hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True
        )
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})
    # SQLite: the ingest engine begins every transaction IMMEDIATE, holding the write lock.
