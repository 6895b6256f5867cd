"""The records an export is made of: a meeting as ``/api/v1/meetings/{id}`` answers it,
and its agenda items and decisions, each with the meeting it belongs to named, so that a
line of agenda-items.jsonl or decisions.jsonl can be read on its own. Every name is
GraphQL's: each record is what a GraphQL query with the same fields answers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any, TypeVar

from api import queries
from api.read.dataloaders import Loaders
from api.rest import build
from api.rest import models as m

M = TypeVar("M", bound=m.Model)


class MeetingRef(m.Model):
    id: str
    date: dt.date
    organization: m.OrganizationRef
    body: m.BodyRef


class ExportAgendaItem(m.AgendaItem):
    """A closed ("Lukket") item has number, title and case number only."""

    meeting: MeetingRef  # type: ignore[assignment]  # the same field, told more


class AgendaItemRef(m.Model):
    id: str
    number: int
    title: str
    case_number: str | None
    meeting: MeetingRef


class ExportDecision(m.Decision):
    agenda_item: AgendaItemRef


async def meetings(loaders: Loaders, rows: list[queries.Row]) -> list[m.Meeting]:
    """A page's meetings in full; gathered, so that each of their parts is one statement
    for the whole page."""
    return list(await asyncio.gather(*(build.meeting(loaders, row) for row in rows)))


def agenda_items(meeting: m.Meeting) -> Iterator[ExportAgendaItem]:
    ref = meeting_ref(meeting)
    for item in meeting.agenda_items:
        yield _told(ExportAgendaItem, item, meeting=ref)


def decisions(meeting: m.Meeting) -> Iterator[ExportDecision]:
    ref = meeting_ref(meeting)
    for item in meeting.agenda_items:
        # A closed item has none to show (build.agenda_item gives it none).
        item_ref = AgendaItemRef(
            id=item.id,
            number=item.number,
            title=item.title,
            case_number=item.case_number,
            meeting=ref,
        )
        for decision in item.decisions:
            yield _told(ExportDecision, decision, agenda_item=item_ref)


def meeting_ref(meeting: m.Meeting) -> MeetingRef:
    return MeetingRef(
        id=meeting.id, date=meeting.date, organization=meeting.organization, body=meeting.body
    )


def _told(model: type[M], record: m.Model, **more: Any) -> M:
    """``record`` as ``model``, with ``more`` fields: its values are valid already."""
    values = {name: getattr(record, name) for name in type(record).model_fields}
    return model.model_construct(**(values | more))
