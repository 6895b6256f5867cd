"""``referat export``: exports written to files, or one to standard output.

One pass over the archive writes every file, in one snapshot: the files agree with each
other (every decision's item is in agenda-items, every item's meeting in meetings) even
while an ingest runs. A file is written under a temporary name and renamed when the
export is complete, so a failed export never leaves a file that looks whole.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from api import queries
from api.database import Database
from api.read.export import check_organization
from api.rest.export.formats import Export
from api.rest.export.stream import pages

STDOUT = "-"


def engine_options(database_url: str) -> dict[str, Any]:
    """The export's engine. Python's sqlite3 keeps 128 prepared statements a connection,
    and a page's statements list its ids, a different text for each count: the cache
    grew an export of 10,000 meetings by 20 MB (137 MB at its 100th page, 117 MB with a
    cache of 4). The export runs a few statements again and again; a few are enough."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return {"connect_args": {"cached_statements": 8}}
    return {}


async def write(
    engine: sa.Engine, exports: Sequence[Export], out: str, where: queries.MeetingFilter
) -> list[Path]:
    """Writes each export into the directory ``out`` (made if missing) under its file
    name, or the one export to standard output when ``out`` is ``-``; the files written.
    NotFound for an organization that is not held, before any file is made."""
    database = Database(engine)  # no deadline: the command line's export takes its time
    async with database.snapshot() as snapshot:
        await check_organization(snapshot, where.organization)
        with _outputs(exports, out) as (sinks, written):
            for sink, export in zip(sinks, exports, strict=True):
                sink.write(export.head())
            async for chunks in pages(exports, lambda: contextlib.nullcontext(snapshot), where):
                for sink, chunk in zip(sinks, chunks, strict=True):
                    sink.write(chunk)
    return written


@contextlib.contextmanager
def _outputs(exports: Sequence[Export], out: str) -> Iterator[tuple[list[BinaryIO], list[Path]]]:
    if out == STDOUT:
        yield [sys.stdout.buffer], []
        sys.stdout.buffer.flush()
        return
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / export.filename for export in exports]
    parts = [target.with_name(f".{target.name}.part") for target in targets]
    with contextlib.ExitStack() as stack:
        try:
            sinks: list[BinaryIO] = [stack.enter_context(part.open("wb")) for part in parts]
            yield sinks, targets
        except BaseException:
            stack.close()
            for part in parts:
                part.unlink(missing_ok=True)
            raise
    for part, target in zip(parts, targets, strict=True):
        os.replace(part, target)
