"""Reading the archive for an export: keyset pages, oldest first, each read before the
next is asked for, in snapshots that see one state of the data; on both engines."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest
import sqlalchemy as sa

from api import queries
from api.database import Database
from api.db import create_engine
from api.loaders.ingest import ingest_paths
from api.read import export
from api.read.dataloaders import Loaders
from api.read.errors import NotFound
from tests.conftest import HOME
from tests.paths import FIXTURES

ALL_MEETINGS = 9


@pytest.fixture
def database(seeded: sa.Engine, database_url: str) -> Iterator[Database]:
    """A reading database over the seeds, as the command line opens it."""
    engine = create_engine(database_url)
    yield Database(engine)
    engine.dispose()


async def _ids(_loaders: Loaders, rows: list[queries.Row]) -> list[str]:
    return [row.id for row in rows]


def read_pages(
    database: Database, where: queries.MeetingFilter | None = None, size: int = 2
) -> list[list[str]]:
    async def collect() -> list[list[str]]:
        found = export.pages(database.snapshot, where or queries.MeetingFilter(), _ids, size=size)
        return [page async for page in found]

    return anyio.run(collect)


def test_pages_give_every_meeting_once_oldest_first(database: Database) -> None:
    pages = read_pages(database, size=2)
    assert [len(page) for page in pages] == [2, 2, 2, 2, 1]
    ids = [meeting for page in pages for meeting in page]
    assert len(set(ids)) == ALL_MEETINGS
    with database.engine.connect() as connection:
        keys = connection.execute(sa.select(queries.meetings.c.date, queries.meetings.c.id))
        assert ids == [key.id for key in sorted(keys, key=lambda row: (row.date, row.id))]
    assert read_pages(database, size=100) == [ids]
    # A page of exactly what is left ends the export without an empty page after it.
    assert [len(page) for page in read_pages(database, size=3)] == [3, 3, 3]


def test_pages_follow_the_filters(database: Database) -> None:
    roskilde = read_pages(database, queries.MeetingFilter(organization="Roskilde Kommune"))
    assert roskilde == [
        [
            "roskilde-kommune.direktionen.2019-12-09T1000",
            "roskilde-kommune.direktionen.2019-12-09T1500",
        ]
    ]
    future = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
    assert read_pages(database, queries.MeetingFilter(modified_since=future)) == []
    past = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert (
        sum(map(len, read_pages(database, queries.MeetingFilter(modified_since=past))))
        == ALL_MEETINGS
    )


def test_a_page_is_handed_on_before_the_next_is_read(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    original = queries.meetings_after

    def counted(*args: object, **kwargs: object) -> list[queries.Row]:
        events.append("read")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queries, "meetings_after", counted)

    async def consume() -> None:
        async for _page in export.pages(database.snapshot, queries.MeetingFilter(), _ids, 4):
            events.append("page")

    anyio.run(consume)
    assert events == ["read", "page", "read", "page", "read", "page"]


def test_a_snapshot_sees_one_state_while_an_ingest_commits(
    database: Database, seeded: sa.Engine, tmp_path: Path
) -> None:
    text = (FIXTURES / "dagsorden_byraadet.txt").read_text(encoding="utf-8")
    later = tmp_path / "later.txt"
    later.write_text(text.replace("26-03-2024", "09-04-2024").replace("26. marts", "9. april"))

    async def counts() -> tuple[int, int, int]:
        async with database.snapshot() as snapshot:
            before = await snapshot.run(
                queries.count, queries.meetings_query(queries.MeetingFilter())
            )
            ingest_paths(seeded, [later], default_organization=HOME)
            during = await snapshot.run(
                queries.count, queries.meetings_query(queries.MeetingFilter())
            )
        after = await database.run(queries.count, queries.meetings_query(queries.MeetingFilter()))
        return before, during, after

    assert anyio.run(counts) == (ALL_MEETINGS, ALL_MEETINGS, ALL_MEETINGS + 1)


def test_one_snapshot_can_serve_every_page(database: Database) -> None:
    @contextlib.asynccontextmanager
    async def held(_db: Database) -> AsyncIterator[Database]:
        yield _db

    async def collect() -> int:
        async with database.snapshot() as snapshot:
            found = export.pages(lambda: held(snapshot), queries.MeetingFilter(), _ids, 4)
            return sum([len(page) async for page in found])

    assert anyio.run(collect) == ALL_MEETINGS


def test_an_organization_that_is_not_held_is_refused(database: Database) -> None:
    async def check(organization: str | None) -> None:
        await export.check_organization(database, organization)

    for known in (None, "roskilde-kommune", "Roskilde Kommune", HOME):
        anyio.run(check, known)
    with pytest.raises(NotFound, match="no organization 'Roskilde'"):
        anyio.run(check, "Roskilde")
