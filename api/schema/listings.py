"""Connections over keyset pages, one function per listing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from api import queries
from api.read.pages import DEFAULT_PAGE, MAX_PAGE, decode_cursor, encode_cursor, page_size
from api.schema.context import Info
from api.schema.pagination import Connection, Edge, PageInfo
from api.schema.types import AgendaItem, Case, Decision, Meeting, Person

T = TypeVar("T")


async def connection(
    info: Info,
    query: sa.Select[Any],
    order: queries.SortKey,
    key_types: tuple[type, ...],
    build: Callable[[queries.Row], T],
    first: int | None,
    after: str | None,
    *,
    sizes: tuple[int, int] = (DEFAULT_PAGE, MAX_PAGE),  # a page's default and largest
) -> Connection[T]:
    size = page_size(first, *sizes)
    key = decode_cursor(after, key_types)
    rows = await info.context.db.run(queries.page, query, order, size, key)
    edges = [
        Edge(cursor=encode_cursor(queries.row_key(row, order)), node=build(row))
        for row in rows[:size]
    ]

    async def total() -> int:
        return await info.context.db.run(queries.count, query)

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None
        ),
        count_resolver=total,
    )


async def meetings_connection(
    info: Info,
    where: queries.MeetingFilter,
    newest_first: bool | None,
    first: int | None,
    after: str | None,
) -> Connection[Meeting]:
    order = (
        queries.MEETINGS_OLDEST_FIRST if newest_first is False else queries.MEETINGS_NEWEST_FIRST
    )
    return await connection(
        info, queries.meetings_query(where), order, (dt.date, str), Meeting.from_row, first, after
    )


async def agenda_items_connection(
    info: Info, where: queries.AgendaItemFilter, first: int | None, after: str | None
) -> Connection[AgendaItem]:
    return await connection(
        info,
        queries.items_query(where),
        queries.ITEMS_NEWEST_FIRST,
        (dt.date, str, int),
        AgendaItem.from_row,
        first,
        after,
    )


async def decisions_connection(
    info: Info, where: queries.DecisionFilter, first: int | None, after: str | None
) -> Connection[Decision]:
    return await connection(
        info,
        queries.decisions_query(where),
        queries.DECISIONS_NEWEST_FIRST,
        (dt.date, str),
        Decision.from_row,
        first,
        after,
    )


async def cases_connection(
    info: Info, organization: str | None, first: int | None, after: str | None
) -> Connection[Case]:
    return await connection(
        info,
        queries.cases_query(organization),
        queries.CASES_NEWEST_FIRST,
        (int, str),
        Case.from_row,
        first,
        after,
    )


async def persons_connection(
    info: Info, name: str | None, organization: str | None, first: int | None, after: str | None
) -> Connection[Person]:
    return await connection(
        info,
        queries.persons_query(name, organization),
        queries.PERSONS_BY_NAME,
        (str, str),
        Person.from_row,
        first,
        after,
    )
