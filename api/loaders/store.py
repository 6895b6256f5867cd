"""``store_meeting``: one parsed document's records mapped to rows, in the caller's
transaction, so a document is stored whole or not at all."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import sqlite3
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import psycopg
import sqlalchemy as sa

from api import models
from api.loaders import changes, ids, locks
from api.loaders.inserts import Indexed, PendingRows
from api.loaders.organizations import organization_kind
from api.loaders.parser import PARSER_VERSION
from api.loaders.records import ChangeAction, DocumentKind, Minutes
from api.search import partitions
from api.search.normalise import lemma_text, tsvector_of, tsvector_text

_MEETINGS: sa.Table = models.Meeting.__table__  # type: ignore[attr-defined]
_DOCUMENTS: sa.Table = models.Document.__table__  # type: ignore[attr-defined]
_BODIES: sa.Table = models.Body.__table__  # type: ignore[attr-defined]
_SHARED: dict[str, sa.Table] = {
    "organizations": models.Organization.__table__,  # type: ignore[attr-defined]
    "bodies": _BODIES,
    "persons": models.Person.__table__,  # type: ignore[attr-defined]
    "cases": models.Case.__table__,  # type: ignore[attr-defined]
}
# The shared tables' entities that are new to the feed when their rows are (cases come
# and go with the items that refer to them: api.loaders.changes).
_SHARED_TYPES = {"organizations": "Organization", "bodies": "Body", "persons": "Person"}
# The store step's inserts use the driver directly, so its errors arrive unwrapped.
DATABASE_ERRORS = (sa.exc.SQLAlchemyError, sqlite3.Error, psycopg.Error)


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
    # Keys of shared rows (organizations, bodies, persons, cases) this document relies on.
    shared: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoreFailure:
    """A document the database refused; nothing of it was stored."""

    reason: str  # the first line of the database's message

    @classmethod
    def of(cls, error: Exception) -> StoreFailure:
        return cls(str(getattr(error, "orig", None) or error).strip().splitlines()[0])


@dataclass
class KnownKeys:
    """Shared rows known to be committed, so that an ingest run need not insert them
    again. Fill it only after a commit: a rolled-back row is not known."""

    keys: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in _SHARED})

    def add(self, shared: dict[str, frozenset[str]]) -> None:
        for table, keys in shared.items():
            self.keys[table] |= keys


@dataclass(slots=True)
class Prepared:
    """One parsed document as the rows that store it, built where it was parsed (in a
    worker process at ingest), so that storing it is lookups and inserts only."""

    source: Source
    meeting_id: str
    body_id: str
    body: str  # the body's name
    organization_id: str
    date: dt.date
    kind: DocumentKind
    meeting: dict[str, Any]  # the meetings row, less its times and ids
    shared: dict[str, list[dict[str, Any]]]  # organizations, bodies, persons, cases
    content: dict[str, list[list[Any]]]  # _CONTENT's tables, rows in its column order
    warnings: str

    def shared_keys(self) -> dict[str, frozenset[str]]:
        return {
            table: frozenset(str(row["id"]) for row in rows) for table, rows in self.shared.items()
        }


def prepare(minutes: Minutes, source: Source, *, organization: str, dialect: str) -> Prepared:
    """The rows of ``minutes`` as ``organization``'s, for a database of ``dialect``
    ("sqlite" or "postgresql"), whose search columns differ: lemmas as text for SQLite's
    FTS5, a tsvector's text for PostgreSQL."""
    organization_id = ids.organization_id(organization)
    body_id = ids.body_id(organization_id, minutes.body)
    meeting = ids.meeting_id(body_id, minutes.date, minutes.starts_at)
    content = _content_rows(minutes, organization_id, body_id, meeting, dialect)
    shared = {
        "organizations": [
            {
                "id": organization_id,
                "name": organization,
                "kind": organization_kind(organization).value,
            }
        ],
        "bodies": [{"id": body_id, "organization_id": organization_id, "name": minutes.body}],
        "persons": content.pop("persons"),
        "cases": content.pop("cases"),
    }
    return Prepared(
        source=source,
        meeting_id=meeting,
        body_id=body_id,
        body=minutes.body,
        organization_id=organization_id,
        date=minutes.date,
        kind=minutes.kind,
        meeting={
            "date": minutes.date,
            "kind": minutes.kind.value,
            "title": minutes.title,
            "starts_at": minutes.starts_at,
            "location": minutes.location,
            "source_file": source.name,
            "source_sha256": source.sha256,
        },
        shared=shared,
        content=content,
        warnings="\n".join(minutes.warnings),
    )


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
    document = prepare(minutes, source, organization=organization, dialect=connection.dialect.name)
    (stored,) = store_batch(connection, [document], now=now, known=known, savepoints=False)
    assert isinstance(stored, StoreResult), "without savepoints a failure raises"
    return stored


