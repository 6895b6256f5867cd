"""``store_meeting``: one parsed document's records mapped to rows, in the caller's
transaction, so a document is stored whole or not at all."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from api import models
from api.loaders import ids
from api.loaders.organizations import organization_kind
from api.loaders.parser import PARSER_VERSION
from api.loaders.records import DocumentKind, Minutes
from api.search import partitions
from api.search.normalise import tokens
from api.search.order import DAY, day_key

_MEETINGS: sa.Table = models.Meeting.__table__  # type: ignore[attr-defined]
_DOCUMENTS: sa.Table = models.Document.__table__  # type: ignore[attr-defined]
_BODIES: sa.Table = models.Body.__table__  # type: ignore[attr-defined]
_SHARED: dict[str, sa.Table] = {
    "organizations": models.Organization.__table__,  # type: ignore[attr-defined]
    "bodies": _BODIES,
    "persons": models.Person.__table__,  # type: ignore[attr-defined]
    "cases": models.Case.__table__,  # type: ignore[attr-defined]
}
# The rows of a meeting's content, in insertion order, with their columns. They go to
# the driver's executemany directly: SQLAlchemy's per-statement work would otherwise
# cost more than the inserts themselves.
_CONTENT: dict[str, tuple[str, ...]] = {
    "participations": ("meeting_id", "is_absent", "position", "person_id", "role", "party"),
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
    """Where a document came from and what it was, byte for byte.

    ``name`` is the file's name relative to the ingest root (``2023/referat.pdf``; see
    api.loaders.ingest.source_name), published as ``Meeting.sourceFile``: never an
    absolute path. The file a meeting came from is known by it (``_stored_meetings``)."""

    name: str
    sha256: str
    size: int

    @classmethod
    def of(cls, name: str, data: bytes) -> Source:
        """An absolute path is cut to the file's own name: the server's paths are not
        published."""
        for flavour in (PurePosixPath, PureWindowsPath):
            if flavour(name).anchor:  # /srv/referater/x.pdf, C:\referater\x.pdf
                name = flavour(name).name
        return cls(name, hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True, slots=True)
class StoreResult:
    outcome: StoreOutcome
    meeting_id: str
    reason: str | None = None
    # Keys of shared rows (organizations, bodies, persons, cases) this transaction relies on.
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
    organization: str,
    now: dt.datetime,
    known: KnownKeys | None = None,
) -> StoreResult:
    """Insert the meeting, or replace it in place when its content changed.

    ``organization`` is the name of the organization whose minutes these are. Must run
    inside a transaction. Concurrent writers of the same meeting are serialised (an
    advisory lock on PostgreSQL, the write lock on SQLite), so two ingest processes
    never store the same meeting twice.
    """
    organization_id = ids.organization_id(organization)
    body_id = ids.body_id(organization_id, minutes.body)
    meeting = ids.meeting_id(body_id, minutes.date, minutes.starts_at)
    _begin_write(connection, f"{body_id}/{minutes.date.isoformat()}")
    known = known or KnownKeys()
    rows = _content_rows(minutes, organization_id, body_id, meeting)
    shared = {
        "organizations": [
            {
                "id": organization_id,
                "name": organization,
                "kind": organization_kind(organization).value,
            }
        ],
        "bodies": [{"id": body_id, "organization_id": organization_id, "name": minutes.body}],
        "persons": rows.pop("persons"),
        "cases": rows.pop("cases"),
    }
    for table, shared_rows in shared.items():
        _insert_missing(connection, _SHARED[table], shared_rows, known.keys[table])
    existing, replaced = _stored_meetings(connection, minutes, organization_id, meeting, source)
    for stale in replaced:
        _delete_content(connection, stale)
        connection.execute(_MEETINGS.delete().where(_MEETINGS.c.id == stale))
    if existing is None:
        connection.execute(
            _MEETINGS.insert(),
            _meeting_row(minutes, source, now) | {
                "id": meeting, "body_id": body_id, "ingested_at": now,
            },
        )  # fmt: skip
        outcome = StoreOutcome.INGESTED
    else:
        if existing.sha256 == source.sha256 and existing.parser_version == PARSER_VERSION:
            return StoreResult(StoreOutcome.SKIPPED, meeting, "already ingested")
        if existing.kind == DocumentKind.MINUTES.value and minutes.kind is DocumentKind.AGENDA:
            return StoreResult(
                StoreOutcome.SKIPPED, meeting, "an agenda never replaces the meeting's minutes"
            )
        _delete_content(connection, meeting)
        connection.execute(
            _MEETINGS.update().where(_MEETINGS.c.id == meeting), _meeting_row(minutes, source, now)
        )
        outcome = StoreOutcome.UPDATED
    _insert_content(connection, minutes.date, rows)
    connection.execute(
        _DOCUMENTS.insert(),
        {
            "meeting_id": meeting,
            "source_path": source.name,
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
        "source_file": source.name,
        "source_sha256": source.sha256,
        "updated_at": now,
    }


def _stored_meetings(
    connection: sa.Connection,
    minutes: Minutes,
    organization_id: str,
    meeting: str,
    source: Source,
) -> tuple[sa.Row[*tuple[Any, ...]] | None, list[str]]:
    """The stored version of this meeting (its kind, sha256 and parser version), if any,
    and the meetings that the same file held as another one of that day, so that the
    meeting it held is this one, under its new id: the file now gives another start
    time, or names another organization than it was stored under (a letterhead read
    since).

    The same file is the same name relative to the ingest root and, for a meeting of
    another organization, the same content too: names such as ``2023/referat.pdf``
    recur in every municipality's archive, and one organization's file never replaces
    another's meeting of that day unless it is byte for byte the document stored."""
    rows = connection.execute(
        sa.select(
            _MEETINGS.c.id,
            _MEETINGS.c.kind,
            _DOCUMENTS.c.sha256,
            _DOCUMENTS.c.parser_version,
            _DOCUMENTS.c.source_path,
            _BODIES.c.organization_id,
        )
        .join(_DOCUMENTS, _DOCUMENTS.c.meeting_id == _MEETINGS.c.id)
        .join(_BODIES, _BODIES.c.id == _MEETINGS.c.body_id)
        .where(
            _MEETINGS.c.date == minutes.date,
            sa.or_(
                _MEETINGS.c.id == meeting,
                sa.and_(_DOCUMENTS.c.source_path == source.name, _BODIES.c.name == minutes.body),
            ),
        )
    ).all()
    existing = next((row for row in rows if row.id == meeting), None)
    replaced = [
        row.id
        for row in rows
        if row.id != meeting
        and row.source_path == source.name
        and (row.organization_id == organization_id or row.sha256 == source.sha256)
    ]
    return existing, replaced


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


