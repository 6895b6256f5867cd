"""Every SELECT the service runs: shared by GraphQL resolvers, dataloaders and REST.

Functions take a connection and plain values and return rows; nothing here knows about
GraphQL or HTTP. Listings use keyset pagination: a page is ordered by a unique key, and
the key of its last row is where the next page starts, so pages never overlap or skip
rows however the data grows in between.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from api import models
from api.loaders import ids
from api.search import partitions
from api.search.order import day_key
from api.search.syntax import Query as SearchQuery

Row = sa.Row[*tuple[Any, ...]]  # a row of any shape

organizations: sa.Table = models.Organization.__table__  # type: ignore[attr-defined]
bodies: sa.Table = models.Body.__table__  # type: ignore[attr-defined]
persons: sa.Table = models.Person.__table__  # type: ignore[attr-defined]
cases: sa.Table = models.Case.__table__  # type: ignore[attr-defined]
meetings: sa.Table = models.Meeting.__table__  # type: ignore[attr-defined]
participations: sa.Table = models.Participation.__table__  # type: ignore[attr-defined]
items: sa.Table = models.AgendaItem.__table__  # type: ignore[attr-defined]
sections: sa.Table = models.Section.__table__  # type: ignore[attr-defined]
decisions: sa.Table = models.Decision.__table__  # type: ignore[attr-defined]
attachments: sa.Table = models.Attachment.__table__  # type: ignore[attr-defined]
feed: sa.Table = models.Change.__table__  # type: ignore[attr-defined]

# A sort key: columns, each ascending (False) or descending (True). The last column is
# unique, so the key orders rows totally.
SortKey = tuple[tuple[sa.ColumnElement[Any], bool], ...]

MEETINGS_NEWEST_FIRST: SortKey = ((meetings.c.date, True), (meetings.c.id, True))
MEETINGS_OLDEST_FIRST: SortKey = ((meetings.c.date, False), (meetings.c.id, False))
ITEMS_NEWEST_FIRST: SortKey = (
    (meetings.c.date, True),
    (items.c.meeting_id, True),
    (items.c.number, False),
)
DECISIONS_NEWEST_FIRST: SortKey = ((decisions.c.date, True), (decisions.c.id, True))
CASES_NEWEST_FIRST: SortKey = ((cases.c.year, True), (cases.c.id, False))
PERSONS_BY_NAME: SortKey = ((persons.c.name, False), (persons.c.id, False))
# The change feed in commit order (api.loaders.changes): a cursor is a seq.
FEED_IN_ORDER: SortKey = ((feed.c.seq, False),)


@dataclass(frozen=True, slots=True)
class MeetingFilter:
    organization: str | None = None  # an organization's id or name
    body: str | None = None  # a body's id or name
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    participant: str | None = None  # a person's id or name
    modified_since: dt.datetime | None = None
    person_id: str | None = None  # meetings a person took part in (Person.meetings)


@dataclass(frozen=True, slots=True)
class AgendaItemFilter:
    organization: str | None = None
    case_number: str | None = None
    is_closed: bool | None = None
    outcome: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    body: str | None = None
    modified_since: dt.datetime | None = None  # the item's meeting's updated_at


@dataclass(frozen=True, slots=True)
class DecisionFilter:
    organization: str | None = None
    outcome: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    body: str | None = None
    modified_since: dt.datetime | None = None  # the decision's meeting's updated_at


@dataclass(frozen=True, slots=True)
class StatsFilter:
    organization: str | None = None
    body: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# -- pages ---------------------------------------------------------------------------------


def page(
    connection: sa.Connection,
    query: sa.Select[Any],
    order: SortKey,
    first: int,
    after: Sequence[Any] | None,
) -> list[Row]:
    """Up to ``first + 1`` rows after the key ``after``; the extra row tells whether
    there is a next page. The key columns come last in each row, as ``_key0``, ``_key1``…"""
    if after is not None:
        query = query.where(_after(order, after))
    keyed = query.add_columns(*(column.label(f"_key{i}") for i, (column, _) in enumerate(order)))
    ordered = keyed.order_by(*(column.desc() if desc else column.asc() for column, desc in order))
    return list(connection.execute(ordered.limit(first + 1)))


def row_key(row: Row, order: SortKey) -> list[Any]:
    return [getattr(row, f"_key{i}") for i in range(len(order))]


def count(connection: sa.Connection, query: sa.Select[Any]) -> int:
    return int(
        connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    )


def _after(order: SortKey, key: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Rows strictly after ``key`` in ``order``, for any mix of directions."""
    clauses = []
    for i, (column, desc) in enumerate(order):
        equal = [c == v for (c, _), v in zip(order[:i], key[:i], strict=True)]
        beyond = column < key[i] if desc else column > key[i]
        clauses.append(sa.and_(*equal, beyond))
    return sa.or_(*clauses)


