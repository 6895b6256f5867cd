"""Each field of the entity graph as SQL that builds its JSON: an object is a JSON object
of its selected fields, a related object a correlated subquery, a list an aggregate over
one, a connection its page, cursors, ``pageInfo`` and ``totalCount``.

The rows come from api.queries: the same listing functions, sort keys and keyset
conditions the resolvers page with, so both paths list the same rows in the same order.
The rules the resolvers apply to rows are applied here the same way: a closed item shows
number, title and case number only; enums answer their GraphQL names; timestamps are
Copenhagen time.

Whatever would answer an error (a bad cursor, ``first`` out of range, a filter the
resolvers refuse) or is not compiled (search, stats, a case's decisions, introspection)
raises NotCompilable: the resolvers answer the whole operation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)

from api import queries
from api.read.compiler.dialect import Dialect, Expr, text_literal
from api.read.compiler.fields import Collector, Selected
from api.read.errors import ReadError
from api.read.pages import CASE_LIST_MAX, decode_cursor, page_size

Rows = sa.Select[Any]
Source = sa.FromClause
# PostgreSQL's functions take at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50


class NotCompilable(Exception):
    """The resolvers answer this operation: it asks for something the compiler does not
    build, or something that answers an error."""


# -- the rows each type is built from --------------------------------------------------------


def _organization_rows() -> Rows:
    return sa.select(queries.organizations)


def _body_rows() -> Rows:
    return sa.select(queries.bodies)


def _person_rows() -> Rows:
    return queries.persons_query(None)


def _meeting_rows() -> Rows:
    return queries.meetings_query(queries.MeetingFilter())


def _item_rows() -> Rows:
    return queries.items_query(queries.AgendaItemFilter())


def _decision_rows() -> Rows:
    return queries.decisions_query(queries.DecisionFilter())


def _case_rows() -> Rows:
    """Cases with the dates of their first and last meeting, each case's own: a case
    reached from an item reads only its own items (the listing, cases_query, also tests
    that an item refers to the case; one reached from an item has one)."""
    items, meetings, cases = queries.items, queries.meetings, queries.cases

    def date(aggregate: Callable[[Any], Any]) -> Any:
        return (
            sa.select(aggregate(meetings.c.date))
            .select_from(items.join(meetings, meetings.c.id == items.c.meeting_id))
            .where(items.c.case_id == cases.c.id)
            .scalar_subquery()
        )

    first, last = date(sa.func.min), date(sa.func.max)
    return sa.select(cases, first.label("first_date"), last.label("last_date"))


def _participant_rows() -> Rows:
    """Participations with their persons, as api.queries.people_by_meeting reads them."""
    participations, persons = queries.participations, queries.persons
    return sa.select(
        participations.c.meeting_id,
        participations.c.is_absent,
        participations.c.position,
        participations.c.role,
        participations.c.party,
        persons.c.id,
        persons.c.name,
        persons.c.organization_id,
    ).join(persons, persons.c.id == participations.c.person_id)


# Each type a node can be (queries.NODE_TABLES names them), and its rows.
NODE_ROWS: dict[str, Callable[[], Rows]] = {
    "Organization": _organization_rows,
    "Meeting": _meeting_rows,
    "AgendaItem": _item_rows,
    "Decision": _decision_rows,
    "Case": _case_rows,
    "Body": _body_rows,
    "Person": _person_rows,
}

# The sort keys' value types, as the resolvers decode the listings' cursors.
MEETING_KEY = (dt.date, str)
ITEM_KEY = (dt.date, str, int)
DECISION_KEY = (dt.date, str)
CASE_KEY = (int, str)
PERSON_KEY = (str, str)


def _source(rows: Rows) -> Source:
    """Rows to select from: a table's own alias when they are a whole table, else a
    subquery. SQLite's parser has a bounded stack; a subquery a level adds depth."""
    froms = rows.get_final_froms()
    if (
        len(froms) == 1
        and isinstance(froms[0], sa.Table)
        and rows.whereclause is None
        and list(rows.selected_columns) == list(froms[0].columns)
    ):
        return froms[0].alias()
    return rows.subquery()


