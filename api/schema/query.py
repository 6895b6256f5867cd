"""The Query type: entry points of ../shared/API.md."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import strawberry

from api import queries
from api.read.errors import BadUserInput, NotFound
from api.read.pages import FEED_PAGE_DEFAULT, FEED_PAGE_MAX
from api.schema.changes import Change, changes_connection
from api.schema.context import Info
from api.schema.listings import (
    agenda_items_connection,
    cases_connection,
    decisions_connection,
    meetings_connection,
    persons_connection,
)
from api.schema.pagination import Connection
from api.schema.search import SearchFilter, SearchHit, search
from api.schema.types import (
    ORGANIZATION,
    AgendaItem,
    Body,
    Case,
    Decision,
    DecisionOutcomeEnum,
    DocumentKindEnum,
    Meeting,
    Node,
    Organization,
    Person,
    Stats,
    load_node,
)


def _not_found(kind: str, id: object) -> NotFound:
    """What a lookup of an id that names nothing answers: null, and this error beside it
    (as GitHub's API does), so that a client tells "no such thing" from an empty field."""
    return NotFound(f"no {kind} with id {str(id)!r}")


@strawberry.enum
class MeetingOrder(enum.Enum):
    DATE_ASC = "DATE_ASC"
    DATE_DESC = "DATE_DESC"


@strawberry.input
class MeetingFilter:
    organization: str | None = strawberry.field(default=None, description=ORGANIZATION)
    body: str | None = strawberry.field(default=None, description="A body's id or name.")
    kind: DocumentKindEnum | None = None  # type: ignore[valid-type]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    participant: str | None = strawberry.field(
        default=None, description="A person's id or name: meetings they took part in."
    )
    modified_since: dt.datetime | None = None

    def to_query(self) -> queries.MeetingFilter:
        _with_offset(self.modified_since)
        return queries.MeetingFilter(
            organization=self.organization,
            body=self.body,
            kind=self.kind.value if self.kind else None,
            date_from=self.date_from,
            date_to=self.date_to,
            participant=self.participant,
            modified_since=self.modified_since,
        )


def _with_offset(modified_since: dt.datetime | None) -> None:
    if modified_since is not None and modified_since.tzinfo is None:
        raise BadUserInput("modifiedSince needs a time zone offset, e.g. 2024-01-01T00:00:00Z")


MODIFIED_SINCE = "Those of meetings stored or replaced at or after this moment (updatedAt)."


@strawberry.input
class AgendaItemFilter:
    organization: str | None = strawberry.field(default=None, description=ORGANIZATION)
    case_number: str | None = None
    is_closed: bool | None = None
    outcome: DecisionOutcomeEnum | None = None  # type: ignore[valid-type]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    body: str | None = None
    modified_since: dt.datetime | None = strawberry.field(default=None, description=MODIFIED_SINCE)

    def to_query(self) -> queries.AgendaItemFilter:
        _with_offset(self.modified_since)
        return queries.AgendaItemFilter(
            organization=self.organization,
            case_number=self.case_number,
            is_closed=self.is_closed,
            outcome=self.outcome.value if self.outcome else None,
            date_from=self.date_from,
            date_to=self.date_to,
            body=self.body,
            modified_since=self.modified_since,
        )


@strawberry.input
class DecisionFilter:
    organization: str | None = strawberry.field(default=None, description=ORGANIZATION)
    outcome: DecisionOutcomeEnum | None = None  # type: ignore[valid-type]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    body: str | None = None
    modified_since: dt.datetime | None = strawberry.field(default=None, description=MODIFIED_SINCE)

    def to_query(self) -> queries.DecisionFilter:
        _with_offset(self.modified_since)
        return queries.DecisionFilter(
            organization=self.organization,
            outcome=self.outcome.value if self.outcome else None,
            date_from=self.date_from,
            date_to=self.date_to,
            body=self.body,
            modified_since=self.modified_since,
        )


@strawberry.input
class StatsFilter:
    organization: str | None = strawberry.field(default=None, description=ORGANIZATION)
    body: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def to_query(self) -> queries.StatsFilter:
        return queries.StatsFilter(
            organization=self.organization,
            body=self.body,
            date_from=self.date_from,
            date_to=self.date_to,
        )