# -- meetings --------------------------------------------------------------------------------


def _meetings() -> sa.Select[Any]:
    """Meetings with their organization's id (a meeting's organization is its body's)."""
    return sa.select(meetings, bodies.c.organization_id).join(
        bodies, bodies.c.id == meetings.c.body_id
    )


def meetings_query(where: MeetingFilter) -> sa.Select[Any]:
    query = _meetings()
    if where.organization is not None:
        query = query.where(bodies.c.organization_id.in_(_organization_ids(where.organization)))
    if where.body is not None:
        query = query.where(meetings.c.body_id.in_(_body_ids(where.body)))
    if where.kind is not None:
        query = query.where(meetings.c.kind == where.kind)
    if where.date_from is not None:
        query = query.where(meetings.c.date >= where.date_from)
    if where.date_to is not None:
        query = query.where(meetings.c.date <= where.date_to)
    if where.modified_since is not None:
        query = query.where(meetings.c.updated_at >= where.modified_since)
    if where.participant is not None:
        people = sa.select(persons.c.id).where(
            sa.or_(
                persons.c.id == where.participant,
                persons.c.name_key == where.participant.casefold(),
            )
        )
        query = query.where(_attended(people))
    if where.person_id is not None:
        query = query.where(_attended(sa.select(sa.literal(where.person_id))))
    return query


def _attended(people: sa.Select[Any]) -> sa.ColumnElement[bool]:
    return sa.exists(
        sa.select(1).where(
            participations.c.meeting_id == meetings.c.id,
            participations.c.is_absent.is_(False),
            participations.c.person_id.in_(people),
        )
    )


def _body_ids(body: str) -> sa.Select[Any]:
    """A body's id or name; one name is a body of many organizations."""
    return sa.select(bodies.c.id).where(sa.or_(bodies.c.id == body, bodies.c.name == body))


def _organization_keys(organization: str) -> list[str]:
    """The ids an organization's id or name can be: a name's id is its slug, so "Høje
    Taastrup Kommune" finds hoeje-taastrup-kommune whichever spelling was stored."""
    return [organization, ids.organization_id(organization)]


def _organization_ids(organization: str) -> sa.Select[Any]:
    keys = _organization_keys(organization)
    return sa.select(organizations.c.id).where(organizations.c.id.in_(keys))


def _bodies_of(organization: str) -> sa.Select[Any]:
    return sa.select(bodies.c.id).where(
        bodies.c.organization_id.in_(_organization_ids(organization))
    )


def meetings_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    return list(connection.execute(_meetings().where(meetings.c.id.in_(ids))))


def meetings_after(
    connection: sa.Connection, where: MeetingFilter, after: Sequence[Any] | None, first: int
) -> list[Row]:
    """Up to ``first`` meetings after the (date, id) key ``after``, oldest first: a page of
    an export. The range on the date beside the key's condition lets both engines walk
    the date index from the key, so a page reads its own rows, not every one before it."""
    query = meetings_query(where)
    if after is not None:
        date, key = after
        query = query.where(
            meetings.c.date >= date, sa.or_(meetings.c.date > date, meetings.c.id > key)
        )
    ordered = query.order_by(meetings.c.date, meetings.c.id).limit(first)
    return list(connection.execute(ordered))


# -- organizations, bodies and persons -------------------------------------------------------


def all_organizations(connection: sa.Connection) -> list[Row]:
    query = sa.select(organizations).order_by(organizations.c.name, organizations.c.id)
    return list(connection.execute(query))


def organizations_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    query = sa.select(organizations).where(organizations.c.id.in_(ids))
    return list(connection.execute(query))


def organizations_named(connection: sa.Connection, organization: str) -> list[Row]:
    """The organization a filter's ``organization`` (an id or a name) names, if any."""
    keys = _organization_keys(organization)
    return list(connection.execute(sa.select(organizations).where(organizations.c.id.in_(keys))))


def all_bodies(connection: sa.Connection, organization: str | None = None) -> list[Row]:
    query = sa.select(bodies).order_by(bodies.c.name, bodies.c.id)
    if organization is not None:
        query = query.where(bodies.c.organization_id.in_(_organization_ids(organization)))
    return list(connection.execute(query))


def bodies_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    return list(connection.execute(sa.select(bodies).where(bodies.c.id.in_(ids))))