def store_batch(
    connection: sa.Connection,
    documents: Sequence[Prepared],
    *,
    now: dt.datetime,
    known: KnownKeys | None = None,
    savepoints: bool = True,
) -> list[StoreResult | StoreFailure]:
    """Store ``documents`` in the caller's transaction, in order, one result each.

    Each document goes in whole or not at all: one the database refuses is rolled back,
    whole, and reported; the others stay. ``known`` holds the shared rows committed
    before; it is not changed (add the results' keys after the commit). Without
    ``savepoints`` a refused document raises instead.
    """
    known = known or KnownKeys()
    _begin_write(connection, documents, known)
    if savepoints and len(documents) > 1:
        # Nearly every batch stores all its documents: first try them together, their
        # rows inserted a table at a time, under one savepoint. Only a batch that fails
        # goes again, a savepoint a document, so that the failing one is found and the
        # others land (bench/ingest.py: a savepoint and a round of inserts a document
        # cost more than the rows themselves).
        try:
            with connection.begin_nested():
                return _store_documents(connection, documents, now, known, isolate=False)
        except DATABASE_ERRORS:
            pass  # rolled back to the batch's savepoint, locks kept: one at a time now
    return _store_documents(connection, documents, now, known, isolate=savepoints)


def _store_documents(
    connection: sa.Connection,
    documents: Sequence[Prepared],
    now: dt.datetime,
    known: KnownKeys,
    *,
    isolate: bool,
) -> list[StoreResult | StoreFailure]:
    """Store the documents, with ``isolate`` each under its savepoint, its rows inserted
    inside it; else the rows of documents in a row wait and go in together."""
    stored = _StoredMeetings.of(connection, documents)
    seen = KnownKeys({table: set(keys) for table, keys in known.keys.items()})
    rows = PendingRows(connection)
    index = _SearchIndex()
    feed = changes.Pending()
    results: list[StoreResult | StoreFailure] = []
    for document in documents:
        existing, replaced = stored.find(document)
        if existing is not None or replaced:
            # What a replaced meeting holds is read and deleted below: every row of the
            # batch must be in place first, and in the index (deleting a search
            # document takes it out of the index, by a trigger).
            index.add(rows.flush())
            index.fill(connection)
        recorded = changes.Pending()
        try:
            with connection.begin_nested() if isolate else nullcontext():
                result = _store(connection, document, now, seen, stored, rows, recorded)
                indexed = rows.flush() if isolate else []
        except DATABASE_ERRORS as exc:
            if not isolate:
                raise
            rows.clear()
            results.append(StoreFailure.of(exc))
            continue
        results.append(result)
        if result.outcome is not StoreOutcome.SKIPPED:
            stored.replace(document, result)
            seen.add(result.shared)
            index.add(indexed)
            # Only now: a document rolled back to its savepoint changed nothing.
            feed.changes += recorded.changes
            feed.cases |= recorded.cases
            feed.shared |= {
                key: _SHARED_TYPES[table]
                for table, keys in result.shared.items()
                if table in _SHARED_TYPES
                for key in sorted(keys - known.keys[table])
            }
    index.add(rows.flush())
    index.fill(connection)
    changes.write(connection, feed, now)
    return results


class _SearchIndex:
    """SQLite: the search documents a batch stored, indexed in their years' FTS5 tables
    together, after the documents' savepoints (see api.search.partitions: indexed
    inside each savepoint, each document cost a segment flush)."""

    def __init__(self) -> None:
        self.pending: dict[int, list[tuple[int, str]]] = {}

    def add(self, rows: list[Indexed]) -> None:
        """Search documents stored (year, rowid, tokens): no savepoint rolls them back."""
        for year, rowid, tokens in rows:
            self.pending.setdefault(year, []).append((rowid, tokens))

    def fill(self, connection: sa.Connection) -> None:
        if not self.pending:
            return
        cursor = connection.connection.cursor()
        try:
            for year, rows in self.pending.items():
                cursor.executemany(partitions.insert_statement(year), rows)
        finally:
            cursor.close()
        self.pending = {}


