"""The change feed in GraphQL: ``changes(since:, first:, after:)`` and its Change type."""

from __future__ import annotations

import datetime as dt

import strawberry

from api import queries
from api.loaders.records import ChangeAction
from api.read.errors import BadUserInput
from api.read.pages import FEED_PAGE_DEFAULT, FEED_PAGE_MAX
from api.read.values import local
from api.schema.context import Info
from api.schema.listings import connection
from api.schema.pagination import Connection
from api.schema.types import Node, load_node

ChangeActionEnum = strawberry.enum(ChangeAction, name="ChangeAction")


@strawberry.type(
    description="An entity created, updated or deleted. A DELETED change is the entity's "
    "tombstone: its type and nodeId stay in the feed, node is null."
)
class Change:
    id: strawberry.ID = strawberry.field(
        description="The change's own id, its place in the feed: unique, and the same "
        "in every answer."
    )
    type: str = strawberry.field(description="The entity's type, e.g. Meeting, AgendaItem.")
    node_id: strawberry.ID = strawberry.field(
        description="The entity's id: what node(id:) takes, and what a tombstone names."
    )
    action: ChangeActionEnum  # type: ignore[valid-type]
    at: dt.datetime

    @classmethod
    def from_row(cls, row: queries.Row) -> Change:
        return cls(
            id=strawberry.ID(str(row.seq)),
            type=row.type,
            node_id=strawberry.ID(row.id),
            action=ChangeAction(row.action),
            at=local(row.at),  # type: ignore[arg-type]
        )

    @strawberry.field(
        description="The entity as it is now; null when this change or a later one deleted it."
    )
    async def node(self, info: Info) -> Node | None:
        if self.action is ChangeAction.DELETED:
            return None
        return await load_node(info, self.type, str(self.node_id))


async def changes_connection(
    info: Info, since: dt.datetime | None, first: int | None, after: str | None
) -> Connection[Change]:
    if since is not None and since.tzinfo is None:
        raise BadUserInput("since needs a time zone offset, e.g. 2024-01-01T00:00:00Z")
    return await connection(
        info,
        queries.changes_query(since),
        queries.FEED_IN_ORDER,
        (int,),
        Change.from_row,
        first,
        after,
        sizes=(FEED_PAGE_DEFAULT, FEED_PAGE_MAX),
    )
