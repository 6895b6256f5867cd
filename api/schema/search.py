"""The search field: Danish full-text search over items and decisions."""

from __future__ import annotations

import asyncio
import datetime as dt

import strawberry

from api import queries
from api.schema.context import Info
from api.schema.errors import BadUserInput
from api.schema.pagination import (
    Connection,
    Edge,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_size,
)
from api.schema.types import AgendaItem, Decision, Node
from api.search.hits import hit_source
from api.search.snippets import snippet
from api.search.syntax import Query as SearchQuery
from api.search.syntax import SearchSyntaxError, parse_query


@strawberry.type
class SearchHit:
    node: Node = strawberry.field(
        description="The AgendaItem, or the Decision when the match is in one."
    )
    snippet: str = strawberry.field(
        description="Original text around the match; matched words in <mark>, HTML escaped."
    )
    score: float = strawberry.field(description="Higher is better; scales differ by engine.")


@strawberry.input
class SearchFilter:
    body: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


async def search(
    info: Info,
    query: str,
    filter: SearchFilter | None,
    first: int | None,
    after: str | None,
) -> Connection[SearchHit]:
    try:
        parsed = parse_query(query)
    except SearchSyntaxError as exc:
        raise BadUserInput(f"search: {exc}") from None
    size = page_size(first)
    key = decode_cursor(after, (int, float, str))
    db = info.context.db
    where = queries.SearchFilter(
        body=filter.body if filter else None,
        date_from=filter.date_from if filter else None,
        date_to=filter.date_to if filter else None,
    )
    rows = await db.run(queries.search_page, parsed, where, size, key)
    # Concurrently, so that the dataloaders batch the whole page into a few statements.
    found = await asyncio.gather(*(_hit(info, row, parsed) for row in rows[:size]))
    edges = [
        Edge(cursor=encode_cursor([row.block, row.score, row.id]), node=hit)
        for row, hit in zip(rows, found, strict=False)
    ]

    async def total() -> int:
        return await db.run(queries.search_count, parsed, where)

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None
        ),
        count_resolver=total,
    )


async def _hit(info: Info, row: queries.SearchRow, parsed: SearchQuery) -> SearchHit:
    source, texts = await hit_source(info.context.loaders, row)
    node: Node = (
        Decision.from_row(source) if row.kind == "Decision" else AgendaItem.from_row(source)
    )
    return SearchHit(
        node=node,
        snippet=snippet(texts, parsed.lemmas(), parsed.prefixes()),
        score=float(row.score),
    )
