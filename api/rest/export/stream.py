"""Exports streamed a page at a time: one pass over the meetings feeds every export asked
for (the command line writes three files from one read of the archive)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import anyio.to_thread

from api import queries
from api.read import export
from api.rest import models as m
from api.rest.export import records
from api.rest.export.formats import Export


async def pages(
    exports: Sequence[Export], snapshots: export.Snapshots, where: queries.MeetingFilter
) -> AsyncIterator[tuple[bytes, ...]]:
    """Each export's records of a page, as bytes, page after page (heads not included)."""
    async for meetings in export.pages(snapshots, where, records.meetings):
        # Encoding is CPU work: off the event loop, which other requests share.
        yield await anyio.to_thread.run_sync(_encode, exports, meetings)


def _encode(exports: Sequence[Export], meetings: list[m.Meeting]) -> tuple[bytes, ...]:
    return tuple(e.encode(meetings) for e in exports)
