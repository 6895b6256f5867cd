"""The tables. GraphQL and REST types are separate and built from query results.

Ids are readable paths of slugs derived from natural keys (see api/loaders/ids.py), so
they are identical on SQLite and PostgreSQL, in any ingest order, and survive re-ingest.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.loaders.records import (
    ChangeAction,
    DecisionOutcome,
    DocumentKind,
    OrganizationKind,
    SectionKind,
)
from api.utc import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The values the check constraints allow are the records' enums; a value added there
# needs a migration that widens the constraint (as 0007 did for RECOMMENDED).
DOCUMENT_KINDS = tuple(kind.value for kind in DocumentKind)
SECTION_KINDS = tuple(kind.value for kind in SectionKind)
ORGANIZATION_KINDS = tuple(kind.value for kind in OrganizationKind)
OUTCOMES = tuple(outcome.value for outcome in DecisionOutcome)
CHANGE_ACTIONS = tuple(action.value for action in ChangeAction)
# The types of the change feed's entities: GraphQL's names of them.
CHANGE_TYPES = ("Organization", "Body", "Meeting", "AgendaItem", "Decision", "Case", "Person")


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=f"{column}_valid")


def _cascade(target: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="CASCADE")


class Organization(SQLModel, table=True):
    """A municipality, region or other public body whose minutes these are."""

    __tablename__ = "organizations"
    __table_args__ = (_one_of("kind", ORGANIZATION_KINDS),)

    id: str = Field(primary_key=True)
    name: str
    kind: str


class Body(SQLModel, table=True):
    __tablename__ = "bodies"
    # "Økonomiudvalget" is a body of nearly every municipality.
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    id: str = Field(primary_key=True)
    organization_id: str = Field(foreign_key="organizations.id", index=True)
    name: str


class Person(SQLModel, table=True):
    __tablename__ = "persons"

    id: str = Field(primary_key=True)
    organization_id: str = Field(foreign_key="organizations.id", index=True)
    name: str
    # The name case-folded in Python: SQLite's lower() folds ASCII only, so matching on
    # it would find "østergård" on PostgreSQL but not on SQLite.
    name_key: str = Field(index=True)


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # Case numbers are each organization's own.
    __table_args__ = (sa.UniqueConstraint("organization_id", "number"),)

    id: str = Field(primary_key=True)
    organization_id: str = Field(foreign_key="organizations.id", index=True)
    number: str = Field(index=True)  # case(number:) without an organization
    year: int = Field(index=True)


class Meeting(SQLModel, table=True):
    __tablename__ = "meetings"
    __table_args__ = (_one_of("kind", DOCUMENT_KINDS),)

    id: str = Field(primary_key=True)
    body_id: str = Field(foreign_key="bodies.id", index=True)
    date: dt.date = Field(index=True)
    kind: str
    title: str
    starts_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    location: str | None = None
    source_file: str
    source_sha256: str
    ingested_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)


class Document(SQLModel, table=True):
    """The source of a meeting's current version."""

    __tablename__ = "documents"

    meeting_id: str = Field(sa_column_args=[_cascade("meetings.id")], primary_key=True)
    source_path: str
    sha256: str = Field(index=True)
    size: int
    parser_version: str
    ingested_at: dt.datetime = Field(sa_type=UTCDateTime)
    warnings: str = Field(default="", sa_type=sa.Text)


class Participation(SQLModel, table=True):
    """A person at a meeting: a participant, or absent ("afbud")."""

    __tablename__ = "participations"

    meeting_id: str = Field(sa_column_args=[_cascade("meetings.id")], primary_key=True)
    is_absent: bool = Field(primary_key=True)
    position: int = Field(primary_key=True)  # document order
    person_id: str = Field(foreign_key="persons.id", index=True)
    role: str | None = None
    party: str | None = None  # the party list letter: "A", "Ø", "UP", "Løsgænger"


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_items"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "number"),)

    id: str = Field(primary_key=True)
    meeting_id: str = Field(sa_column_args=[_cascade("meetings.id")])
    number: int
    title: str
    case_id: str | None = Field(default=None, foreign_key="cases.id", index=True)
    is_closed: bool = Field(index=True)
    page: int | None = None


class Section(SQLModel, table=True):
    __tablename__ = "sections"
    __table_args__ = (_one_of("kind", SECTION_KINDS),)

    agenda_item_id: str = Field(sa_column_args=[_cascade("agenda_items.id")], primary_key=True)
    position: int = Field(primary_key=True)
    kind: str
    heading: str
    text: str = Field(sa_type=sa.Text)


class Decision(SQLModel, table=True):
    __tablename__ = "decisions"
    __table_args__ = (
        sa.UniqueConstraint("agenda_item_id", "position"),
        _one_of("outcome", OUTCOMES),
    )

    id: str = Field(primary_key=True)
    agenda_item_id: str = Field(sa_column_args=[_cascade("agenda_items.id")])
    position: int
    body: str
    date: dt.date = Field(index=True)
    text: str = Field(sa_type=sa.Text)
    outcome: str = Field(index=True)


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    agenda_item_id: str = Field(sa_column_args=[_cascade("agenda_items.id")], primary_key=True)
    position: int = Field(primary_key=True)
    title: str
    file_extension: str | None = None


class SearchDocument(SQLModel, table=True):
    """One searchable unit: an open agenda item (title, sections, attachment titles) or a
    decision, as lemmas (api.search.normalise).

    The engines index the same lemmas: SQLite keeps them as text in a ``tokens`` column
    that the FTS5 table ``search_fts`` indexes, PostgreSQL in a ``tsv`` tsvector column
    (kept in the row, migration 0004) with a GIN index. These columns and indexes differ
    by engine, so they are made by the migrations and are not part of this model
    (alembic/env.py leaves them out of comparisons).
    """

    __tablename__ = "search_documents"
    # (date, id): search walks matches newest first (api.search.order); on SQLite the
    # rowids follow the dates as well, which is what FTS5 walks.
    __table_args__ = (
        _one_of("kind", ("AgendaItem", "Decision")),
        sa.Index("ix_search_documents_date_id", "date", "id"),
    )

    id: str = Field(primary_key=True)  # the agenda item's or the decision's id
    kind: str
    agenda_item_id: str = Field(sa_column_args=[_cascade("agenda_items.id")], index=True)
    meeting_id: str = Field(sa_column_args=[_cascade("meetings.id")], index=True)
    body_id: str = Field(index=True)
    date: dt.date


class Change(SQLModel, table=True):
    """The change feed: every entity created, updated or deleted, in commit order.

    ``seq`` is the feed's cursor. It comes from the database and is never reused
    (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), and writers take it in commit
    order (api.loaders.changes), so a reader that has seen ``seq`` N has seen every
    change before it. ``id`` is the entity's public id; a DELETED row is its tombstone.
    """

    __tablename__ = "changes"
    __table_args__ = (
        _one_of("action", CHANGE_ACTIONS),
        _one_of("type", CHANGE_TYPES),
        # An entity's newest change: what the feed last said of it.
        sa.Index("ix_changes_id_seq", "id", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    type: str
    id: str
    action: str
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)  # changes(since:)