def _store(
    connection: sa.Connection,
    document: Prepared,
    now: dt.datetime,
    seen: KnownKeys,
    stored: _StoredMeetings,
    rows: PendingRows,
    recorded: changes.Pending,
) -> StoreResult:
    """Store one document: what it replaces is deleted and updated here, its new rows
    go to ``rows``, to be inserted with its neighbours'; ``recorded`` gets its changes,
    for the batch to write once the document is in for good."""
    meeting = document.meeting_id
    existing, replaced = stored.find(document)
    if existing is not None:
        if existing.sha256 == document.source.sha256 and existing.parser_version == PARSER_VERSION:
            return StoreResult(StoreOutcome.SKIPPED, meeting, "already ingested")
        if existing.kind == DocumentKind.MINUTES.value and document.kind is DocumentKind.AGENDA:
            return StoreResult(
                StoreOutcome.SKIPPED, meeting, "an agenda never replaces the meeting's minutes"
            )
    for table, shared in document.shared.items():
        rows.add_shared(table, shared, seen.keys[table])
    before = changes.stored_content(connection, [m.id for m in (existing,) if m] + replaced)
    after = changes.prepared_content(document.content, digests=bool(before.entities))
    deleted, changed = changes.compare(before, after)
    meeting_change = ChangeAction.CREATED if existing is None else ChangeAction.UPDATED
    recorded.changes += [
        *deleted,
        *(changes.Change("Meeting", stale, ChangeAction.DELETED) for stale in replaced),
        changes.Change("Meeting", meeting, meeting_change),
        *changed,
    ]
    recorded.cases |= before.cases | after.cases
    for stale in replaced:
        delete_content(connection, stale)
        connection.execute(_MEETINGS.delete().where(_MEETINGS.c.id == stale))
    row = document.meeting | {"updated_at": now}
    if existing is None:
        rows.meetings.append(row | {"id": meeting, "body_id": document.body_id, "ingested_at": now})
        outcome = StoreOutcome.INGESTED
    else:
        delete_content(connection, meeting)
        connection.execute(_MEETINGS.update().where(_MEETINGS.c.id == meeting), row)
        outcome = StoreOutcome.UPDATED
    rows.add_content(document.date, document.content)
    rows.documents.append(
        {
            "meeting_id": meeting,
            "source_path": document.source.name,
            "sha256": document.source.sha256,
            "size": document.source.size,
            "parser_version": PARSER_VERSION,
            "ingested_at": now,
            "warnings": document.warnings,
        },
    )
    return StoreResult(outcome, meeting, shared=document.shared_keys())


@dataclass(frozen=True, slots=True)
class _Stored:
    """What decides whether a document replaces a stored meeting."""

    id: str
    kind: str
    date: dt.date
    sha256: str
    parser_version: str
    source_path: str
    organization_id: str
    body: str  # the body's name


