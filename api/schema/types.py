"""The GraphQL types of ../shared/API.md, built from query rows; resolvers stay short and
go through this request's dataloaders."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from api import queries
from api.loaders.records import DecisionOutcome, DocumentKind, OrganizationKind, SectionKind
from api.read.dataloaders import NODE_LOADERS
from api.read.errors import BadUserInput
from api.read.pages import CASE_LIST_DEFAULT, CASE_LIST_MAX
from api.read.values import local, stored
from api.schema.context import Info
from api.schema.pagination import Connection

Row = queries.Row

DocumentKindEnum = strawberry.enum(DocumentKind, name="DocumentKind")
SectionKindEnum = strawberry.enum(SectionKind, name="SectionKind")
DecisionOutcomeEnum = strawberry.enum(DecisionOutcome, name="DecisionOutcome")
OrganizationKindEnum = strawberry.enum(OrganizationKind, name="OrganizationKind")
ORGANIZATION = "An organization's id or name, e.g. Høje-Taastrup Kommune."  # filters' text


@strawberry.interface(description="An entity with a stable, readable id from natural keys.")
class Node:
    id: strawberry.ID


async def organization_of(info: Info, organization_id: str) -> Organization:
    row = await info.context.loaders.organization_by_id.load(organization_id)
    return Organization.from_row(stored(row))


@strawberry.type(description="A municipality (kommune), region or other public body.")
class Organization(Node):
    id: strawberry.ID
    name: str
    kind: OrganizationKindEnum  # type: ignore[valid-type]

    @classmethod
    def from_row(cls, row: Row) -> Organization:
        return cls(id=strawberry.ID(row.id), name=row.name, kind=OrganizationKind(row.kind))

    @strawberry.field(description="By name.")
    async def bodies(self, info: Info) -> list[Body]:
        rows = await info.context.loaders.bodies_by_organization.load(self.id)
        return [Body.from_row(row) for row in rows]

    @strawberry.field(description="Newest first.")
    async def meetings(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Meeting]:
        from api.schema.listings import meetings_connection  # noqa: PLC0415 - a cycle

        where = queries.MeetingFilter(organization=self.id)
        return await meetings_connection(info, where, None, first, after)


@strawberry.type
class Body(Node):
    id: strawberry.ID
    name: str
    organization_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Row) -> Body:
        return cls(id=strawberry.ID(row.id), name=row.name, organization_id=row.organization_id)

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_id)

    @strawberry.field
    async def meetings(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Meeting]:
        from api.schema.listings import meetings_connection  # noqa: PLC0415 - a cycle

        return await meetings_connection(
            info, queries.MeetingFilter(body=self.id), None, first, after
        )


@strawberry.type
class Person(Node):
    id: strawberry.ID
    name: str
    organization_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Row) -> Person:
        return cls(id=strawberry.ID(row.id), name=row.name, organization_id=row.organization_id)

    @strawberry.field(description="Persons are known within one organization.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_id)

    @strawberry.field(description="Meetings the person took part in, newest first.")
    async def meetings(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Meeting]:
        from api.schema.listings import meetings_connection  # noqa: PLC0415 - a cycle

        where = queries.MeetingFilter(person_id=self.id)
        return await meetings_connection(info, where, None, first, after)

    @strawberry.field
    async def meeting_count(self, info: Info) -> int:
        return await info.context.loaders.meeting_count_by_person.load(self.id)


@strawberry.type
class Participant:
    person: Person
    role: str | None = strawberry.field(description='e.g. "sekretær", "Formand"')
    party: str | None = strawberry.field(description="The party list letter, e.g. A, Ø")


@strawberry.type
class Meeting(Node):
    id: strawberry.ID
    kind: DocumentKindEnum  # type: ignore[valid-type]
    title: str
    date: dt.date
    starts_at: dt.datetime | None = strawberry.field(
        description="Europe/Copenhagen, ISO 8601 with offset"
    )
    location: str | None
    source_file: str
    source_sha256: str
    ingested_at: dt.datetime
    updated_at: dt.datetime
    body_id: strawberry.Private[str]
    organization_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Row) -> Meeting:
        return cls(
            id=strawberry.ID(row.id),
            kind=DocumentKind(row.kind),
            title=row.title,
            date=row.date,
            starts_at=local(row.starts_at),
            location=row.location,
            source_file=row.source_file,
            source_sha256=row.source_sha256,
            ingested_at=local(row.ingested_at),  # type: ignore[arg-type]
            updated_at=local(row.updated_at),  # type: ignore[arg-type]
            body_id=row.body_id,
            organization_id=row.organization_id,
        )

    @strawberry.field(description="The organization whose body met.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_id)

    @strawberry.field
    async def body(self, info: Info) -> Body:
        return Body.from_row(stored(await info.context.loaders.body_by_id.load(self.body_id)))

    @strawberry.field(description="In document order.")
    async def participants(self, info: Info) -> list[Participant]:
        people = await info.context.loaders.people_by_meeting.load(self.id)
        return [
            Participant(person=Person.from_row(p), role=p.role, party=p.party)
            for p in people
            if not p.is_absent
        ]

    @strawberry.field(description='"Afbud", where the document lists them.')
    async def absentees(self, info: Info) -> list[Person]:
        people = await info.context.loaders.people_by_meeting.load(self.id)
        return [Person.from_row(p) for p in people if p.is_absent]

    @strawberry.field(description="In number order.")
    async def agenda_items(self, info: Info) -> list[AgendaItem]:
        rows = await info.context.loaders.agenda_items_by_meeting.load(self.id)
        return [AgendaItem.from_row(row) for row in rows]


@strawberry.type
class Section:
    kind: SectionKindEnum  # type: ignore[valid-type]
    heading: str
    text: str


@strawberry.type
class Attachment:
    title: str
    file_extension: str | None


@strawberry.type
class Decision(Node):
    id: strawberry.ID
    body: str
    date: dt.date
    text: str
    outcome: DecisionOutcomeEnum  # type: ignore[valid-type]
    agenda_item_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Row) -> Decision:
        return cls(
            id=strawberry.ID(row.id),
            body=row.body,
            date=row.date,
            text=row.text,
            outcome=DecisionOutcome(row.outcome),
            agenda_item_id=row.agenda_item_id,
        )

    @strawberry.field
    async def agenda_item(self, info: Info) -> AgendaItem:
        row = await info.context.loaders.agenda_item_by_id.load(self.agenda_item_id)
        return AgendaItem.from_row(stored(row))


@strawberry.type(description='A closed ("Lukket") item exposes number, title and case number only.')
class AgendaItem(Node):
    id: strawberry.ID
    number: int
    title: str
    case_number: str | None
    is_closed: bool
    page: int | None = strawberry.field(
        description="Page in the original document (from its table of contents)."
    )
    meeting_id: strawberry.Private[str]
    case_id: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: Row) -> AgendaItem:
        return cls(
            id=strawberry.ID(row.id),
            number=row.number,
            title=row.title,
            case_number=row.case_number,
            is_closed=row.is_closed,
            page=None if row.is_closed else row.page,
            meeting_id=row.meeting_id,
            case_id=row.case_id,
        )

    @strawberry.field
    async def meeting(self, info: Info) -> Meeting:
        return Meeting.from_row(
            stored(await info.context.loaders.meeting_by_id.load(self.meeting_id))
        )

    @strawberry.field(name="case")
    async def case_(self, info: Info) -> Case | None:
        if self.is_closed or self.case_id is None:
            return None
        row = await info.context.loaders.case_by_id.load(self.case_id)
        return None if row is None else Case.from_row(row)

    @strawberry.field(description="In document order; decisions and attachments excluded.")
    async def sections(self, info: Info) -> list[Section]:
        if self.is_closed:
            return []
        rows = await info.context.loaders.sections_by_agenda_item.load(self.id)
        return [Section(kind=SectionKind(r.kind), heading=r.heading, text=r.text) for r in rows]

    @strawberry.field(description="In document order.")
    async def decisions(self, info: Info) -> list[Decision]:
        if self.is_closed:
            return []
        rows = await info.context.loaders.decisions_by_agenda_item.load(self.id)
        return [Decision.from_row(row) for row in rows]

    @strawberry.field
    async def attachments(self, info: Info) -> list[Attachment]:
        if self.is_closed:
            return []
        rows = await info.context.loaders.attachments_by_agenda_item.load(self.id)
        return [Attachment(title=r.title, file_extension=r.file_extension) for r in rows]


def _case_list(first: int | None) -> int:
    """How many of a case's items or decisions to give: a busy case has thousands."""
    if first is None:
        return CASE_LIST_DEFAULT
    if not 0 <= first <= CASE_LIST_MAX:
        raise BadUserInput(f"first must be between 0 and {CASE_LIST_MAX}, not {first}")
    return first


