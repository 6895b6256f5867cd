"""Organizations: every body, person and case is one organization's, and every id is a
path from its organization down (api/loaders/ids.py), ``direktionen-2019-12-09-7``
becoming ``hoeje-taastrup-kommune.direktionen.2019-12-09T1000.7``.

Minutes of several municipalities can then share a database: their bodies share names
("Økonomiudvalget") and their case numbers coincide, so bodies are unique by
organization and name, cases by organization and number. A second meeting of a body on
one day is told apart by its start time in its id, not by a sequence number that
depended on the order the documents came in, so ``meetings.sequence`` goes.

The rows already stored are all one organization's, and nothing in them says whose:
``referat migrate --organization NAME`` (or REFERAT_ORGANIZATION) does, and without it
the migration refuses to start unless the database is empty. Every id is then rewritten
in place to what ingest now makes of the same document, by the same functions, so a
re-ingest finds its rows; rewriting keeps the ingest times and needs no source files.
(They are api/loaders/ids.py itself, not a copy, so this migration gives the ids of
the rules ingest has when it runs.) Meetings that would get one id are one meeting, kept
as ingest keeps one (minutes over an agenda, then the version stored last), and each
one dropped is logged; any other two rows that would get one id stop the migration,
naming them, rather than being merged.

While the ids change, references point at ids that are not there yet: PostgreSQL's
foreign keys are dropped and made again afterwards, which checks them; SQLite runs
migrations with foreign keys off (alembic/env.py) and checks them before the commit.
SQLite's search documents keep their rowids; the update re-indexes them through the
FTS5 triggers.

The downgrade brings back the old ids and sequence numbers, for a database of at most
one organization.

Revision ID: 0006
Revises: 0005
"""

import datetime as dt
import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic.operations import BatchOperations

from alembic import context, op
from api.loaders import ids
from api.loaders.organizations import normalise_name, organization_kind
from api.migrations import MigrationError
from api.search import partitions
from api.settings import Settings
from api.utc import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORGANIZED = ("bodies", "persons", "cases")