def _content_rows(
    minutes: Minutes, organization: str, body: str, meeting: str
) -> dict[str, list[Any]]:
    """Rows for the content tables (as lists in _CONTENT's column order) and for the
    shared tables (as dicts)."""
    people = [(False, p) for p in minutes.participants] + [(True, p) for p in minutes.absentees]
    persons: dict[str, str] = {}
    positions: Counter[bool] = Counter()
    participations = []
    for is_absent, person in people:
        person_id = ids.person_id(organization, person.name)
        persons.setdefault(person_id, person.name)
        positions[is_absent] += 1
        participations.append(
            [meeting, is_absent, positions[is_absent], person_id, person.role, person.party]
        )
    cases = {i.case_number for i in minutes.items if i.case_number}
    items: list[list[Any]] = []
    sections: list[list[Any]] = []
    decisions: list[list[Any]] = []
    attachments: list[list[Any]] = []
    searchable: list[list[Any]] = []
    for item in minutes.items:
        item_id = ids.agenda_item_id(meeting, item.number)
        case = ids.case_id(organization, item.case_number) if item.case_number else None
        items.append([item_id, meeting, item.number, item.title, case, item.is_closed, item.page])
        sections += [
            [item_id, position, s.kind.value, s.heading, s.text]
            for position, s in enumerate(item.sections, start=1)
        ]
        decision_ids = ids.decision_ids(item_id, ((d.body, d.date) for d in item.decisions))
        item_decisions = [
            [decision_id, item_id, position, d.body, d.date, d.text, d.outcome.value]
            for position, (decision_id, d) in enumerate(
                zip(decision_ids, item.decisions, strict=True), start=1
            )
        ]
        decisions += item_decisions
        attachments += [
            [item_id, position, a.title, a.file_extension]
            for position, a in enumerate(item.attachments, start=1)
        ]
        if not item.is_closed:  # a closed item is never found
            text = [
                item.title,
                *(s.text for s in item.sections),
                *(a.title for a in item.attachments),
            ]
            searchable.append(
                [item_id, "AgendaItem", item_id, meeting, body, minutes.date, _lemmas(text)]
            )
            searchable += [
                [row[0], "Decision", item_id, meeting, body, minutes.date, _lemmas([d.text])]
                for row, d in zip(item_decisions, item.decisions, strict=True)
            ]
    return {
        "persons": [
            {"id": k, "organization_id": organization, "name": v, "name_key": v.casefold()}
            for k, v in persons.items()
        ],
        "cases": [
            {
                "id": ids.case_id(organization, n),
                "organization_id": organization,
                "number": n,
                "year": ids.case_year(n, minutes.date.year),
            }
            for n in sorted(cases)
        ],
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


def _insert_content(connection: sa.Connection, date: dt.date, rows: dict[str, list[Any]]) -> None:
    """Insert the content rows, one executemany (COPY on PostgreSQL) a table."""
    postgres = connection.dialect.name == "postgresql"
    cursor = connection.connection.cursor()
    try:
        if postgres:
            for row in rows["search_documents"]:
                row[6] = _tsvector(row[6])
        else:  # dates as SQLAlchemy stores them in SQLite, ISO text
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