def _snake(name: str) -> str:
    """A field's column: strawberry names fields by camel-casing their Python names."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _named(field_type: GraphQLOutputType) -> Any:
    return get_named_type(field_type)


# Arguments whose values pick very different numbers of rows (one organization holds
# ten times another's meetings, a busy case thousands of items where most have one).
_SKEWED_ARGUMENTS = frozenset(
    {"organization", "body", "participant", "caseNumber", "outcome", "name"}
)


class Planner:
    def __init__(self, dialect: Dialect, collector: Collector, schema: GraphQLSchema) -> None:
        self.dialect = dialect
        self.collector = collector
        self.schema = schema
        # Whether one plan serves the last root field's statement whatever its values;
        # not when a list's length depends on them: a plan made for an average case
        # reads a busy case's items several times over (api.database.PREPARE).
        self.one_plan_serves = True

    def _planned_for_values(self) -> None:
        self.one_plan_serves = False

    def _type(self, name: str) -> GraphQLObjectType:
        found = self.schema.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    # -- objects -------------------------------------------------------------------------

    def object(self, type_name: str, src: Source, fields: list[Selected]) -> Expr:
        runtime = self._type(type_name)
        pairs: list[tuple[str, Expr]] = []
        for selected in fields:
            if selected.name == "__typename":
                pairs.append((selected.key, text_literal(type_name)))
                continue
            definition = runtime.fields[selected.name]
            special = getattr(self, f"_field_{_snake(type_name)}_{_snake(selected.name)}", None)
            if special is not None:
                pairs.append((selected.key, special(src, selected, definition)))
            elif selected.name in ("__schema", "__type"):  # pragma: no cover - root only
                raise NotCompilable(selected.name)
            else:
                pairs.append((selected.key, self.scalar(definition, src.c[_snake(selected.name)])))
        if len(pairs) > MAX_KEYS:
            raise NotCompilable(f"{len(pairs)} fields in one object")
        return self.dialect.object(pairs)

    def scalar(self, definition: GraphQLField, column: Expr) -> Expr:
        kind = _named(definition.type)
        if isinstance(kind, GraphQLEnumType):
            return self._enum(kind, column)
        if not isinstance(kind, GraphQLScalarType):
            raise NotCompilable(f"{kind} is not a scalar")
        if kind.name == "Boolean":
            return self.dialect.boolean(column)
        if kind.name == "DateTime":
            return self.dialect.local_time(column)
        return column

    def _enum(self, kind: GraphQLEnumType, column: Expr) -> Expr:
        """The GraphQL name of a stored value, by the schema's own mapping."""
        names = {_stored(value.value): name for name, value in kind.values.items()}
        if all(stored == name for stored, name in names.items()):
            return column
        return sa.case(
            *((column == sa.literal(stored), text_literal(name)) for stored, name in names.items())
        )

    def one(
        self,
        type_name: str,
        rows: Rows,
        where: Callable[[Source], Any],
        selected: Selected,
        src: Source | None = None,
    ) -> Expr:
        """A related object: a correlated subquery."""
        sub = _source(rows)
        fields = self.collector.subfields(self._type(type_name), selected)
        query = sa.select(self.object(type_name, sub, fields)).select_from(sub).where(where(sub))
        if src is not None:
            query = query.correlate(src)
        return self.dialect.nested(query.scalar_subquery())

    def many(
        self,
        type_name: str,
        rows: Rows,
        where: Callable[[Source], Any],
        order: Callable[[Source], list[Any]],
        selected: Selected,
        src: Source | None,
        limit: int | None = None,
    ) -> Expr:
        """A list of objects, in order: an aggregate over a correlated subquery."""
        sub = _source(rows)
        fields = self.collector.subfields(self._type(type_name), selected)
        inner = (
            sa.select(self.object(type_name, sub, fields).label("j"))
            .select_from(sub)
            .where(where(sub))
            .order_by(*order(sub))
        )
        if limit is not None:
            inner = inner.limit(limit)
        if src is not None:
            inner = inner.correlate(src)
        return self.dialect.nested(self.dialect.array(inner))

    def _unless_closed(self, src: Source, value: Expr, closed: Expr) -> Expr:
        """What an item shows of itself only when it is open."""
        return sa.case((src.c.is_closed, closed), else_=value)

    # -- connections ---------------------------------------------------------------------

    def connection(
        self,
        definition: GraphQLField,
        selected: Selected,
        rows: Rows,
        order: queries.SortKey,
        key_types: tuple[type, ...],
        first: int | None,
        after: str | None,
        src: Source | None = None,
    ) -> Expr:
        try:
            size = page_size(first)
            key = decode_cursor(after, key_types)
        except ReadError as error:
            raise NotCompilable(error.message) from None
        if src is not None:
            rows = rows.correlate(src)
        listed = rows.where(queries._after(order, key)) if key is not None else rows
        keyed = listed.add_columns(
            *(column.label(f"_key{i}") for i, (column, _) in enumerate(order))
        ).order_by(*(column.desc() if desc else column.asc() for column, desc in order))

        def keys(page: Source) -> list[Expr]:
            return [page.c[f"_key{i}"] for i in range(len(order))]

        def ordered(page: Source, reverse: bool = False) -> list[Any]:
            return [
                column.desc() if desc != reverse else column.asc()
                for column, (_, desc) in zip(keys(page), order, strict=True)
            ]

        connection_type = _named(definition.type)
        pairs: list[tuple[str, Expr]] = []
        for field in self.collector.subfields(connection_type, selected):
            if field.name == "__typename":
                pairs.append((field.key, text_literal(connection_type.name)))
            elif field.name == "totalCount":
                counted = rows.subquery()
                total = sa.select(sa.func.count()).select_from(counted)
                pairs.append((field.key, self._correlated(total, src).scalar_subquery()))
            elif field.name == "edges":
                edge_type = _named(connection_type.fields["edges"].type)
                page = keyed.limit(size).subquery()
                edge = self._edge(edge_type, field, page, keys(page))
                inner = self._correlated(
                    sa.select(edge.label("j")).select_from(page).order_by(*ordered(page)), src
                )
                pairs.append((field.key, self.dialect.nested(self.dialect.array(inner))))
            elif field.name == "pageInfo":
                pairs.append((field.key, self._page_info(field, keyed, size, keys, ordered, src)))
        return self.dialect.object(pairs)

    def _correlated(self, query: Rows, src: Source | None) -> Rows:
        return query if src is None else query.correlate(src)

    def _edge(
        self, edge_type: GraphQLObjectType, selected: Selected, page: Source, key: list[Expr]
    ) -> Expr:
        node_type = _named(edge_type.fields["node"].type).name
        pairs: list[tuple[str, Expr]] = []
        for field in self.collector.subfields(edge_type, selected):
            if field.name == "__typename":
                pairs.append((field.key, text_literal(edge_type.name)))
            elif field.name == "cursor":
                pairs.append((field.key, self.dialect.cursor(key)))
            elif field.name == "node":
                fields = self.collector.subfields(self._type(node_type), field)
                pairs.append((field.key, self.object(node_type, page, fields)))
        return self.dialect.object(pairs)

    def _page_info(
        self,
        selected: Selected,
        keyed: Rows,
        size: int,
        keys: Callable[[Source], list[Expr]],
        ordered: Callable[..., list[Any]],
        src: Source | None,
    ) -> Expr:
        info_type = self._type("PageInfo")
        pairs: list[tuple[str, Expr]] = []
        for field in self.collector.subfields(info_type, selected):
            if field.name == "__typename":
                pairs.append((field.key, text_literal(info_type.name)))
            elif field.name == "hasNextPage":
                # One row past the page says there is a next one, as queries.page reads.
                probe = keyed.limit(size + 1).subquery()
                rows = sa.select(sa.func.count()).select_from(probe)
                more = self._correlated(rows, src).scalar_subquery() > size
                pairs.append((field.key, self.dialect.boolean(more)))
            elif field.name == "endCursor":
                page = keyed.limit(size).subquery()
                last = (
                    sa.select(self.dialect.cursor(keys(page)))
                    .select_from(page)
                    .order_by(*ordered(page, reverse=True))
                    .limit(1)
                )
                pairs.append((field.key, self._correlated(last, src).scalar_subquery()))
        return self.dialect.object(pairs)

    def _meetings_of(
        self,
        definition: GraphQLField,
        selected: Selected,
        src: Source,
        where: Callable[[], Any],
    ) -> Expr:
        """A meetings connection of an organization, body or person: newest first."""
        self._planned_for_values()
        args = self.collector.arguments(definition, selected)
        return self.connection(
            definition,
            selected,
            _meeting_rows().where(where()),
            queries.MEETINGS_NEWEST_FIRST,
            MEETING_KEY,
            args.get("first"),
            args.get("after"),
            src,
        )

    # -- the fields that are not a column ------------------------------------------------
    # Named _field_<type>_<field> in snake case; each gets the type's rows as src.

    def _field_organization_bodies(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self.many(
            "Body",
            _body_rows(),
            lambda b: b.c.organization_id == src.c.id,
            lambda b: [b.c.name],
            f,
            src,
        )

    def _field_organization_meetings(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        # MeetingFilter(organization=id) reads the organization's own id: its bodies'.
        return self._meetings_of(d, f, src, lambda: queries.bodies.c.organization_id == src.c.id)

    def _field_body_organization(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._organization(src, f)

    def _field_body_meetings(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._meetings_of(d, f, src, lambda: queries.meetings.c.body_id == src.c.id)

    def _field_person_organization(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._organization(src, f)

    def _field_person_meetings(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._meetings_of(d, f, src, lambda: self._attended_by(src))

    def _attended_by(self, src: Source) -> Any:
        """Meetings the person took part in (MeetingFilter.person_id's condition)."""
        participations = queries.participations
        return sa.exists(
            sa.select(1)
            .where(
                participations.c.meeting_id == queries.meetings.c.id,
                participations.c.is_absent.is_(False),
                participations.c.person_id == src.c.id,
            )
            .correlate_except(participations)
        )

    def _field_person_meeting_count(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        participations = queries.participations
        return (
            sa.select(sa.func.count(sa.distinct(participations.c.meeting_id)))
            .where(participations.c.person_id == src.c.id, participations.c.is_absent.is_(False))
            .correlate(src)
            .scalar_subquery()
        )

    def _organization(self, src: Source, f: Selected) -> Expr:
        return self.one(
            "Organization", _organization_rows(), lambda o: o.c.id == src.c.organization_id, f, src
        )

    def _field_meeting_organization(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._organization(src, f)

    def _field_meeting_body(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self.one("Body", _body_rows(), lambda b: b.c.id == src.c.body_id, f, src)

    def _field_meeting_participants(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._people(src, f, "Participant", absent=False)

    def _field_meeting_absentees(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._people(src, f, "Person", absent=True)

    def _people(self, src: Source, f: Selected, type_name: str, *, absent: bool) -> Expr:
        return self.many(
            type_name,
            _participant_rows(),
            lambda p: sa.and_(p.c.meeting_id == src.c.id, p.c.is_absent.is_(absent)),
            lambda p: [p.c.position],
            f,
            src,
        )

    def _field_participant_person(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        # A participant's row holds its person's columns.
        return self.object("Person", src, self.collector.subfields(self._type("Person"), f))

    def _field_meeting_agenda_items(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self.many(
            "AgendaItem",
            _item_rows(),
            lambda i: i.c.meeting_id == src.c.id,
            lambda i: [i.c.number],
            f,
            src,
        )

    def _field_agenda_item_page(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._unless_closed(src, src.c.page, sa.null())

    def _field_agenda_item_meeting(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self.one("Meeting", _meeting_rows(), lambda m: m.c.id == src.c.meeting_id, f, src)

    def _field_agenda_item_case(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        case = self.one("Case", _case_rows(), lambda c: c.c.id == src.c.case_id, f, src)
        return self.dialect.nested(self._unless_closed(src, case, sa.null()))

    def _item_list(self, src: Source, f: Selected, type_name: str, rows: Rows) -> Expr:
        listed = self.many(
            type_name,
            rows,
            lambda r: r.c.agenda_item_id == src.c.id,
            lambda r: [r.c.position],
            f,
            src,
        )
        return self.dialect.nested(self._unless_closed(src, listed, self.dialect.empty_array()))

    def _field_agenda_item_sections(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._item_list(src, f, "Section", sa.select(queries.sections))

    def _field_agenda_item_decisions(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._item_list(src, f, "Decision", _decision_rows())

    def _field_agenda_item_attachments(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._item_list(src, f, "Attachment", sa.select(queries.attachments))

    def _field_decision_agenda_item(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self.one(
            "AgendaItem", _item_rows(), lambda i: i.c.id == src.c.agenda_item_id, f, src
        )

    def _field_case_organization(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        return self._organization(src, f)

    def _field_case_agenda_items(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        first = self.collector.arguments(d, f).get("first")
        if first is None:
            first = d.args["first"].default_value
        if not 0 <= first <= CASE_LIST_MAX:
            raise NotCompilable(f"first: {first}")
        self._planned_for_values()
        return self.many(
            "AgendaItem",
            _item_rows(),
            lambda i: i.c.case_id == src.c.id,
            # queries.items_by_case's order: the case's timeline across meetings.
            lambda i: [i.c.meeting_date, i.c.meeting_id, i.c.number],
            f,
            src,
            limit=first,
        )

    def _field_case_decisions(self, src: Source, f: Selected, d: GraphQLField) -> Expr:
        # A decision quoted by several meetings is given once, by a rule applied in
        # Python (queries.decisions_by_case): the resolvers answer this.
        raise NotCompilable("Case.decisions")

    # -- the root fields -----------------------------------------------------------------

    def root(self, selected: Selected) -> sa.Select[Any]:
        """The statement that answers one root field: one row of one column, the field's
        JSON; no row, or NULL, where the resolvers would answer an error."""
        query_type = self.schema.query_type
        assert query_type is not None
        definition = query_type.fields.get(selected.name)
        method = getattr(self, f"_root_{_snake(selected.name)}", None)
        if definition is None or method is None:
            raise NotCompilable(selected.name)
        args = self.collector.arguments(definition, selected)
        self.one_plan_serves = True
        value: sa.Select[Any] = method(selected, definition, args)
        return value

    def _value(self, expr: Expr) -> sa.Select[Any]:
        return sa.select(self.dialect.text(expr))

    def _by_id(self, type_name: str, selected: Selected, node_id: str) -> sa.Select[Any]:
        sub = _source(NODE_ROWS[type_name]())
        fields = self.collector.subfields(self._type(type_name), selected)
        obj = self.dialect.text(self.object(type_name, sub, fields))
        return sa.select(obj).select_from(sub).where(sub.c.id == node_id)

    def _root_node(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        found: list[Expr] = []
        for type_name, _ in queries.NODE_TABLES:
            rows = NODE_ROWS[type_name]()
            if type_name == "Case":  # a case no item refers to is no node (queries._cases)
                rows = rows.where(sa.exists().where(queries.items.c.case_id == queries.cases.c.id))
            sub = _source(rows)
            fields = self.collector.subfields(self._type(type_name), f)
            obj = self.object(type_name, sub, fields)
            lookup = sa.select(obj).select_from(sub).where(sub.c.id == str(args["id"]))
            found.append(self.dialect.nested(lookup.scalar_subquery()))
        return self._value(sa.func.coalesce(*found))

    def _root_meeting(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        return self._by_id("Meeting", f, str(args["id"]))

    def _root_agenda_item(
        self, f: Selected, d: GraphQLField, args: dict[str, Any]
    ) -> sa.Select[Any]:
        return self._by_id("AgendaItem", f, str(args["id"]))

    def _root_decision(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        return self._by_id("Decision", f, str(args["id"]))

    def _root_person(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        return self._by_id("Person", f, str(args["id"]))

    def _root_organization(
        self, f: Selected, d: GraphQLField, args: dict[str, Any]
    ) -> sa.Select[Any]:
        return self._by_id("Organization", f, str(args["id"]))

    def _root_organizations(
        self, f: Selected, d: GraphQLField, args: dict[str, Any]
    ) -> sa.Select[Any]:
        # queries.all_organizations' order.
        return self._value(
            self.many(
                "Organization",
                _organization_rows(),
                lambda o: sa.true(),
                lambda o: [o.c.name, o.c.id],
                f,
                None,
            )
        )

    def _root_bodies(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        organization = args.get("organization")
        rows = _body_rows()
        if organization is not None:  # queries.all_bodies' filter
            ids = queries._organization_ids(organization)
            rows = rows.where(queries.bodies.c.organization_id.in_(ids))
        return self._value(
            self.many("Body", rows, lambda b: sa.true(), lambda b: [b.c.name, b.c.id], f, None)
        )

    def _root_case(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        # queries.cases_by_number's rows; the resolvers answer none or several.
        rows = queries.cases_query(args.get("organization")).where(
            queries.cases.c.number == args["number"].strip()
        )
        sub = _source(rows)
        fields = self.collector.subfields(self._type("Case"), f)
        obj = self.dialect.nested(
            sa.select(self.object("Case", sub, fields)).select_from(sub).scalar_subquery()
        )
        only = sa.select(sa.func.count()).select_from(rows.subquery()).scalar_subquery() == 1
        return self._value(sa.case((only, obj)))

    def _listing(
        self,
        f: Selected,
        d: GraphQLField,
        args: dict[str, Any],
        rows: Rows,
        order: queries.SortKey,
        key_types: tuple[type, ...],
    ) -> sa.Select[Any]:
        """A root listing's page: its connection from ``first`` and ``after``."""
        given = {k for k, v in (args.get("filter") or {}).items() if v is not None}
        given |= {k for k, v in args.items() if v is not None}
        if given & _SKEWED_ARGUMENTS:
            self._planned_for_values()
        first, after = args.get("first"), args.get("after")
        return self._value(self.connection(d, f, rows, order, key_types, first, after))

    def _root_meetings(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        where = _meeting_filter(args.get("filter"))
        order = args.get("orderBy")
        newest_first = order is None or order.value != "DATE_ASC"
        return self._listing(
            f,
            d,
            args,
            queries.meetings_query(where),
            queries.MEETINGS_NEWEST_FIRST if newest_first else queries.MEETINGS_OLDEST_FIRST,
            MEETING_KEY,
        )

    def _root_agenda_items(
        self, f: Selected, d: GraphQLField, args: dict[str, Any]
    ) -> sa.Select[Any]:
        given = args.get("filter") or {}
        where = queries.AgendaItemFilter(
            organization=given.get("organization"),
            case_number=given.get("caseNumber"),
            is_closed=given.get("isClosed"),
            outcome=_stored(given.get("outcome")),
            date_from=given.get("dateFrom"),
            date_to=given.get("dateTo"),
            body=given.get("body"),
            modified_since=_modified_since(given),
        )
        return self._listing(
            f, d, args, queries.items_query(where), queries.ITEMS_NEWEST_FIRST, ITEM_KEY
        )

    def _root_decisions(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        given = args.get("filter") or {}
        where = queries.DecisionFilter(
            organization=given.get("organization"),
            outcome=_stored(given.get("outcome")),
            date_from=given.get("dateFrom"),
            date_to=given.get("dateTo"),
            body=given.get("body"),
            modified_since=_modified_since(given),
        )
        return self._listing(
            f, d, args, queries.decisions_query(where), queries.DECISIONS_NEWEST_FIRST, DECISION_KEY
        )

    def _root_cases(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        return self._listing(
            f,
            d,
            args,
            queries.cases_query(args.get("organization")),
            queries.CASES_NEWEST_FIRST,
            CASE_KEY,
        )

    def _root_persons(self, f: Selected, d: GraphQLField, args: dict[str, Any]) -> sa.Select[Any]:
        return self._listing(
            f,
            d,
            args,
            queries.persons_query(args.get("name"), args.get("organization")),
            queries.PERSONS_BY_NAME,
            PERSON_KEY,
        )


def _stored(value: Any) -> Any:
    """An enum's stored value: its Python enum member's (strawberry gives members for
    arguments and plain values in the schema's enum types)."""
    return getattr(value, "value", value)


def _modified_since(given: dict[str, Any]) -> Any:
    modified_since = given.get("modifiedSince")
    if modified_since is not None and modified_since.tzinfo is None:
        raise NotCompilable("modifiedSince without an offset")  # the resolvers refuse it
    return modified_since


def _meeting_filter(given: dict[str, Any] | None) -> queries.MeetingFilter:
    given = given or {}
    modified_since = _modified_since(given)
    return queries.MeetingFilter(
        organization=given.get("organization"),
        body=given.get("body"),
        kind=_stored(given.get("kind")),
        date_from=given.get("dateFrom"),
        date_to=given.get("dateTo"),
        participant=given.get("participant"),
        modified_since=modified_since,
    )