@strawberry.type
class Query:
    @strawberry.field(description="Any entity by its id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name = await info.context.db.run(queries.node_type, str(id))
        if type_name is None:
            raise _not_found("node", id)
        return await load_node(info, type_name, str(id))

    @strawberry.field
    async def meeting(self, info: Info, id: strawberry.ID) -> Meeting | None:
        row = await info.context.loaders.meeting_by_id.load(str(id))
        if row is None:
            raise _not_found("meeting", id)
        return Meeting.from_row(row)

    @strawberry.field
    async def meetings(
        self,
        info: Info,
        filter: MeetingFilter | None = None,
        order_by: MeetingOrder | None = MeetingOrder.DATE_DESC,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Meeting]:
        where = filter.to_query() if filter else queries.MeetingFilter()
        newest_first = order_by is not MeetingOrder.DATE_ASC
        return await meetings_connection(info, where, newest_first, first, after)

    @strawberry.field
    async def agenda_item(self, info: Info, id: strawberry.ID) -> AgendaItem | None:
        row = await info.context.loaders.agenda_item_by_id.load(str(id))
        if row is None:
            raise _not_found("agenda item", id)
        return AgendaItem.from_row(row)

    @strawberry.field(description="Newest meetings first, then in number order.")
    async def agenda_items(
        self,
        info: Info,
        filter: AgendaItemFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[AgendaItem]:
        where = filter.to_query() if filter else queries.AgendaItemFilter()
        return await agenda_items_connection(info, where, first, after)

    @strawberry.field
    async def decision(self, info: Info, id: strawberry.ID) -> Decision | None:
        row = await info.context.loaders.decision_by_id.load(str(id))
        if row is None:
            raise _not_found("decision", id)
        return Decision.from_row(row)

    @strawberry.field(description="Newest first.")
    async def decisions(
        self,
        info: Info,
        filter: DecisionFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Decision]:
        where = filter.to_query() if filter else queries.DecisionFilter()
        return await decisions_connection(info, where, first, after)

    @strawberry.field(
        name="case",
        description='A case by its number, e.g. "19/227". Case numbers are each '
        "organization's own: name the organization when more than one has the number.",
    )
    async def case_(
        self,
        info: Info,
        number: str,
        organization: Annotated[str | None, strawberry.argument(description=ORGANIZATION)] = None,
    ) -> Case | None:
        rows = await info.context.db.run(queries.cases_by_number, number, organization)
        if len(rows) > 1:
            owners = ", ".join(row.organization_id for row in rows)
            raise BadUserInput(
                f"case {number.strip()!r} is a case of {len(rows)} organizations ({owners}): "
                "give organization"
            )
        if not rows:
            raise NotFound(f"no case numbered {number.strip()!r}")
        return Case.from_row(rows[0])

    @strawberry.field(description="Newest cases first.")
    async def cases(
        self,
        info: Info,
        organization: Annotated[str | None, strawberry.argument(description=ORGANIZATION)] = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Case]:
        return await cases_connection(info, organization, first, after)

    @strawberry.field
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        row = await info.context.loaders.person_by_id.load(str(id))
        if row is None:
            raise _not_found("person", id)
        return Person.from_row(row)

    @strawberry.field(description="By name; `name` matches any part of it, in any case.")
    async def persons(
        self,
        info: Info,
        name: str | None = None,
        organization: Annotated[str | None, strawberry.argument(description=ORGANIZATION)] = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Person]:
        return await persons_connection(info, name, organization, first, after)

    @strawberry.field(description="By name.")
    async def bodies(
        self,
        info: Info,
        organization: Annotated[str | None, strawberry.argument(description=ORGANIZATION)] = None,
    ) -> list[Body]:
        rows = await info.context.db.run(queries.all_bodies, organization)
        return [Body.from_row(row) for row in rows]

    @strawberry.field(description="An organization by its id.")
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        row = await info.context.loaders.organization_by_id.load(str(id))
        if row is None:
            raise _not_found("organization", id)
        return Organization.from_row(row)

    @strawberry.field(description="Every organization whose minutes are held, by name.")
    async def organizations(self, info: Info) -> list[Organization]:
        rows = await info.context.db.run(queries.all_organizations)
        return [Organization.from_row(row) for row in rows]

    @strawberry.field(
        description="The sync feed: every entity created, updated or deleted, in commit "
        "order, never skipping a change. A mirror keeps endCursor and asks again with "
        "after; since (with its offset) starts from a moment instead. "
        f"At most {FEED_PAGE_MAX} a page."
    )
    async def changes(
        self,
        info: Info,
        since: dt.datetime | None = None,
        first: int | None = FEED_PAGE_DEFAULT,
        after: str | None = None,
    ) -> Connection[Change]:
        return await changes_connection(info, since, first, after)

    @strawberry.field(
        description='Danish full-text search: words, "phrases", -excluded, OR, prefix*. '
        "Hits come a year at a time, newest year first, in blocks of the year's newest 200 "
        "matches, the best of each block first; filter by date to reach older hits sooner."
    )
    async def search(
        self,
        info: Info,
        query: str,
        filter: SearchFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        return await search(info, query, filter, first, after)

    @strawberry.field(description="Aggregates for dashboards.")
    async def stats(self, info: Info, filter: StatsFilter | None = None) -> Stats:
        where = filter.to_query() if filter else queries.StatsFilter()
        totals = await info.context.db.run(queries.stats_totals, where)
        return Stats(
            meeting_count=totals.meetings,
            agenda_item_count=totals.items,
            decision_count=totals.decisions,
            where=where,
        )
