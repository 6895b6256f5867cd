"""Response models: they shape every answer and generate the OpenAPI document.

Names and ids are those of the GraphQL API (camelCase JSON, the same readable ids).
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# The records' enums, as GraphQL has them: one home for their values, named schemas in
# the OpenAPI document.
from api.loaders.records import (
    ChangeAction,
    DecisionOutcome,
    DocumentKind,
    OrganizationKind,
    SectionKind,
)

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Ref(Model):
    id: str


class BodyRef(Model):
    id: str
    name: str


class OrganizationRef(Model):
    id: str
    name: str


class Organization(Model):
    id: str
    name: str
    kind: OrganizationKind
    bodies: list[BodyRef] = Field(description="By name")


class Organizations(Model):
    items: list[Organization] = Field(description="By name")


class PersonRef(Model):
    id: str
    name: str


class Participant(Model):
    person: PersonRef
    role: str | None = Field(description='e.g. "sekretær", "Formand"')
    party: str | None = Field(description="The party list letter, e.g. A, Ø")


class Section(Model):
    kind: SectionKind
    heading: str
    text: str


class Decision(Model):
    id: str
    body: str
    date: dt.date
    text: str
    outcome: DecisionOutcome


class Attachment(Model):
    title: str
    file_extension: str | None


class CaseRef(Model):
    id: str
    number: str


class AgendaItem(Model):
    """A closed ("Lukket") item has number, title and case number only."""

    id: str
    meeting: Ref
    number: int
    title: str
    case_number: str | None
    case: CaseRef | None
    is_closed: bool
    page: int | None
    sections: list[Section]
    decisions: list[Decision]
    attachments: list[Attachment]


class MeetingSummary(Model):
    id: str
    organization: OrganizationRef
    body: BodyRef
    kind: DocumentKind
    title: str
    date: dt.date
    starts_at: dt.datetime | None = Field(description="Europe/Copenhagen, with offset")
    location: str | None
    source_file: str
    source_sha256: str
    ingested_at: dt.datetime
    updated_at: dt.datetime


class Meeting(MeetingSummary):
    participants: list[Participant]
    absentees: list[PersonRef]
    agenda_items: list[AgendaItem]


class CaseItem(Model):
    id: str
    meeting: Ref
    date: dt.date
    number: int
    title: str
    is_closed: bool


class CaseDecision(Decision):
    agenda_item: Ref


class Case(Model):
    id: str
    organization: OrganizationRef
    number: str
    year: int
    first_date: dt.date
    last_date: dt.date
    agenda_items: list[CaseItem] = Field(description="Oldest first")
    decisions: list[CaseDecision] = Field(
        description="The case's path through the committees, oldest first: the decisions on "
        "its items, earlier bodies' quoted decisions included, each decision once"
    )


class Person(Model):
    id: str
    organization: OrganizationRef
    name: str
    meeting_count: int


class SearchNode(Model):
    type: Literal["AgendaItem", "Decision"]
    id: str


class SearchHit(Model):
    node: SearchNode
    snippet: str
    score: float


class Page(Model, Generic[T]):
    items: list[T]
    total_count: int
    next: str | None = Field(description="The next page's URL; also in the Link header")


NodeType = Literal["Organization", "Body", "Meeting", "AgendaItem", "Decision", "Case", "Person"]


class NodeRef(Model):
    type: NodeType
    id: str


class Change(Model):
    """An entity created, updated or deleted; a DELETED change is its tombstone."""

    id: str = Field(description="The change's own id, its place in the feed")
    type: NodeType
    node_id: str = Field(description="The entity's id, also in a tombstone")
    action: ChangeAction
    at: dt.datetime = Field(description="Europe/Copenhagen, with offset")
    node: NodeRef | None = Field(
        description="The entity, as a reference to fetch it by (e.g. /meetings/{id}); "
        "null when this change or a later one deleted it"
    )


class Changes(Model):
    items: list[Change] = Field(description="In commit order")
    # No total: counting the whole feed on every page costs more than the page.
    next: str | None = Field(
        description="The next page's URL when there are more changes now; also in the Link header"
    )
    cursor: str | None = Field(
        description="Where this page ends, also at the feed's end: keep it, and ask with "
        "?cursor= for the changes after it, now or later (the request's own cursor when "
        "the page is empty)"
    )


class ErrorDetail(Model):
    code: str
    message: str


class ErrorBody(Model):
    error: ErrorDetail
