"""Reading a whole archive for an export, a page of meetings at a time.

Pages follow the (date, id) key, oldest first, so that no meeting is read twice or
skipped however long the export runs; each page is read with dataloaders of its own
(a dataloader keeps what it loads: one set for a whole export would end up holding the
archive), so an export holds one page in memory whatever the archive's size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from api import queries
from api.database import Database
from api.read.dataloaders import Loaders, make_loaders
from api.read.errors import NotFound

T = TypeVar("T")
PAGE = 100  # meetings a page: what an export holds in memory at once, with their parts

# Opens the database a page is read from: a snapshot a page (a server, which must not
# hold a connection while a client reads), or one for the whole export (the command line).
Snapshots = Callable[[], AbstractAsyncContextManager[Database]]
# Builds what a page becomes from its meetings' rows, through the page's dataloaders.
Build = Callable[[Loaders, list[queries.Row]], Awaitable[T]]


async def pages(
    snapshots: Snapshots, where: queries.MeetingFilter, build: Build[T], size: int | None = None
) -> AsyncIterator[T]:
    """What each page of the meetings ``where`` selects builds into, oldest first; a page
    is read and built inside one snapshot, and handed on after it is closed."""
    size = size or PAGE
    after: list[Any] | None = None
    while True:
        async with snapshots() as db:
            rows = await db.run(queries.meetings_after, where, after, size + 1)
            page = rows[:size]
            built = await build(make_loaders(db), page) if page else None
        if built is not None:
            yield built
        if len(rows) <= size:
            return
        after = [page[-1].date, page[-1].id]


async def check_organization(db: Database, organization: str | None) -> None:
    """An export of an organization that is not held would be empty: most likely a typo,
    so it is refused rather than answered with nothing."""
    if organization is not None and not await db.run(queries.organizations_named, organization):
        raise NotFound(
            f"no organization {organization!r}: give an organization's id or name, "
            "e.g. hoeje-taastrup-kommune or Høje-Taastrup Kommune"
        )