@strawberry.type
class Case(Node):
    id: strawberry.ID
    number: str = strawberry.field(
        description='As written, e.g. "19/227"; the organization\'s own.'
    )
    year: int
    organization_id: strawberry.Private[str]
    # A listing's rows carry the dates; a case found by id or number loads them (an
    # aggregate over its items) only when a client asks for them.
    dates: strawberry.Private[Row | None]

    @classmethod
    def from_row(cls, row: Row) -> Case:
        return cls(
            id=strawberry.ID(row.id),
            number=row.number,
            year=row.year,
            organization_id=row.organization_id,
            dates=row if "first_date" in row._fields else None,
        )

    async def _dates(self, info: Info) -> Row:
        if self.dates is None:
            self.dates = stored(await info.context.loaders.case_dates_by_id.load(self.id))
        return self.dates

    @strawberry.field
    async def first_date(self, info: Info) -> dt.date:
        first: dt.date = (await self._dates(info)).first_date
        return first

    @strawberry.field
    async def last_date(self, info: Info) -> dt.date:
        last: dt.date = (await self._dates(info)).last_date
        return last

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self.organization_id)

    @strawberry.field(
        description="Oldest first, across meetings: the case's timeline; its first "
        f"`first` items (at most {CASE_LIST_MAX}). The agendaItems listing filtered by "
        "caseNumber pages through a case of any size."
    )
    async def agenda_items(
        self, info: Info, first: int | None = CASE_LIST_DEFAULT
    ) -> list[AgendaItem]:
        rows = await info.context.loaders.agenda_items_by_case.load((self.id, _case_list(first)))
        return [AgendaItem.from_row(row) for row in rows]

    @strawberry.field(
        description="The case's path through the committees to the council: the decisions "
        "on its items, oldest first, earlier bodies' decisions that an item quotes included. "
        "A decision quoted by several meetings, or stored from its body's own minutes too, "
        "is given once (its own minutes' record where there is one)."
    )
    async def decisions(self, info: Info, first: int | None = CASE_LIST_DEFAULT) -> list[Decision]:
        rows = await info.context.loaders.decisions_by_case.load((self.id, _case_list(first)))
        return [Decision.from_row(row) for row in rows]