@dataclass
class _StoredMeetings:
    """The stored meetings a batch of documents may replace, looked up in one query and
    kept in step as the batch stores its documents."""

    meetings: dict[str, _Stored]

    @classmethod
    def of(cls, connection: sa.Connection, documents: Sequence[Prepared]) -> _StoredMeetings:
        """The stored version of each document's meeting, and the meetings of its day
        that the same file held: see ``find``. By date first, which is indexed."""
        if not documents:
            return cls({})
        rows = connection.execute(
            sa.select(
                _MEETINGS.c.id,
                _MEETINGS.c.kind,
                _MEETINGS.c.date,
                _DOCUMENTS.c.sha256,
                _DOCUMENTS.c.parser_version,
                _DOCUMENTS.c.source_path,
                _BODIES.c.organization_id,
                _BODIES.c.name,
            )
            .join(_DOCUMENTS, _DOCUMENTS.c.meeting_id == _MEETINGS.c.id)
            .join(_BODIES, _BODIES.c.id == _MEETINGS.c.body_id)
            .where(
                _MEETINGS.c.date.in_(sorted({d.date for d in documents})),
                sa.or_(
                    _MEETINGS.c.id.in_(sorted({d.meeting_id for d in documents})),
                    _DOCUMENTS.c.source_path.in_(sorted({d.source.name for d in documents})),
                ),
            )
        ).all()
        return cls({row.id: _Stored(*row) for row in rows})

    def find(self, document: Prepared) -> tuple[_Stored | None, list[str]]:
        """The stored version of this meeting (its kind, sha256 and parser version), if
        any, and the meetings that the same file held as another one of that day, so
        that the meeting it held is this one, under its new id: the file now gives
        another start time, or names another organization than it was stored under (a
        letterhead read since).

        The same file is the same name relative to the ingest root and, for a meeting of
        another organization, the same content too: names such as ``2023/referat.pdf``
        recur in every municipality's archive, and one organization's file never
        replaces another's meeting of that day unless it is byte for byte the document
        stored."""
        source = document.source
        existing = self.meetings.get(document.meeting_id)
        replaced = [
            stored.id
            for stored in self.meetings.values()
            if stored.id != document.meeting_id
            and stored.date == document.date
            and stored.source_path == source.name
            and stored.body == document.body
            and (
                stored.organization_id == document.organization_id or stored.sha256 == source.sha256
            )
        ]
        return existing, replaced

    def replace(self, document: Prepared, result: StoreResult) -> None:
        """Record that ``document`` was stored, replacing what ``find`` said."""
        _, replaced = self.find(document)
        for stale in replaced:
            del self.meetings[stale]
        self.meetings[result.meeting_id] = _Stored(
            result.meeting_id,
            document.kind.value,
            document.date,
            document.source.sha256,
            PARSER_VERSION,
            document.source.name,
            document.organization_id,
            document.body,
        )


def delete_content(connection: sa.Connection, meeting: str) -> None:
    """Everything stored under a meeting but its own row; SQLite's full-text tables
    lose its search documents by their delete triggers."""
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
    minutes: Minutes, organization: str, body: str, meeting: str, dialect: str
) -> dict[str, list[Any]]:
    """Rows for the content tables (as lists in _CONTENT's column order) and for the
    shared tables (as dicts). Dates of content rows are ISO text on SQLite, as
    SQLAlchemy stores them there; searchable text is lemmas (SQLite) or a tsvector's
    text (PostgreSQL)."""
    postgres = dialect == "postgresql"
    searchable_text = tsvector_text if postgres else lemma_text
    date: dt.date | str = minutes.date if postgres else minutes.date.isoformat()
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
            [
                decision_id,
                item_id,
                position,
                d.body,
                d.date if postgres else d.date.isoformat(),
                d.text,
                d.outcome.value,
            ]
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
                [item_id, "AgendaItem", item_id, meeting, body, date, searchable_text(text)]
            )
            searchable += [
                [row[0], "Decision", item_id, meeting, body, date, searchable_text([d.text])]
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


def _tsvector(lemmas: str) -> str:
    """The tsvector of stored lemmas (SQLite's search text), in PostgreSQL's syntax."""
    return tsvector_of(lemmas.split())


def _paramstyle(connection: sa.Connection, sql: str) -> str:
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _begin_write(
    connection: sa.Connection, documents: Sequence[Prepared], known: KnownKeys
) -> None:
    """Serialise concurrent writers of the same meetings and of the same new shared rows.

    SQLite: the ingest engine begins every transaction IMMEDIATE, holding the write lock.
    PostgreSQL: an advisory lock for each meeting's body and day and for each shared row
    not known to be committed, all taken at once in key order (so that two batches
    cannot deadlock: each waits for the other's whole transaction, never for half of
    it), in the round trip that sets the transaction's settings.
    """
    if connection.dialect.name != "postgresql":
        return
    names = {locks.meeting(d.body_id, d.date) for d in documents}
    for document in documents:
        for table, rows in document.shared.items():
            names.update(
                locks.shared(table, row["id"]) for row in rows if row["id"] not in known.keys[table]
            )
    # Ingest is idempotent: a crash may lose the last few commits, never consistency,
    # and running ingest again restores them. Not waiting for the WAL flush on each
    # commit doubles the ingest rate. The keys are integers made here, so they go into
    # the text of the statement: two statements in one round trip take no parameters.
    array = f"ARRAY[{','.join(map(str, locks.keys(names)))}]::bigint[]"
    connection.exec_driver_sql(
        "SET LOCAL synchronous_commit TO OFF; "
        f"SELECT pg_advisory_xact_lock(k) FROM unnest({array}) AS k"
    )
