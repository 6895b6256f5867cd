"""The search field: Danish full-text search over items and decisions."""

from __future__ import annotations

import datetime as dt

import strawberry

from api import queries
from api.read.errors import BadUserInput
from api.read.pages import decode_cursor, encode_cursor, page_size
from api.schema.context import Info
from api.schema.pagination import Connection, Edge, PageInfo
from api.schema.types import ORGANIZATION, AgendaItem, Decision, Node
from api.search.hits import hit_sources
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
    organization: str | None = strawberry.field(default=None, description=ORGANIZATION)
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
    key = decode_cursor(after, (int, int, float, str))
    db = info.context.db
    where = queries.SearchFilter(
        organization=filter.organization if filter else None,
        body=filter.body if filter else None,
        date_from=filter.date_from if filter else None,
        date_to=filter.date_to if filter else None,
    )
    rows = await db.run(queries.search_page, parsed, where, size, key)
    sources = await hit_sources(db, info.context.loaders, rows[:size])
    edges = [
        Edge(cursor=encode_cursor(row.key), node=_hit(row, *source, parsed))
        for row, source in zip(rows, sources, strict=False)
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


def _hit(
    row: queries.SearchRow, source: queries.Row, texts: list[str], parsed: SearchQuery
) -> SearchHit:
    node: Node = (
        Decision.from_row(source) if row.kind == "Decision" else AgendaItem.from_row(source)
    )
    return SearchHit(
        node=node,
        snippet=snippet(texts, parsed),
        score=float(row.score),
    )