def bodies_by_organization(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    query = sa.select(bodies).where(bodies.c.organization_id.in_(ids))
    return list(connection.execute(query.order_by(bodies.c.organization_id, bodies.c.name)))


def persons_query(name: str | None, organization: str | None = None) -> sa.Select[Any]:
    query = sa.select(persons)
    if organization is not None:
        query = query.where(persons.c.organization_id.in_(_organization_ids(organization)))
    if name:
        key = name.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(persons.c.name_key.like(f"%{key}%", escape="\\"))
    return query


def persons_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    return list(connection.execute(sa.select(persons).where(persons.c.id.in_(ids))))


def meeting_counts_by_person(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    """(person_id, meetings) for each person: the meetings they took part in."""
    query = (
        sa.select(
            participations.c.person_id,
            sa.func.count(sa.distinct(participations.c.meeting_id)).label("meetings"),
        )
        .where(participations.c.person_id.in_(ids), participations.c.is_absent.is_(False))
        .group_by(participations.c.person_id)
    )
    return list(connection.execute(query))


def people_by_meeting(connection: sa.Connection, meeting_ids: Sequence[str]) -> list[Row]:
    """Participants and absentees of the meetings, in document order, with names."""
    query = (
        sa.select(
            participations.c.meeting_id,
            participations.c.is_absent,
            participations.c.role,
            participations.c.party,
            persons.c.id,
            persons.c.name,
            persons.c.organization_id,
        )
        .join(persons, persons.c.id == participations.c.person_id)
        .where(participations.c.meeting_id.in_(meeting_ids))
        .order_by(
            participations.c.meeting_id, participations.c.is_absent, participations.c.position
        )
    )
    return list(connection.execute(query))


# -- agenda items, their content, decisions and cases -----------------------------------------


def _items_with_date() -> sa.Select[Any]:
    """Items with their meeting's date and their case's number, as written."""
    return (
        sa.select(items, meetings.c.date.label("meeting_date"), cases.c.number.label("case_number"))
        .join(meetings, meetings.c.id == items.c.meeting_id)
        .outerjoin(cases, cases.c.id == items.c.case_id)
    )


def items_query(where: AgendaItemFilter) -> sa.Select[Any]:
    query = _items_with_date()
    if where.organization is not None:
        query = query.where(meetings.c.body_id.in_(_bodies_of(where.organization)))
    if where.case_number is not None:
        query = query.where(cases.c.number == where.case_number.strip())
    if where.is_closed is not None:
        query = query.where(items.c.is_closed.is_(where.is_closed))
    if where.outcome is not None:
        query = query.where(
            sa.exists(
                sa.select(1).where(
                    decisions.c.agenda_item_id == items.c.id, decisions.c.outcome == where.outcome
                )
            )
        )
    if where.date_from is not None:
        query = query.where(meetings.c.date >= where.date_from)
    if where.date_to is not None:
        query = query.where(meetings.c.date <= where.date_to)
    if where.body is not None:
        query = query.where(meetings.c.body_id.in_(_body_ids(where.body)))
    if where.modified_since is not None:
        query = query.where(meetings.c.updated_at >= where.modified_since)
    return query


def items_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    return list(connection.execute(_items_with_date().where(items.c.id.in_(ids))))


def items_by_meeting(connection: sa.Connection, meeting_ids: Sequence[str]) -> list[Row]:
    query = _items_with_date().where(items.c.meeting_id.in_(meeting_ids))
    return list(connection.execute(query.order_by(items.c.meeting_id, items.c.number)))


def items_by_case(
    connection: sa.Connection, case_ids: Sequence[str], first: int | None = None
) -> list[Row]:
    """The items of each case, oldest first: the case's timeline across meetings; with
    ``first``, each case's first ``first`` only, cut in the database (a busy case has
    thousands of items, and a client asks for a page of them)."""
    order = (meetings.c.date, meetings.c.id, items.c.number)
    query = _items_with_date().where(items.c.case_id.in_(case_ids))
    if first is None:
        return list(connection.execute(query.order_by(items.c.case_id, *order)))
    ranked = _first_of_each(query, items.c.case_id, order, first)
    return list(connection.execute(ranked))


def _first_of_each(
    query: sa.Select[Any],
    group: sa.Column[Any],
    order: Sequence[sa.ColumnElement[Any]],
    first: int,
) -> sa.Select[Any]:
    """The first ``first`` rows of ``query`` in each ``group``, by ``order``; the rows come
    by group, then in that order. ROW_NUMBER is on both engines (SQLite since 3.25)."""
    place = sa.func.row_number().over(partition_by=group, order_by=list(order))
    ranked = query.add_columns(place.label("_place")).subquery()
    return (
        sa.select(*(c for c in ranked.c if c.key != "_place"))
        .where(ranked.c._place <= first)
        .order_by(ranked.c[group.key], ranked.c._place)
    )


def sections_by_item(connection: sa.Connection, item_ids: Sequence[str]) -> list[Row]:
    query = sa.select(sections).where(sections.c.agenda_item_id.in_(item_ids))
    return list(connection.execute(query.order_by(sections.c.agenda_item_id, sections.c.position)))


def attachments_by_item(connection: sa.Connection, item_ids: Sequence[str]) -> list[Row]:
    query = sa.select(attachments).where(attachments.c.agenda_item_id.in_(item_ids))
    return list(
        connection.execute(query.order_by(attachments.c.agenda_item_id, attachments.c.position))
    )


def decisions_by_item(connection: sa.Connection, item_ids: Sequence[str]) -> list[Row]:
    query = sa.select(decisions).where(decisions.c.agenda_item_id.in_(item_ids))
    return list(
        connection.execute(query.order_by(decisions.c.agenda_item_id, decisions.c.position))
    )


def decisions_by_case(
    connection: sa.Connection, case_ids: Sequence[str], first: int | None = None
) -> list[Row]:
    """The decisions on each case's open items, oldest first: its path through the
    committees to the council. A decision one meeting quotes from an earlier body
    ("Økonomiudvalget, 18. september 2019, pkt. 153: Indstilles godkendt.") is given
    once: from that body's own minutes where they are stored, else as quoted. With
    ``first``, each case's first ``first`` only, cut in the database."""
    own = sa.case((bodies.c.name == decisions.c.body, 0), else_=1)
    order = (
        decisions.c.date,
        own,
        meetings.c.date,
        meetings.c.id,
        items.c.number,
        decisions.c.position,
    )
    query = (
        sa.select(decisions, items.c.case_id, own.label("quoted"))
        .join(items, items.c.id == decisions.c.agenda_item_id)
        .join(meetings, meetings.c.id == items.c.meeting_id)
        .join(bodies, bodies.c.id == meetings.c.body_id)
        .where(items.c.case_id.in_(case_ids), sa.not_(items.c.is_closed))
    )
    if first is None:
        return _once_each(connection.execute(query.order_by(items.c.case_id, *order)))
    # Quotes are dropped after the cut: a case that lost some of its first rows to them,
    # and has more, is read again with a larger cut (a case quotes a few decisions).
    cut = first
    while True:
        rows = list(connection.execute(_first_of_each(query, items.c.case_id, order, cut)))
        kept = _once_each(rows)
        read = Counter(row.case_id for row in rows)
        given = Counter(row.case_id for row in kept)
        if all(read[case] < cut or given[case] >= first for case in read):
            return _first_rows(kept, "case_id", first)
        cut *= 2


def _once_each(rows: Iterable[Row]) -> list[Row]:
    """Decisions in their case's order without the quotes of one already given."""
    found: list[Row] = []
    seen: set[tuple[str, str, dt.date]] = set()
    for row in rows:
        # The same decision may be quoted by several meetings; the deciding body's own
        # record sorts first, so the first of each body and day is the one kept.
        key = (row.case_id, ids.slugify(row.body), row.date)
        if row.quoted and key in seen:
            continue
        seen.add(key)
        found.append(row)
    return found


def _first_rows(rows: Iterable[Row], group: str, first: int) -> list[Row]:
    """The first ``first`` rows of each group of rows that come group by group."""
    given: Counter[Any] = Counter()
    found: list[Row] = []
    for row in rows:
        key = getattr(row, group)
        if given[key] < first:
            given[key] += 1
            found.append(row)
    return found


def decisions_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    return list(connection.execute(sa.select(decisions).where(decisions.c.id.in_(ids))))


def _items_of(body_ids: sa.Select[Any]) -> sa.Select[Any]:
    """The ids of the items of these bodies' meetings."""
    return (
        sa.select(items.c.id)
        .join(meetings, meetings.c.id == items.c.meeting_id)
        .where(meetings.c.body_id.in_(body_ids))
    )


def decisions_query(where: DecisionFilter) -> sa.Select[Any]:
    query = sa.select(decisions)
    if where.organization is not None:
        query = query.where(
            decisions.c.agenda_item_id.in_(_items_of(_bodies_of(where.organization)))
        )
    if where.outcome is not None:
        query = query.where(decisions.c.outcome == where.outcome)
    if where.date_from is not None:
        query = query.where(decisions.c.date >= where.date_from)
    if where.date_to is not None:
        query = query.where(decisions.c.date <= where.date_to)
    if where.body is not None:
        query = query.where(decisions.c.agenda_item_id.in_(_items_of(_body_ids(where.body))))
    if where.modified_since is not None:
        modified = (
            sa.select(items.c.id)
            .join(meetings, meetings.c.id == items.c.meeting_id)
            .where(meetings.c.updated_at >= where.modified_since)
        )
        query = query.where(decisions.c.agenda_item_id.in_(modified))
    return query


def _cases() -> sa.Select[Any]:
    # A case no stored item refers to any more is not listed.
    return sa.select(cases).where(sa.exists().where(items.c.case_id == cases.c.id))


def _case_date(aggregate: Any) -> sa.ScalarSelect[Any]:
    """The min or max of the dates of the meetings of the case of the row around it: an
    aggregate over that case's items alone, computed for the rows a statement gives
    (PostgreSQL computes it after ORDER BY and LIMIT)."""
    return (
        sa.select(aggregate(meetings.c.date))
        .select_from(items.join(meetings, meetings.c.id == items.c.meeting_id))
        .where(items.c.case_id == cases.c.id)
        .scalar_subquery()
    )


def case_dates(connection: sa.Connection, case_ids: Sequence[str]) -> list[Row]:
    """The first and last dates of each case's meetings (``case_id``, ``first_date``,
    ``last_date``): the items of these cases are found by their index and aggregated,
    never those of the whole archive."""
    query = (
        sa.select(
            items.c.case_id,
            sa.func.min(meetings.c.date).label("first_date"),
            sa.func.max(meetings.c.date).label("last_date"),
        )
        .join(meetings, meetings.c.id == items.c.meeting_id)
        .where(items.c.case_id.in_(case_ids))
        .group_by(items.c.case_id)
    )
    return list(connection.execute(query))


def cases_query(organization: str | None = None) -> sa.Select[Any]:
    """Cases with their first and last dates, for listings."""
    query = _cases().add_columns(
        _case_date(sa.func.min).label("first_date"), _case_date(sa.func.max).label("last_date")
    )
    if organization is not None:
        query = query.where(cases.c.organization_id.in_(_organization_ids(organization)))
    return query


def cases_by_id(connection: sa.Connection, ids: Sequence[str]) -> list[Row]:
    """Cases without their dates (case_dates gives them, when a client asks)."""
    return list(connection.execute(_cases().where(cases.c.id.in_(ids))))


def cases_by_number(
    connection: sa.Connection, number: str, organization: str | None = None
) -> list[Row]:
    """The cases with this number ("19/227"), one per organization that has it; without
    their dates, as cases_by_id."""
    query = _cases().where(cases.c.number == number.strip())
    if organization is not None:
        query = query.where(cases.c.organization_id.in_(_organization_ids(organization)))
    return list(connection.execute(query.order_by(cases.c.organization_id)))


# -- node ids and aggregates -------------------------------------------------------------------

NODE_TABLES = (
    ("Organization", organizations),
    ("Meeting", meetings),
    ("AgendaItem", items),
    ("Decision", decisions),
    ("Case", cases),
    ("Body", bodies),
    ("Person", persons),
)


# A case no stored item refers to any more is no node (as in _cases): its row stays, its
# tombstone is in the change feed.
_REFERRED = {"Case": (sa.exists().where(items.c.case_id == cases.c.id),)}


def node_type(connection: sa.Connection, node_id: str) -> str | None:
    """Which type has this id; one statement. Ids are unique across types
    (api.loaders.ids), so at most one table has it."""
    query = sa.union_all(
        *(
            sa.select(sa.literal(i).label("rank"), sa.literal(name).label("type")).where(
                table.c.id == node_id, *_REFERRED.get(name, ())
            )
            for i, (name, table) in enumerate(NODE_TABLES)
        )
    ).subquery()
    found = connection.execute(sa.select(query.c.type).order_by(query.c.rank).limit(1)).first()
    return None if found is None else str(found.type)


def _stats_meetings(where: StatsFilter) -> sa.Select[Any]:
    return meetings_query(
        MeetingFilter(
            organization=where.organization,
            body=where.body,
            date_from=where.date_from,
            date_to=where.date_to,
        )
    )


def stats_totals(connection: sa.Connection, where: StatsFilter) -> Row:
    scope = _stats_meetings(where).subquery()
    scoped_items = sa.select(items.c.id).where(items.c.meeting_id.in_(sa.select(scope.c.id)))
    query = sa.select(
        sa.select(sa.func.count()).select_from(scope).scalar_subquery().label("meetings"),
        sa.select(sa.func.count())
        .select_from(scoped_items.subquery())
        .scalar_subquery()
        .label("items"),
        sa.select(sa.func.count())
        .where(decisions.c.agenda_item_id.in_(scoped_items))
        .scalar_subquery()
        .label("decisions"),
    )
    return connection.execute(query).one()


def decisions_by_outcome(connection: sa.Connection, where: StatsFilter) -> list[Row]:
    scope = _stats_meetings(where).subquery()
    query = (
        sa.select(decisions.c.outcome, sa.func.count().label("total"))
        .join(items, items.c.id == decisions.c.agenda_item_id)
        .where(items.c.meeting_id.in_(sa.select(scope.c.id)))
        .group_by(decisions.c.outcome)
        .order_by(sa.func.count().desc(), decisions.c.outcome)
    )
    return list(connection.execute(query))


def meetings_by_year(connection: sa.Connection, where: StatsFilter) -> list[Row]:
    scope = _stats_meetings(where).subquery()
    year = sa.extract("year", scope.c.date)
    query = (
        sa.select(year.label("year"), sa.func.count().label("total")).group_by(year).order_by(year)
    )
    return list(connection.execute(query))


def busiest_cases(connection: sa.Connection, where: StatsFilter, limit: int) -> list[Row]:
    scope = _stats_meetings(where).subquery()
    query = (
        sa.select(items.c.case_id, sa.func.count().label("total"))
        .where(items.c.case_id.is_not(None), items.c.meeting_id.in_(sa.select(scope.c.id)))
        .group_by(items.c.case_id)
        .order_by(sa.func.count().desc(), items.c.case_id)
        .limit(limit)
    )
    return list(connection.execute(query))


# -- search ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchFilter:
    organization: str | None = None
    body: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# Hits come a year at a time, newest year first, and within a year in blocks: its newest
# RANK_WINDOW matches best first, then its next RANK_WINDOW, and so on. Ranking every
# match of a common word reads each one, which grows with the archive; a block costs
# the same at 10k meetings as at 100k, a year bounds what ranking needs to know about
# the whole (api.search.partitions), and a date filter reaches older hits at once.
RANK_WINDOW = 200
# PostgreSQL walks at most this many of a year's documents a block before it leaves a
# block to the planner: a word in fewer than one document in twenty is left to it.
PROBE = 20 * RANK_WINDOW


@dataclass(frozen=True, slots=True)
class SearchRow:
    """A hit: its year and block in that year (0 holds the year's newest matches), the
    document it is, and its score, higher is better. (year, block, score, id) is the
    hit's place in the results."""

    year: int
    block: int
    id: str
    kind: str
    agenda_item_id: str
    score: float

    @property
    def key(self) -> list[Any]:
        return [self.year, self.block, self.score, self.id]


def _search_matches(
    dialect: str, where: SearchFilter, year: int | None, *, matching: bool = True
) -> tuple[str, dict[str, Any]]:
    """FROM and WHERE of the documents that match, in ``year`` if one is given (on
    SQLite, one is: each year has its own index). The match expression arrives as a
    parameter, compiled by api.search.syntax from lemmas. Not ``matching``: the same
    documents without the match test (PostgreSQL only)."""
    filters: list[str] = []
    params: dict[str, Any] = {}
    if where.organization is not None:
        filters.append(
            "d.body_id IN (SELECT id FROM bodies WHERE organization_id IN (:org_id, :org_slug))"
        )
        params["org_id"], params["org_slug"] = _organization_keys(where.organization)
    if where.body is not None:
        filters.append("d.body_id IN (SELECT id FROM bodies WHERE id = :body OR name = :body)")
        params["body"] = where.body
    low = where.date_from
    high = where.date_to + dt.timedelta(days=1) if where.date_to is not None else None
    if year is not None:
        low = max(low or dt.date.min, dt.date(year, 1, 1))
        high = min(high or dt.date.max, dt.date(year + 1, 1, 1))
    if dialect == "postgresql":
        if low is not None:
            filters.append("d.date >= :low")
            params["low"] = low
        if high is not None:
            filters.append("d.date < :high")
            params["high"] = high
        tests = ["d.tsv @@ CAST(:match AS tsquery)" if matching else "TRUE", *filters]
        return f"FROM search_documents d WHERE {' AND '.join(tests)}", params
    if year is None:  # pragma: no cover - every SQLite statement names its year's table
        raise ValueError("SQLite searches one year's index at a time")
    # The rowids follow the dates (api.search.order): a date range is a rowid range,
    # which FTS5 applies while it walks its index.
    fts = partitions.table(year)
    if low is not None:
        filters.append(f"{fts}.rowid >= :low")
        params["low"] = day_key(low)
    if high is not None:
        filters.append(f"{fts}.rowid < :high")
        params["high"] = day_key(high)
    extra = "".join(f" AND {f}" for f in filters)
    if where.body is None and where.organization is None:
        return f"FROM {fts} WHERE {fts} MATCH :match{extra}", params
    return (
        f"FROM {fts} JOIN search_documents d ON d.rowid = {fts}.rowid "
        f"WHERE {fts} MATCH :match{extra}",
        params,
    )


def _search_block(
    connection: sa.Connection,
    where: SearchFilter,
    year: int,
    block: int,
    match: str,
    window: int,
    probe: int,
) -> list[Row]:
    """One block of the year's hits, unordered: the ``window`` matches after its newest
    ``block * window``, with their ids, kinds, items and scores."""
    matches, params = _search_matches(connection.dialect.name, where, year)
    params |= {"match": match, "window": window, "skip": block * window}
    if connection.dialect.name != "postgresql":
        # FTS5 walks its matches in rowid order, newest first, without reading the others.
        fts = partitions.table(year)
        ranked = (
            f"SELECT {fts}.rowid AS rowid, -bm25({fts}) AS score {matches} "
            f"ORDER BY {fts}.rowid DESC LIMIT :window OFFSET :skip"
        )
        sql = (
            "SELECT d.id, d.kind, d.agenda_item_id, b.score "
            f"FROM ({ranked}) b JOIN search_documents d ON d.rowid = b.rowid"
        )
        return list(connection.execute(sa.text(sql), params))
    # A walk of the year's documents newest first finds a common word's newest matches
    # after a few hundred rows, and the planner would choose it for them; for an AND or
    # a phrase of common words it guesses far fewer matches than there are (it takes the
    # words as independent) and reads every match in the GIN index instead (250 ms for
    # "taget til efterretning" in a year of 100k meetings, where the walk took 13). So
    # the walk goes first, over at most ``probe`` documents a block; only a word too
    # rare to fill the block there is left to the planner.
    columns = "d.id, d.kind, d.agenda_item_id, ts_rank_cd(d.tsv, CAST(:match AS tsquery))::float8"
    documents, _ = _search_matches("postgresql", where, year, matching=False)
    walked = params | {"probe": probe * (block + 1)}
    walk = (
        f"SELECT {columns} FROM (SELECT d.id, d.kind, d.agenda_item_id, d.tsv, d.date "
        f"{documents} ORDER BY d.date DESC, d.id DESC LIMIT :probe) d "
        "WHERE d.tsv @@ CAST(:match AS tsquery) "
        "ORDER BY d.date DESC, d.id DESC LIMIT :window OFFSET :skip"
    )
    rows = list(connection.execute(sa.text(walk), walked))
    if len(rows) == window:
        return rows
    seen = f"SELECT count(*) FROM (SELECT 1 {documents} LIMIT :probe) d"
    if connection.execute(sa.text(seen), walked).scalar_one() < walked["probe"]:
        return rows  # the walk saw all of the year's documents
    planned = (
        f"SELECT {columns} FROM (SELECT d.id, d.kind, d.agenda_item_id, d.tsv {matches} "
        "ORDER BY d.date DESC, d.id DESC LIMIT :window OFFSET :skip) d"
    )
    return list(connection.execute(sa.text(planned), params))


def _search_years(connection: sa.Connection, where: SearchFilter) -> list[int]:
    """The years that may hold matches, newest first, within the date filter."""
    if connection.dialect.name == "postgresql":
        span = connection.exec_driver_sql("SELECT min(date), max(date) FROM search_documents").one()
        found = list(range(span[1].year, span[0].year - 1, -1)) if span[0] else []
    else:
        names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        found = partitions.years(list(names.scalars()))
    first = where.date_from.year if where.date_from else dt.MINYEAR
    last = where.date_to.year if where.date_to else dt.MAXYEAR
    return [year for year in found if first <= year <= last]


def _search_settings(connection: sa.Connection) -> None:
    """Planner settings for search statements on PostgreSQL, for this transaction.

    No sequential scans: the planner prices ``tsv @@ query`` as one cheap call a row,
    but a sequential scan tests every document; for a prefix it chose one, 15 times
    slower than the GIN index. And room for the GIN index's bitmap of a common word's
    matches: in the default 4 MB it turns lossy, and every document of a lossy page is
    tested again (a third of the time of counting "sygefravær" at 100k meetings).
    And a plan for each statement's own values: psycopg prepares a statement it has
    run five times, and PostgreSQL's generic plan for "some words in some year" then
    read the whole GIN index for every word (640 ms where a plan for the words took 13).
    """
    if connection.dialect.name == "postgresql":
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            # The service reads in autocommit (api.database), where a transaction lasts
            # one statement: a search's statements share one, which its settings last.
            connection.execution_options(isolation_level=connection.default_isolation_level)
        # set_config(..., true) is SET LOCAL; one statement, one round trip.
        connection.exec_driver_sql(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
            "set_config('enable_seqscan', 'off', true), set_config('work_mem', '64MB', true)"
        )


def _match(connection: sa.Connection, search: SearchQuery) -> str:
    """The parsed search in this engine's own syntax."""
    return search.to_tsquery() if connection.dialect.name == "postgresql" else search.to_fts5()


def search_page(
    connection: sa.Connection,
    search: SearchQuery,
    where: SearchFilter,
    first: int,
    after: Sequence[Any] | None,
    *,
    window: int = RANK_WINDOW,
    probe: int = PROBE,
) -> list[SearchRow]:
    """Up to ``first + 1`` hits after the (year, block, score, id) key ``after``: year by
    year, block by block, each block best first."""
    _search_settings(connection)
    match = _match(connection, search)
    years = _search_years(connection, where)
    if after is not None:
        years = [year for year in years if year <= int(after[0])]
    found: list[SearchRow] = []
    for year in years:
        resuming = after is not None and year == int(after[0])
        block = int(after[1]) if after is not None and resuming else 0
        while True:
            rows = _search_block(connection, where, year, block, match, window, probe)
            hits = sorted(
                (SearchRow(year, block, r[0], r[1], r[2], float(r[3])) for r in rows),
                key=lambda hit: (-hit.score, hit.id),
            )
            if after is not None and resuming and block == int(after[1]):
                place = (-float(after[2]), str(after[3]))
                hits = [hit for hit in hits if (-hit.score, hit.id) > place]
            found += hits[: first + 1 - len(found)]
            if len(found) > first:
                return found
            if len(rows) < window:  # the year's last block
                break
            block += 1
    return found


@dataclass(frozen=True, slots=True)
class HitSources:
    """What a page of hits shows: the rows of its items and decisions, and the items'
    sections and attachments."""

    items: list[Row]
    decisions: list[Row]
    sections: list[Row]
    attachments: list[Row]


def hit_sources(connection: sa.Connection, hits: Sequence[SearchRow]) -> HitSources:
    item_ids = [hit.id for hit in hits if hit.kind == "AgendaItem"]
    decision_ids = [hit.id for hit in hits if hit.kind == "Decision"]
    return HitSources(
        items=items_by_id(connection, item_ids) if item_ids else [],
        decisions=decisions_by_id(connection, decision_ids) if decision_ids else [],
        sections=sections_by_item(connection, item_ids) if item_ids else [],
        attachments=attachments_by_item(connection, item_ids) if item_ids else [],
    )


def search_count(connection: sa.Connection, search: SearchQuery, where: SearchFilter) -> int:
    """How many documents match, over all years and blocks."""
    _search_settings(connection)
    dialect = connection.dialect.name
    match = {"match": _match(connection, search)}
    # PostgreSQL counts in one statement; SQLite a year's index at a time.
    years = [None] if dialect == "postgresql" else _search_years(connection, where)
    total = 0
    for year in years:
        matches, params = _search_matches(dialect, where, year)
        statement = sa.text(f"SELECT count(*) {matches}")
        total += int(connection.execute(statement, params | match).scalar_one())
    return total


def data_version(connection: sa.Connection) -> DataVersion:
    """(seq, last): the change feed's newest seq and time, which move whenever anything
    is stored, replaced or removed (every such commit writes changes); two index lookups,
    whatever the archive's size. The REST mirror's ETag and Last-Modified come from it,
    and the kept GraphQL answers are keyed on it."""
    query = sa.select(
        sa.select(sa.func.max(feed.c.seq)).scalar_subquery().label("seq"),
        sa.select(sa.func.max(feed.c.at)).scalar_subquery().label("last"),
    )
    row = connection.execute(query).one()
    # max() over a TypeDecorator column comes back raw on SQLite: make it aware UTC.
    last = row.last
    if isinstance(last, str):
        last = dt.datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return DataVersion(int(row.seq or 0), last)


@dataclass(frozen=True, slots=True)
class DataVersion:
    seq: int  # the newest change's (0 before any)
    last: dt.datetime | None


# -- the change feed ---------------------------------------------------------------------------


def changes_query(since: dt.datetime | None) -> sa.Select[Any]:
    """The feed's changes, at or after ``since`` if given; page them by FEED_IN_ORDER."""
    query = sa.select(feed)
    if since is not None:
        query = query.where(feed.c.at >= since)
    return query


# -- when meetings last changed (the REST mirror's Last-Modified) ------------------------------


def meetings_updated(connection: sa.Connection, where: MeetingFilter) -> dt.datetime | None:
    """The newest ``updated_at`` among the meetings ``where`` selects, aware UTC; None
    when it selects none."""
    scope = meetings_query(where).subquery()
    newest = connection.execute(sa.select(sa.func.max(scope.c.updated_at))).scalar()
    if newest is None:
        return None
    # max() over a TypeDecorator column comes back raw on SQLite: make it aware UTC.
    moment = newest if isinstance(newest, dt.datetime) else dt.datetime.fromisoformat(newest)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