# The foreign keys between tables whose ids change: (table, column, referred, ondelete).
_FOREIGN_KEYS = (
    ("meetings", "body_id", "bodies", None),
    ("documents", "meeting_id", "meetings", "CASCADE"),
    ("participations", "meeting_id", "meetings", "CASCADE"),
    ("participations", "person_id", "persons", None),
    ("agenda_items", "meeting_id", "meetings", "CASCADE"),
    ("agenda_items", "case_id", "cases", None),
    ("sections", "agenda_item_id", "agenda_items", "CASCADE"),
    ("decisions", "agenda_item_id", "agenda_items", "CASCADE"),
    ("attachments", "agenda_item_id", "agenda_items", "CASCADE"),
    ("search_documents", "agenda_item_id", "agenda_items", "CASCADE"),
    ("search_documents", "meeting_id", "meetings", "CASCADE"),
)
# Which kind of id each column holds; a search document's own id is its kind's.
_ID_COLUMNS = {
    "bodies": {"id": "'Body'"},
    "persons": {"id": "'Person'"},
    "cases": {"id": "'Case'"},
    "meetings": {"id": "'Meeting'", "body_id": "'Body'"},
    "documents": {"meeting_id": "'Meeting'"},
    "participations": {"meeting_id": "'Meeting'", "person_id": "'Person'"},
    "agenda_items": {"id": "'AgendaItem'", "meeting_id": "'Meeting'", "case_id": "'Case'"},
    "sections": {"agenda_item_id": "'AgendaItem'"},
    "decisions": {"id": "'Decision'", "agenda_item_id": "'AgendaItem'"},
    "attachments": {"agenda_item_id": "'AgendaItem'"},
    "search_documents": {
        "id": "search_documents.kind",
        "agenda_item_id": "'AgendaItem'",
        "meeting_id": "'Meeting'",
        "body_id": "'Body'",
    },
}
# Only the columns the ids are made of, typed so that dates and times read back alike
# from both engines.
_bodies = sa.table("bodies", sa.column("id"), sa.column("name"))
_persons = sa.table("persons", sa.column("id"), sa.column("name"))
_cases = sa.table("cases", sa.column("id"), sa.column("number"))
_meetings = sa.table(
    "meetings",
    sa.column("id"),
    sa.column("body_id"),
    sa.column("date", sa.Date()),
    sa.column("starts_at", UTCDateTime()),
)
_items = sa.table("agenda_items", sa.column("id"), sa.column("meeting_id"), sa.column("number"))
_decisions = sa.table(
    "decisions",
    sa.column("id"),
    sa.column("agenda_item_id"),
    sa.column("position"),
    sa.column("body"),
    sa.column("date", sa.Date()),
)
_ID_MAP = "migration_0006_ids"
# The kinds of id in the map, each made from those before it.
_KINDS = {
    "Body": "bodies",
    "Person": "persons",
    "Case": "cases",
    "Meeting": "meetings",
    "AgendaItem": "agenda items",
    "Decision": "decisions",
}
# An archive's items and decisions run to millions: read and mapped in chunks.
_CHUNK = 10_000
_log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    organization = _organization(bind)
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('MUNICIPALITY', 'REGION', 'OTHER')",
            name=op.f("ck_organizations_kind_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    for table in _ORGANIZED:
        op.add_column(table, sa.Column("organization_id", sa.String(), nullable=True))
    if organization is not None:
        key = ids.organization_id(organization)
        bind.execute(
            sa.text("INSERT INTO organizations (id, name, kind) VALUES (:id, :name, :kind)"),
            {"id": key, "name": organization, "kind": organization_kind(organization).value},
        )
        for table in _ORGANIZED:
            bind.execute(sa.text(f"UPDATE {table} SET organization_id = :id"), {"id": key})
        _merge_meetings(bind, key)
        _rewrite_ids(bind, _new_ids(bind, key))

    # One batch a table: on SQLite each is a copy of the table.
    with op.batch_alter_table("bodies") as batch:
        _join_organizations(batch, "bodies")
        batch.drop_constraint("uq_bodies_name", type_="unique")
        batch.create_unique_constraint(
            "uq_bodies_organization_id_name", ["organization_id", "name"]
        )
    with op.batch_alter_table("persons") as batch:
        _join_organizations(batch, "persons")
    with op.batch_alter_table("cases") as batch:
        _join_organizations(batch, "cases")
        batch.drop_constraint("uq_cases_number", type_="unique")
        batch.create_unique_constraint(
            "uq_cases_organization_id_number", ["organization_id", "number"]
        )
        batch.create_index("ix_cases_number", ["number"])
    with op.batch_alter_table("meetings") as batch:
        batch.drop_constraint("uq_meetings_body_id_date_sequence", type_="unique")
        batch.drop_column("sequence")


def _join_organizations(batch: BatchOperations, table: str) -> None:
    batch.alter_column("organization_id", existing_type=sa.String(), nullable=False)
    batch.create_foreign_key(
        f"fk_{table}_organization_id_organizations", "organizations", ["organization_id"], ["id"]
    )
    batch.create_index(f"ix_{table}_organization_id", ["organization_id"])


def _leave_organizations(batch: BatchOperations, table: str) -> None:
    batch.drop_index(f"ix_{table}_organization_id")
    batch.drop_constraint(f"fk_{table}_organization_id_organizations", type_="foreignkey")
    batch.drop_column("organization_id")


def downgrade() -> None:
    bind = op.get_bind()
    organizations = bind.exec_driver_sql("SELECT count(*) FROM organizations").scalar_one()
    if organizations > 1:
        raise MigrationError(
            f"the database holds the minutes of {organizations} organizations, and revision "
            "0005 has room for one: nothing was changed"
        )
    op.add_column("meetings", sa.Column("sequence", sa.Integer(), nullable=True))
    if organizations:
        sequences = _sequences(bind)
        if sequences:
            bind.execute(
                sa.text("UPDATE meetings SET sequence = :sequence WHERE id = :id"),
                [{"id": meeting, "sequence": n} for meeting, n in sequences.items()],
            )
        _rewrite_ids(bind, _old_ids(bind, sequences))

    with op.batch_alter_table("meetings") as batch:
        batch.alter_column("sequence", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_meetings_body_id_date_sequence", ["body_id", "date", "sequence"]
        )
    with op.batch_alter_table("bodies") as batch:
        batch.drop_constraint("uq_bodies_organization_id_name", type_="unique")
        _leave_organizations(batch, "bodies")
        batch.create_unique_constraint("uq_bodies_name", ["name"])
    with op.batch_alter_table("persons") as batch:
        _leave_organizations(batch, "persons")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_number")
        batch.drop_constraint("uq_cases_organization_id_number", type_="unique")
        _leave_organizations(batch, "cases")
        batch.create_unique_constraint("uq_cases_number", ["number"])
    op.drop_table("organizations")


def _organization(bind: sa.Connection) -> str | None:
    """The name of the organization the stored rows are given to; None when there are none."""
    if not any(
        bind.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first()
        for table in ("meetings", *_ORGANIZED)
    ):
        return None
    name = context.config.attributes.get("organization") or Settings.from_env().organization
    if name is None or not name.strip():
        raise MigrationError(
            "the database holds minutes from before organizations, and nothing says whose "
            'they are: run `referat migrate --organization "Høje-Taastrup Kommune"` (the '
            "organization's name) or set REFERAT_ORGANIZATION; nothing was changed"
        )
    return normalise_name(name)


def _merge_meetings(bind: sa.Connection, organization: str) -> None:
    """Meetings that now get one id are one meeting, kept as ingest keeps a meeting:
    minutes over an agenda, then the version stored last.

    Revision 0005 took a file for the meeting it held before even when the file had come
    to give another start time, so one body's day could hold two rows at one start time;
    ids made of the start time cannot tell them apart, and neither would ingest now."""
    bodies = {
        old: ids.body_id(organization, name)
        for old, name in bind.execute(sa.select(_bodies.c.id, _bodies.c.name))
    }
    m = _meetings.c
    kind, updated = sa.column("kind"), sa.column("updated_at", UTCDateTime())
    query = sa.select(m.id, m.body_id, m.date, m.starts_at, kind, updated).select_from(_meetings)
    groups: dict[str, list[tuple[bool, Any, str]]] = {}
    for old, body, date, starts_at, kind_of, updated_at in _stream(bind, query):
        new = ids.meeting_id(bodies[body], date, starts_at)
        groups.setdefault(new, []).append((kind_of == "MINUTES", updated_at, old))
    dropped = [
        old
        for versions in groups.values()
        if len(versions) > 1
        for *_, old in sorted(versions, reverse=True)[1:]
    ]
    for old in dropped:
        _log.warning("0006: meeting %s is a version of another one at its time; dropped", old)
        items = "SELECT id FROM agenda_items WHERE meeting_id = :id"
        for table in ("sections", "decisions", "attachments"):
            bind.execute(
                sa.text(f"DELETE FROM {table} WHERE agenda_item_id IN ({items})"), {"id": old}
            )
        for table in ("search_documents", "agenda_items", "participations", "documents"):
            bind.execute(sa.text(f"DELETE FROM {table} WHERE meeting_id = :id"), {"id": old})
        bind.execute(sa.text("DELETE FROM meetings WHERE id = :id"), {"id": old})


def _new_ids(bind: sa.Connection, organization: str) -> Iterator[tuple[str, str, str]]:
    """(kind, old id, new id) of every row, the new ids as ingest makes them."""
    bodies = {
        old: ids.body_id(organization, name)
        for old, name in bind.execute(sa.select(_bodies.c.id, _bodies.c.name))
    }
    yield from (("Body", old, new) for old, new in bodies.items())
    for old, name in _stream(bind, sa.select(_persons.c.id, _persons.c.name)):
        yield "Person", old, ids.person_id(organization, name)
    for old, number in _stream(bind, sa.select(_cases.c.id, _cases.c.number)):
        yield "Case", old, ids.case_id(organization, number)
    m = _meetings.c
    meetings = {
        old: ids.meeting_id(bodies[body], date, starts_at)
        for old, body, date, starts_at in _stream(
            bind, sa.select(m.id, m.body_id, m.date, m.starts_at)
        )
    }
    yield from (("Meeting", old, new) for old, new in meetings.items())
    for item, meeting, number, decisions in _items_and_decisions(bind):
        new_item = ids.agenda_item_id(meetings[meeting], number)
        yield "AgendaItem", item, new_item
        made = ids.decision_ids(new_item, ((body, date) for _, body, date in decisions))
        for (decision, _, _), new in zip(decisions, made, strict=True):
            yield "Decision", decision, new


def _sequences(bind: sa.Connection) -> dict[str, int]:
    """Each meeting's number among its body's meetings that day: by start time, one
    without first. 0005 numbered them in the order they came in, which is not kept;
    documents ingested in order get the same numbers."""
    m = _meetings.c
    query = sa.select(m.id, m.body_id, m.date).order_by(
        m.body_id, m.date, sa.case((m.starts_at.is_(None), 0), else_=1), m.starts_at, m.id
    )
    sequences: dict[str, int] = {}
    for _, meetings in itertools.groupby(_stream(bind, query), key=lambda row: row[1:]):
        sequences.update((meeting, n) for n, (meeting, *_) in enumerate(meetings, start=1))
    return sequences


def _old_ids(bind: sa.Connection, sequences: dict[str, int]) -> Iterator[tuple[str, str, str]]:
    """(kind, id, id at revision 0005) of every row: 0005's ids were slugs of the
    natural keys alone, a meeting's numbered within its body's day."""
    bodies = {
        new: ids.slugify(name)
        for new, name in bind.execute(sa.select(_bodies.c.id, _bodies.c.name))
    }
    yield from (("Body", new, old) for new, old in bodies.items())
    for new, name in _stream(bind, sa.select(_persons.c.id, _persons.c.name)):
        yield "Person", new, ids.slugify(name)
    for new, number in _stream(bind, sa.select(_cases.c.id, _cases.c.number)):
        yield "Case", new, number.replace("/", "-")
    m = _meetings.c
    meetings: dict[str, str] = {}
    for new, body, date in _stream(bind, sa.select(m.id, m.body_id, m.date)):
        sequence = sequences[new]
        old = f"{bodies[body]}-{date.isoformat()}"
        meetings[new] = old if sequence == 1 else f"{old}-{sequence}"
    yield from (("Meeting", new, old) for new, old in meetings.items())
    for item, meeting, number, decisions in _items_and_decisions(bind):
        old_item = f"{meetings[meeting]}-{number}"
        yield "AgendaItem", item, old_item
        seen: Counter[dt.date] = Counter()
        for decision, _, date in decisions:
            seen[date] += 1
            old = f"{old_item}-{date.isoformat()}"
            yield "Decision", decision, old if seen[date] == 1 else f"{old}-{seen[date]}"


def _items_and_decisions(
    bind: sa.Connection,
) -> Iterator[tuple[str, str, int, list[tuple[str, str, dt.date]]]]:
    """Each agenda item (id, meeting, number) with its decisions (id, body, date) in
    document order."""
    i, d = _items.c, _decisions.c
    query = (
        sa.select(i.id, i.meeting_id, i.number, d.id, d.body, d.date)
        .outerjoin_from(_items, _decisions, d.agenda_item_id == i.id)
        .order_by(i.id, d.position)
    )
    for (item, meeting, number), rows in itertools.groupby(
        _stream(bind, query), key=lambda row: tuple(row[:3])
    ):
        decisions = [(decision, body, date) for *_, decision, body, date in rows]
        yield item, meeting, number, [row for row in decisions if row[0] is not None]


def _stream(bind: sa.Connection, query: sa.Select[Any]) -> Iterator[Any]:
    # A server-side cursor on PostgreSQL: psycopg would otherwise fetch every row at once.
    yield from bind.execute(query.execution_options(stream_results=True, yield_per=_CHUNK))


def _rewrite_ids(bind: sa.Connection, mapping: Iterable[tuple[str, str, str]]) -> None:
    """Give every id its new value, through a table of (kind, old id, new id)."""
    bind.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_ID_MAP} (kind TEXT NOT NULL, old_id TEXT NOT NULL, "
        "new_id TEXT NOT NULL, PRIMARY KEY (kind, old_id))"
    )
    insert = sa.text(f"INSERT INTO {_ID_MAP} VALUES (:kind, :old, :new)")
    rows = iter(mapping)
    while chunk := list(itertools.islice(rows, _CHUNK)):
        bind.execute(insert, [{"kind": k, "old": old, "new": new} for k, old, new in chunk])
    _refuse_merges(bind)

    postgres = bind.dialect.name == "postgresql"
    if postgres:
        # Its planner would otherwise guess the table's size, and might scan it per row.
        bind.exec_driver_sql(f"ANALYZE {_ID_MAP}")
        for table, column, referred, _ in _FOREIGN_KEYS:
            op.drop_constraint(f"fk_{table}_{column}_{referred}", table, type_="foreignkey")
    # SQLite re-indexes a search document on any update of its row (api.search.partitions);
    # its words do not change with its ids, so the years' update triggers rest meanwhile.
    years = [] if postgres else _sqlite_search_years(bind)
    for year in years:
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {partitions.table(year)}_au")
    for table, columns in _ID_COLUMNS.items():
        # One statement a table: PostgreSQL writes a new version of each row it updates,
        # SQLite re-indexes a search document each time. A reference to a row that is
        # not there stays as it was, for the foreign keys to refuse.
        assignments = ", ".join(
            f"{column} = coalesce((SELECT new_id FROM {_ID_MAP} m "
            f"WHERE m.kind = {kind} AND m.old_id = {table}.{column}), {column})"
            for column, kind in columns.items()
        )
        bind.exec_driver_sql(f"UPDATE {table} SET {assignments}")
    for year in years:
        for statement in partitions.create_statements(year):  # IF NOT EXISTS: the _au one
            bind.exec_driver_sql(statement)
    if postgres:
        for table, column, referred, ondelete in _FOREIGN_KEYS:
            op.create_foreign_key(
                f"fk_{table}_{column}_{referred}",
                table,
                referred,
                [column],
                ["id"],
                ondelete=ondelete,
            )
    bind.exec_driver_sql(f"DROP TABLE {_ID_MAP}")


def _sqlite_search_years(bind: sa.Connection) -> list[int]:
    names = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    return partitions.years(list(names.scalars()))


def _refuse_merges(bind: sa.Connection) -> None:
    found = bind.exec_driver_sql(
        f"SELECT kind, new_id, count(*) FROM {_ID_MAP} GROUP BY kind, new_id HAVING count(*) > 1"
    ).all()
    if not found:
        return
    # Name where it starts: two meetings that merge make their items merge as well.
    kind, new, count = min(found, key=lambda row: (list(_KINDS).index(row[0]), row[1]))
    olds = bind.execute(
        sa.text(f"SELECT old_id FROM {_ID_MAP} WHERE kind = :kind AND new_id = :new ORDER BY 1"),
        {"kind": kind, "new": new},
    ).scalars()
    others = f" (and {len(found) - 1} more ids likewise)" if len(found) > 1 else ""
    raise MigrationError(
        f"{count} {_KINDS[kind]} ({', '.join(olds)}) would get one id, {new}{others}, and the "
        "migration does not merge rows: nothing was changed"
    )
