"""Relay connections: GraphQL's shape of a page (the page size and cursors are the read
layer's, api.read.pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

NodeType = TypeVar("NodeType")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo

    # Counting costs a statement: only when asked for.
    count_resolver: strawberry.Private[Callable[[], Any]]

    @strawberry.field
    async def total_count(self) -> int:
        result: int = await self.count_resolver()
        return result
