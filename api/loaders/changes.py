"""The change feed's rows: what storing or removing a meeting changed, written at the end
of its transaction in commit order.

A meeting's agenda items and decisions have ids from natural keys, so a new version of
the meeting is compared with the old one by id: an id that is new was CREATED, one that
is gone DELETED, and one in both UPDATED when its content differs (a digest of what the
API shows of it; an item's digest includes its decisions' ids in order, so a mirror
that nests decisions in items sees the list change). The meeting itself is UPDATED
whenever it is stored again: its ``updatedAt`` and source move.

Shared entities are settled against the feed itself, at the end of the transaction,
under the feed's lock (``write``): an organization, body or person the feed has not
announced is CREATED; a case is CREATED when an item refers to it again and DELETED when
no item refers to it any more, because that is when ``node(id:)``, ``case(number:)``
and ``cases`` stop answering it (api.queries._cases). Organizations, bodies and
persons stay when their last meeting goes, as they answer as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from api import models
from api.loaders import locks
from api.loaders.records import ChangeAction

_CHANGES: sa.Table = models.Change.__table__  # type: ignore[attr-defined]
# Parents first: a mirror that applies the feed in order meets a body before its meetings.
_SHARED_ORDER = ("Organization", "Body", "Person", "Case")
_INSERT = "INSERT INTO changes (type, id, action, at) VALUES (?, ?, ?, ?)"


@dataclass(frozen=True, slots=True)
class Change:
    type: str  # GraphQL's name of the entity's type
    id: str
    action: ChangeAction


@dataclass(frozen=True, slots=True)
class Content:
    """A meeting's agenda items and decisions as the feed compares them: (type, id) to
    a digest of what the API shows of each (None: not computed, for content that nothing
    is compared with), items first, each in document order; and the cases its items
    refer to."""

    entities: dict[tuple[str, str], bytes | None]
    cases: frozenset[str]


EMPTY = Content({}, frozenset())


@dataclass
class Pending:
    """A transaction's changes, written together at its end (``write``)."""

    changes: list[Change] = field(default_factory=list)
    # Shared entities (id: type) the transaction stored that may be new to the feed.
    shared: dict[str, str] = field(default_factory=dict)
    # Cases the transaction's items referred to, or stopped referring to.
    cases: set[str] = field(default_factory=set)


def compare(before: Content, after: Content) -> tuple[list[Change], list[Change]]:
    """The items and decisions that went (decisions first: children leave before their
    parents), and those created or changed (items first)."""
    if not before.entities:  # a new meeting: all of it is new
        return [], [Change(kind, id_, ChangeAction.CREATED) for kind, id_ in after.entities]
    gone = [key for key in before.entities if key not in after.entities]
    gone.sort(key=lambda entity: entity[0] != "Decision")
    deleted = [Change(kind, id_, ChangeAction.DELETED) for kind, id_ in gone]
    changed = [
        Change(kind, id_, _action(before, (kind, id_)))
        for (kind, id_), digest in after.entities.items()
        if (kind, id_) not in before.entities or before.entities[(kind, id_)] != digest
    ]
    return deleted, changed


def _action(before: Content, entity: tuple[str, str]) -> ChangeAction:
    return ChangeAction.UPDATED if entity in before.entities else ChangeAction.CREATED


def prepared_content(rows: dict[str, list[list[Any]]], *, digests: bool) -> Content:
    """The content of a document about to be stored (api.loaders.store's content rows);
    without ``digests`` only its ids, which is all a new meeting needs."""
    items = rows["agenda_items"]
    cases = frozenset(row[4] for row in items if row[4] is not None)
    if not digests:
        entities: dict[tuple[str, str], bytes | None] = {("AgendaItem", r[0]): None for r in items}
        entities |= {("Decision", r[0]): None for r in rows["decisions"]}
        return Content(entities, cases)
    return _content(
        [(r[0], r[2:7]) for r in items],
        [(r[0], r[1:]) for r in rows["sections"]],
        [(r[0], r[1:]) for r in rows["attachments"]],
        [(r[0], r[1], r[3:]) for r in rows["decisions"]],
        cases,
    )


def stored_content(connection: sa.Connection, meeting_ids: Sequence[str]) -> Content:
    """The content of stored meetings, to compare a new version with; four statements,
    on the update path only (a new meeting has nothing to compare)."""
    if not meeting_ids:
        return EMPTY
    marks = ", ".join("?" * len(meeting_ids))
    of_items = f"SELECT id FROM agenda_items WHERE meeting_id IN ({marks})"
    statements = (
        "SELECT id, number, title, case_id, is_closed, page FROM agenda_items "
        f"WHERE meeting_id IN ({marks}) ORDER BY meeting_id, number",
        "SELECT agenda_item_id, position, kind, heading, text FROM sections "
        f"WHERE agenda_item_id IN ({of_items}) ORDER BY agenda_item_id, position",
        "SELECT agenda_item_id, position, title, file_extension FROM attachments "
        f"WHERE agenda_item_id IN ({of_items}) ORDER BY agenda_item_id, position",
        "SELECT id, agenda_item_id, body, date, text, outcome FROM decisions "
        f"WHERE agenda_item_id IN ({of_items}) ORDER BY agenda_item_id, position",
    )
    found: list[list[Any]] = []
    cursor = connection.connection.cursor()
    try:
        for statement in statements:
            cursor.execute(_paramstyle(connection, statement), tuple(meeting_ids))
            found.append(list(cursor.fetchall()))
    finally:
        cursor.close()
    items, sections, attachments, decisions = found
    cases = frozenset(row[3] for row in items if row[3] is not None)
    return _content(
        [(r[0], r[1:]) for r in items],
        [(r[0], r[1:]) for r in sections],
        [(r[0], r[1:]) for r in attachments],
        [(r[0], r[1], r[2:]) for r in decisions],
        cases,
    )


