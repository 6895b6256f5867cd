"""Rows to response models, through the same dataloaders as GraphQL."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from api import queries
from api.loaders.dates import COPENHAGEN
from api.read.dataloaders import Loaders
from api.read.values import local, stored
from api.rest import models as m

Row = queries.Row


def organization_ref(row: Row) -> m.OrganizationRef:
    return m.OrganizationRef(id=row.id, name=row.name)


async def organization_refs(loaders: Loaders, ids: Sequence[str]) -> list[m.OrganizationRef]:
    rows = await loaders.organization_by_id.load_many(list(ids))
    return [organization_ref(stored(row)) for row in rows]


async def organizations(loaders: Loaders, rows: Sequence[Row]) -> list[m.Organization]:
    bodies = await loaders.bodies_by_organization.load_many([row.id for row in rows])
    return [
        m.Organization(
            id=row.id,
            name=row.name,
            kind=row.kind,
            bodies=[m.BodyRef(id=body.id, name=body.name) for body in its_bodies],
        )
        for row, its_bodies in zip(rows, bodies, strict=True)
    ]


def meeting_summary(row: Row, organization: m.OrganizationRef, body: Row) -> m.MeetingSummary:
    return m.MeetingSummary(
        id=row.id,
        organization=organization,
        body=m.BodyRef(id=body.id, name=body.name),
        kind=row.kind,
        title=row.title,
        date=row.date,
        starts_at=local(row.starts_at),
        location=row.location,
        source_file=row.source_file,
        source_sha256=row.source_sha256,
        ingested_at=row.ingested_at.astimezone(COPENHAGEN),
        updated_at=row.updated_at.astimezone(COPENHAGEN),
    )


async def summaries(loaders: Loaders, rows: Sequence[Row]) -> list[m.MeetingSummary]:
    bodies, owners = await asyncio.gather(
        loaders.body_by_id.load_many([row.body_id for row in rows]),
        organization_refs(loaders, [row.organization_id for row in rows]),
    )
    return [
        meeting_summary(row, owner, stored(body))
        for row, owner, body in zip(rows, owners, bodies, strict=True)
    ]


async def agenda_item(loaders: Loaders, row: Row) -> m.AgendaItem:
    closed = bool(row.is_closed)
    sections: list[Row] = []
    decisions: list[Row] = []
    attachments: list[Row] = []
    case: Row | None = None
    if not closed:
        sections, decisions, attachments, case = await asyncio.gather(
            loaders.sections_by_agenda_item.load(row.id),
            loaders.decisions_by_agenda_item.load(row.id),
            loaders.attachments_by_agenda_item.load(row.id),
            loaders.case_by_id.load(row.case_id) if row.case_id else _none(),
        )
    return m.AgendaItem(
        id=row.id,
        meeting=m.Ref(id=row.meeting_id),
        number=row.number,
        title=row.title,
        case_number=row.case_number,
        case=m.CaseRef(id=case.id, number=case.number) if case is not None else None,
        is_closed=closed,
        page=None if closed else row.page,
        sections=[m.Section(kind=s.kind, heading=s.heading, text=s.text) for s in sections],
        decisions=[
            m.Decision(id=d.id, body=d.body, date=d.date, text=d.text, outcome=d.outcome)
            for d in decisions
        ],
        attachments=[
            m.Attachment(title=a.title, file_extension=a.file_extension) for a in attachments
        ],
    )


async def _none() -> None:
    return None


async def meeting(loaders: Loaders, row: Row) -> m.Meeting:
    (summary,), people, items = await asyncio.gather(
        summaries(loaders, [row]),
        loaders.people_by_meeting.load(row.id),
        loaders.agenda_items_by_meeting.load(row.id),
    )
    return m.Meeting(
        **summary.model_dump(),
        participants=[
            m.Participant(person=m.PersonRef(id=p.id, name=p.name), role=p.role, party=p.party)
            for p in people
            if not p.is_absent
        ],
        absentees=[m.PersonRef(id=p.id, name=p.name) for p in people if p.is_absent],
        agenda_items=list(await asyncio.gather(*(agenda_item(loaders, i) for i in items))),
    )


async def case(loaders: Loaders, row: Row) -> m.Case:
    items, decisions, dates, (owner,) = await asyncio.gather(
        loaders.agenda_items_by_case.load((row.id, None)),
        loaders.decisions_by_case.load((row.id, None)),
        loaders.case_dates_by_id.load(row.id),
        organization_refs(loaders, [row.organization_id]),
    )
    return m.Case(
        id=row.id,
        organization=owner,
        number=row.number,
        year=row.year,
        first_date=stored(dates).first_date,
        last_date=stored(dates).last_date,
        agenda_items=[
            m.CaseItem(
                id=i.id,
                meeting=m.Ref(id=i.meeting_id),
                date=i.meeting_date,
                number=i.number,
                title=i.title,
                is_closed=i.is_closed,
            )
            for i in items
        ],
        decisions=[
            m.CaseDecision(
                id=d.id,
                agenda_item=m.Ref(id=d.agenda_item_id),
                body=d.body,
                date=d.date,
                text=d.text,
                outcome=d.outcome,
            )
            for d in decisions
        ],
    )


async def person(loaders: Loaders, row: Row) -> m.Person:
    count, (owner,) = await asyncio.gather(
        loaders.meeting_count_by_person.load(row.id),
        organization_refs(loaders, [row.organization_id]),
    )
    return m.Person(id=row.id, organization=owner, name=row.name, meeting_count=count)
