"""Dataloaders, built per request: each batches one kind of lookup into one statement."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from api import queries
from api.database import Database, rows_by

Row = queries.Row
# A case's id and how many of its rows to give (None: all of them).
CaseRows = tuple[str, int | None]


async def _by_key(
    db: Database, query: Callable[..., list[Row]], column: str, keys: Sequence[str]
) -> list[Row | None]:
    found = {getattr(row, column): row for row in await db.run(query, list(keys))}
    return [found.get(key) for key in keys]


async def _grouped(
    db: Database, query: Callable[..., list[Row]], column: str, keys: Sequence[str]
) -> list[list[Row]]:
    groups = rows_by(await db.run(query, list(keys)), column)
    return [groups.get(key, []) for key in keys]


async def batch_meetings_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.meetings_by_id, "id", ids)


async def batch_organizations_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.organizations_by_id, "id", ids)


async def batch_bodies_by_organization(db: Database, ids: Sequence[str]) -> list[list[Row]]:
    return await _grouped(db, queries.bodies_by_organization, "organization_id", ids)


async def batch_bodies_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.bodies_by_id, "id", ids)


async def batch_persons_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.persons_by_id, "id", ids)


async def batch_meeting_counts_by_person(db: Database, ids: Sequence[str]) -> list[int]:
    counts = {
        row.person_id: int(row.meetings)
        for row in await db.run(queries.meeting_counts_by_person, list(ids))
    }
    return [counts.get(person, 0) for person in ids]


async def batch_people_by_meeting(db: Database, ids: Sequence[str]) -> list[list[Row]]:
    return await _grouped(db, queries.people_by_meeting, "meeting_id", ids)


async def batch_agenda_items_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.items_by_id, "id", ids)


async def batch_agenda_items_by_meeting(db: Database, ids: Sequence[str]) -> list[list[Row]]:
    return await _grouped(db, queries.items_by_meeting, "meeting_id", ids)


async def _first_of_each_case(
    db: Database, query: Callable[..., list[Row]], keys: Sequence[CaseRows]
) -> list[list[Row]]:
    """Each key's rows of its case, in one statement cut at the largest number asked."""
    firsts = [first for _, first in keys]
    cut = None if None in firsts else max(first or 0 for first in firsts)
    groups = rows_by(await db.run(query, sorted({case for case, _ in keys}), cut), "case_id")
    return [groups.get(case, [])[:first] for case, first in keys]


async def batch_agenda_items_by_case(db: Database, keys: Sequence[CaseRows]) -> list[list[Row]]:
    return await _first_of_each_case(db, queries.items_by_case, keys)


async def batch_sections_by_agenda_item(db: Database, ids: Sequence[str]) -> list[list[Row]]:
    return await _grouped(db, queries.sections_by_item, "agenda_item_id", ids)


async def batch_decisions_by_agenda_item(db: Database, ids: Sequence[str]) -> list[list[Row]]:
    return await _grouped(db, queries.decisions_by_item, "agenda_item_id", ids)


async def batch_attachments_by_agenda_item(db: Database, ids: Sequence[str]) -> list[list[Row]]:
    return await _grouped(db, queries.attachments_by_item, "agenda_item_id", ids)


async def batch_decisions_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.decisions_by_id, "id", ids)


async def batch_decisions_by_case(db: Database, keys: Sequence[CaseRows]) -> list[list[Row]]:
    return await _first_of_each_case(db, queries.decisions_by_case, keys)


async def batch_cases_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.cases_by_id, "id", ids)


async def batch_case_dates_by_id(db: Database, ids: Sequence[str]) -> list[Row | None]:
    return await _by_key(db, queries.case_dates, "case_id", ids)


# Each type a node can be (GraphQL's name), with the loader of its rows by id.
NODE_LOADERS = {
    "Organization": "organization_by_id",
    "Meeting": "meeting_by_id",
    "AgendaItem": "agenda_item_by_id",
    "Decision": "decision_by_id",
    "Case": "case_by_id",
    "Body": "body_by_id",
    "Person": "person_by_id",
}


async def load_node_rows(loaders: Loaders, nodes: Sequence[tuple[str, str]]) -> list[Row | None]:
    """The rows of (type, id) pairs, None for one not there; a statement a type."""
    loads = [getattr(loaders, NODE_LOADERS[kind]).load(node_id) for kind, node_id in nodes]
    return list(await asyncio.gather(*loads))


@dataclass(frozen=True, slots=True)
class Loaders:
    meeting_by_id: DataLoader[str, Row | None]
    organization_by_id: DataLoader[str, Row | None]
    bodies_by_organization: DataLoader[str, list[Row]]
    body_by_id: DataLoader[str, Row | None]
    person_by_id: DataLoader[str, Row | None]
    meeting_count_by_person: DataLoader[str, int]
    people_by_meeting: DataLoader[str, list[Row]]
    agenda_item_by_id: DataLoader[str, Row | None]
    agenda_items_by_meeting: DataLoader[str, list[Row]]
    agenda_items_by_case: DataLoader[CaseRows, list[Row]]
    sections_by_agenda_item: DataLoader[str, list[Row]]
    decisions_by_agenda_item: DataLoader[str, list[Row]]
    decisions_by_case: DataLoader[CaseRows, list[Row]]
    attachments_by_agenda_item: DataLoader[str, list[Row]]
    decision_by_id: DataLoader[str, Row | None]
    case_by_id: DataLoader[str, Row | None]
    # A case's first and last dates cost an aggregate over its items: only when asked for.
    case_dates_by_id: DataLoader[str, Row | None]


def make_loaders(db: Database) -> Loaders:
    def loader(
        batch: Callable[[Database, Sequence[Any]], Awaitable[list[Any]]],
    ) -> DataLoader[Any, Any]:
        return DataLoader(load_fn=partial(batch, db))

    return Loaders(
        meeting_by_id=loader(batch_meetings_by_id),
        organization_by_id=loader(batch_organizations_by_id),
        bodies_by_organization=loader(batch_bodies_by_organization),
        body_by_id=loader(batch_bodies_by_id),
        person_by_id=loader(batch_persons_by_id),
        meeting_count_by_person=loader(batch_meeting_counts_by_person),
        people_by_meeting=loader(batch_people_by_meeting),
        agenda_item_by_id=loader(batch_agenda_items_by_id),
        agenda_items_by_meeting=loader(batch_agenda_items_by_meeting),
        agenda_items_by_case=loader(batch_agenda_items_by_case),
        sections_by_agenda_item=loader(batch_sections_by_agenda_item),
        decisions_by_agenda_item=loader(batch_decisions_by_agenda_item),
        decisions_by_case=loader(batch_decisions_by_case),
        attachments_by_agenda_item=loader(batch_attachments_by_agenda_item),
        decision_by_id=loader(batch_decisions_by_id),
        case_by_id=loader(batch_cases_by_id),
        case_dates_by_id=loader(batch_case_dates_by_id),
    )