def _content(
    items: list[tuple[str, Sequence[Any]]],
    sections: list[tuple[str, Sequence[Any]]],
    attachments: list[tuple[str, Sequence[Any]]],
    decisions: list[tuple[str, str, Sequence[Any]]],
    cases: frozenset[str],
) -> Content:
    """Digests of items (their own values, sections, attachments and decisions' ids, in
    order) and of decisions (body, date, text, outcome)."""
    parts: dict[str, list[Any]] = {item: [] for item, _ in items}
    for item, values in sections:
        parts[item].append(("section", *values))
    for item, values in attachments:
        parts[item].append(("attachment", *values))
    for decision, item, _ in decisions:
        parts[item].append(("decision", decision))
    entities: dict[tuple[str, str], bytes | None] = {
        ("AgendaItem", item): _digest(values, parts[item]) for item, values in items
    }
    entities |= {("Decision", d): _digest(values, []) for d, _, values in decisions}
    return Content(entities, cases)


def _digest(values: Sequence[Any], parts: list[Any]) -> bytes:
    """The same for the rows a document is stored from and the rows read back, on
    either engine (SQLite reads booleans back as integers and dates as text)."""
    plain = (tuple(_plain(v) for v in values), tuple(tuple(_plain(v) for v in p) for p in parts))
    return hashlib.blake2b(repr(plain).encode(), digest_size=16).digest()


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write(connection: sa.Connection, pending: Pending, now: dt.datetime) -> list[Change]:
    """Write the transaction's changes, with the shared entities' settled against the
    feed, as the transaction's last statements; the changes written, in feed order.

    The feed's cursor is ``seq``, and a reader must never see seq 11 while seq 10 may
    still commit: it would page past 10 for ever. PostgreSQL takes a sequence value at
    insert, not at commit, so two transactions writing change rows at once could commit
    in the other order. So on PostgreSQL a transaction takes the feed's advisory lock
    before its first change row and holds it to its commit (a transaction-level lock
    ends after the commit is visible): change rows are written one transaction at a
    time, and seq order is commit order. The lock is held only for these last
    statements and the commit, not while the documents are stored. SQLite has one
    writer at a time (ingest begins IMMEDIATE), so there order is given.

    Under the lock, every transaction that wrote change rows before has committed, so
    what the feed last said of a shared entity, and whether an item refers to a case,
    are read as they will stand at this commit: two ingests that each drop one of a
    case's two items cannot both leave it alive in the feed.
    """
    if not (pending.changes or pending.shared or pending.cases):
        return []
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({locks.FEED})")
    announced = _announced(connection, [*pending.shared, *pending.cases])
    referred = _referred(connection, sorted(pending.cases))
    created = [
        Change(kind, id_, ChangeAction.CREATED)
        for id_, kind in pending.shared.items()
        if announced.get(id_) in (None, ChangeAction.DELETED)
    ]
    created += [
        Change("Case", case, ChangeAction.CREATED)
        for case in sorted(pending.cases & referred)
        if announced.get(case) in (None, ChangeAction.DELETED)
    ]
    created.sort(key=lambda change: (_SHARED_ORDER.index(change.type), change.id))
    deleted = [
        Change("Case", case, ChangeAction.DELETED)
        for case in sorted(pending.cases - referred)
        if announced.get(case) not in (None, ChangeAction.DELETED)
    ]
    written = created + pending.changes + deleted
    _insert(connection, written, now)
    return written


def _announced(connection: sa.Connection, ids: Sequence[str]) -> dict[str, ChangeAction]:
    """What the feed last said of each of these entities, if anything."""
    if not ids:
        return {}
    newest = (
        sa.select(sa.func.max(_CHANGES.c.seq))
        .where(_CHANGES.c.id.in_(sorted(set(ids))))
        .group_by(_CHANGES.c.id)
    )
    rows = connection.execute(
        sa.select(_CHANGES.c.id, _CHANGES.c.action).where(_CHANGES.c.seq.in_(newest))
    )
    return {row.id: ChangeAction(row.action) for row in rows}


def _referred(connection: sa.Connection, cases: Sequence[str]) -> set[str]:
    """The cases an agenda item refers to."""
    if not cases:
        return set()
    items: sa.Table = models.AgendaItem.__table__  # type: ignore[attr-defined]
    query = sa.select(items.c.case_id).where(items.c.case_id.in_(cases)).distinct()
    return set(connection.execute(query).scalars())


def _insert(connection: sa.Connection, changes: Iterable[Change], now: dt.datetime) -> None:
    """One COPY on PostgreSQL (as ingest's content rows go), one executemany on SQLite;
    the time as the table's type stores it."""
    dialect = connection.dialect
    bind = _CHANGES.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    at = bind(now) if bind is not None else now
    rows = [(change.type, change.id, change.action.value, at) for change in changes]
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy("COPY changes (type, id, action, at) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(_INSERT, rows)
    finally:
        cursor.close()


def _paramstyle(connection: sa.Connection, sql: str) -> str:
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")
