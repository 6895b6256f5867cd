"""The change feed in REST (``/api/v1/changes``): a page of changes, each with a
reference to its entity while the entity is there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from api import queries
from api.database import Database
from api.read.dataloaders import Loaders, load_node_rows
from api.read.values import local
from api.rest import models as m


async def changes_page(
    db: Database,
    loaders: Loaders,
    since: dt.datetime | None,
    limit: int,
    after: Sequence[Any] | None,
) -> tuple[list[m.Change], list[Any] | None, bool]:
    """Up to ``limit`` changes after the key ``after``: the changes, the key where the
    page ends (the one it started from when it is empty), and whether more follow now."""
    order = queries.FEED_IN_ORDER
    rows = await db.run(queries.page, queries.changes_query(since), order, limit, after)
    page = rows[:limit]
    live = [row.action != "DELETED" for row in page]
    found = await load_node_rows(
        loaders, [(r.type, r.id) for r, alive in zip(page, live, strict=True) if alive]
    )
    present = iter(found)
    changes = [
        m.Change(
            id=str(row.seq),
            type=row.type,
            node_id=row.id,
            action=row.action,
            at=local(row.at),  # type: ignore[arg-type]
            node=m.NodeRef(type=row.type, id=row.id)
            if alive and next(present) is not None
            else None,
        )
        for row, alive in zip(page, live, strict=True)
    ]
    end = queries.row_key(page[-1], order) if page else (list(after) if after else None)
    return changes, end, len(rows) > limit