@strawberry.type
class OutcomeCount:
    outcome: DecisionOutcomeEnum  # type: ignore[valid-type]
    count: int


@strawberry.type
class YearCount:
    year: int
    count: int


@strawberry.type
class CaseCount:
    case: Case
    count: int


@strawberry.type(description="Aggregates for dashboards.")
class Stats:
    meeting_count: int
    agenda_item_count: int
    decision_count: int
    where: strawberry.Private[queries.StatsFilter]

    @strawberry.field
    async def decisions_by_outcome(self, info: Info) -> list[OutcomeCount]:
        rows = await info.context.db.run(queries.decisions_by_outcome, self.where)
        return [OutcomeCount(outcome=DecisionOutcome(r.outcome), count=r.total) for r in rows]

    @strawberry.field
    async def meetings_by_year(self, info: Info) -> list[YearCount]:
        rows = await info.context.db.run(queries.meetings_by_year, self.where)
        return [YearCount(year=int(r.year), count=r.total) for r in rows]

    @strawberry.field
    async def busiest_cases(
        self,
        info: Info,
        limit: Annotated[int | None, strawberry.argument(description="1 to 100")] = 10,
    ) -> list[CaseCount]:
        limit = 10 if limit is None else limit
        if not 1 <= limit <= 100:
            raise BadUserInput(f"limit must be between 1 and 100, not {limit}")
        rows = await info.context.db.run(queries.busiest_cases, self.where, limit)
        found = await info.context.loaders.case_by_id.load_many([r.case_id for r in rows])
        return [
            CaseCount(case=Case.from_row(case), count=r.total)
            for r, case in zip(rows, found, strict=True)
            if case is not None
        ]


# Each type a node can be, with the dataloader that loads it by id.
NODE_TYPES: dict[str, tuple[Any, str]] = {
    name: (node_type, NODE_LOADERS[name])
    for name, node_type in (
        ("Organization", Organization),
        ("Meeting", Meeting),
        ("AgendaItem", AgendaItem),
        ("Decision", Decision),
        ("Case", Case),
        ("Body", Body),
        ("Person", Person),
    )
}


async def load_node(info: Info, type_name: str, node_id: str) -> Node | None:
    node_type, loader = NODE_TYPES[type_name]
    row = await getattr(info.context.loaders, loader).load(node_id)
    node: Node | None = None if row is None else node_type.from_row(row)
    return node
