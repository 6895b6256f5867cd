"""``store_meeting``: one parsed document's records mapped to rows, in the caller's
transaction, so a document is stored whole or not at all."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from api import models
from api.loaders import ids
from api.loaders.parser import PARSER_VERSION
from api.loaders.records import DocumentKind, Minutes

_T = {name: getattr(models, name).__table__ for name in (
    "Body", "Person", "Case", "Meeting", "Document", "Participation",
    "AgendaItem", "Section", "Decision", "Attachment",
)}  # fmt: skip


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


def store_meeting(
    connection: sa.Connection, minutes: Minutes, source: Source, *, now: dt.datetime
) -> StoreResult:
    """Insert the meeting, or replace it in place when its content changed.

    Must run inside a transaction. Concurrent writers of the same meeting are serialised
    (an advisory lock on PostgreSQL, the write lock on SQLite), so two ingest processes
    never store the same meeting twice.
    """
    body_id = ids.slugify(minutes.body)
    _lock_meeting_key(connection, f"{body_id}/{minutes.date.isoformat()}")
    _insert_missing(connection, _T["Body"], [{"id": body_id, "name": minutes.body}])
    existing = _same_meeting(connection, body_id, minutes, source)
    if existing is None:
        sequence = _next_sequence(connection, body_id, minutes.date)
        meeting = ids.meeting_id(body_id, minutes.date, sequence)
        connection.execute(
            _T["Meeting"].insert(),
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
            _T["Meeting"].update().where(_T["Meeting"].c.id == meeting),
            _meeting_row(minutes, source, now),
        )
        outcome = StoreOutcome.UPDATED
    _insert_content(connection, meeting, minutes)
    connection.execute(
        _T["Document"].insert(),
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
    return StoreResult(outcome, meeting)


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
) -> tuple[str, str, str, str] | None:
    """The stored meeting this document is a version of, if any.

    One body's meetings on one day are told apart by their start time: the agenda and
    the minutes of a meeting share it, a second meeting that day has another. A document
    from the same file as a stored one is always that meeting.
    """
    meetings, documents = _T["Meeting"], _T["Document"]
    rows = connection.execute(
        sa.select(
            meetings.c.id,
            meetings.c.kind,
            meetings.c.starts_at,
            documents.c.source_path,
            documents.c.sha256,
            documents.c.parser_version,
        )
        .join(documents, documents.c.meeting_id == meetings.c.id)
        .where(meetings.c.body_id == body_id, meetings.c.date == minutes.date)
        .order_by(meetings.c.sequence)
    ).all()
    for row in rows:
        if row.source_path == source.path:
            return row.id, row.kind, row.sha256, row.parser_version
    for row in rows:
        if row.starts_at is None or minutes.starts_at is None or row.starts_at == minutes.starts_at:
            return row.id, row.kind, row.sha256, row.parser_version
    return None


def _next_sequence(connection: sa.Connection, body_id: str, date: dt.date) -> int:
    meetings = _T["Meeting"]
    highest = connection.execute(
        sa.select(sa.func.max(meetings.c.sequence)).where(
            meetings.c.body_id == body_id, meetings.c.date == date
        )
    ).scalar_one()
    return 1 if highest is None else int(highest) + 1


def _delete_content(connection: sa.Connection, meeting: str) -> None:
    items = sa.select(_T["AgendaItem"].c.id).where(_T["AgendaItem"].c.meeting_id == meeting)
    for name in ("Section", "Decision", "Attachment"):
        table = _T[name]
        connection.execute(table.delete().where(table.c.agenda_item_id.in_(items)))
    for name in ("AgendaItem", "Participation", "Document"):
        table = _T[name]
        connection.execute(table.delete().where(table.c.meeting_id == meeting))


def _insert_content(connection: sa.Connection, meeting: str, minutes: Minutes) -> None:
    people = [(False, p) for p in minutes.participants] + [(True, p) for p in minutes.absentees]
    persons = {ids.slugify(p.name): p.name for _, p in people}
    _insert_missing(connection, _T["Person"], [{"id": k, "name": v} for k, v in persons.items()])
    positions: Counter[bool] = Counter()
    participations = []
    for is_absent, person in people:
        positions[is_absent] += 1
        participations.append(
            {
                "meeting_id": meeting,
                "is_absent": is_absent,
                "position": positions[is_absent],
                "person_id": ids.slugify(person.name),
                "role": person.role,
            }
        )
    cases = {i.case_number for i in minutes.items if i.case_number}
    _insert_missing(
        connection,
        _T["Case"],
        [{"id": ids.case_id(n), "number": n, "year": ids.case_year(n)} for n in cases],
    )
    items, sections, decisions, attachments = [], [], [], []
    for item in minutes.items:
        item_id = ids.agenda_item_id(meeting, item.number)
        items.append(
            {
                "id": item_id,
                "meeting_id": meeting,
                "number": item.number,
                "title": item.title,
                "case_id": ids.case_id(item.case_number) if item.case_number else None,
                "is_closed": item.is_closed,
                "page": item.page,
            }
        )
        sections += [
            {
                "agenda_item_id": item_id,
                "position": position,
                "kind": s.kind.value,
                "heading": s.heading,
                "text": s.text,
            }
            for position, s in enumerate(item.sections, start=1)
        ]
        per_date: Counter[dt.date] = Counter()
        for position, d in enumerate(item.decisions, start=1):
            per_date[d.date] += 1
            decisions.append(
                {
                    "id": ids.decision_id(item_id, d.date, per_date[d.date]),
                    "agenda_item_id": item_id,
                    "position": position,
                    "body": d.body,
                    "date": d.date,
                    "text": d.text,
                    "outcome": d.outcome.value,
                }
            )
        attachments += [
            {
                "agenda_item_id": item_id,
                "position": position,
                "title": a.title,
                "file_extension": a.file_extension,
            }
            for position, a in enumerate(item.attachments, start=1)
        ]
    for name, rows in (
        ("Participation", participations),
        ("AgendaItem", items),
        ("Section", sections),
        ("Decision", decisions),
        ("Attachment", attachments),
    ):
        if rows:
            connection.execute(_T[name].insert(), rows)


def _insert_missing(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose primary key is new; leave existing ones as they are.

    Rows go in key order, so that two transactions inserting overlapping sets lock them
    in the same order and cannot deadlock.
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: str(row["id"]))
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        connection.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
    else:  # pragma: no cover - only the two engines above are supported
        raise NotImplementedError(dialect)


def _lock_meeting_key(connection: sa.Connection, key: str) -> None:
    if connection.dialect.name == "postgresql":
        lock = int.from_bytes(
            hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True
        )
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})
    # SQLite: the ingest engine begins every transaction IMMEDIATE, holding the write lock.
