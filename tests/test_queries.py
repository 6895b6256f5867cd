"""api.queries on the seeded database, both engines: search's blocks of hits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from api import queries
from api.db import create_engine
from api.migrations import upgrade
from api.search.syntax import parse_query

ALL = queries.SearchFilter()


def walk(
    engine: sa.Engine,
    query: str,
    page: int,
    window: int,
    where: queries.SearchFilter = ALL,
    probe: int = queries.PROBE,
) -> list[queries.SearchRow]:
    """Every hit, page by page, the way a client follows cursors."""
    parsed = parse_query(query)
    found: list[queries.SearchRow] = []
    after = None
    with engine.connect() as connection:
        while True:
            rows = queries.search_page(
                connection, parsed, where, page, after, window=window, probe=probe
            )
            found += rows[:page]
            if len(rows) <= page:
                return found
            after = rows[page - 1].key


def dates(engine: sa.Engine, hits: list[queries.SearchRow]) -> dict[str, dt.date]:
    documents = sa.table("search_documents", sa.column("id"), sa.column("date", sa.Date))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(documents.c.id, documents.c.date)).all()
    wanted = {hit.id for hit in hits}
    return {row.id: row.date for row in rows if row.id in wanted}


def count(engine: sa.Engine, query: str, where: queries.SearchFilter = ALL) -> int:
    with engine.connect() as connection:
        return queries.search_count(connection, parse_query(query), where)


@pytest.mark.parametrize(("page", "window"), [(1, 1), (2, 3), (3, 3), (7, 4), (5, 500)])
def test_years_newest_first_in_blocks_of_their_newest_matches_best_first(
    seeded: sa.Engine, page: int, window: int
) -> None:
    hits = walk(seeded, "godkende", page, window)
    assert len(hits) == len({h.id for h in hits}) == count(seeded, "godkende") > 10
    when = dates(seeded, hits)
    places = [(-h.year, h.block) for h in hits]
    assert places == sorted(places)
    assert len({h.year for h in hits}) > 2
    for year in {h.year for h in hits}:
        in_year = [h for h in hits if h.year == year]
        assert all(when[h.id].year == year for h in in_year)
        blocks = [h.block for h in in_year]
        assert blocks[-1] == (len(in_year) - 1) // window
        for block in set(blocks):
            inside = [h for h in in_year if h.block == block]
            assert len(inside) == window or block == blocks[-1]
            assert inside == sorted(inside, key=lambda h: (-h.score, h.id))
            older = [when[h.id] for h in in_year if h.block > block]
            assert not older or min(when[h.id] for h in inside) >= max(older)


def test_a_block_boundary_on_the_last_hit_ends_cleanly(seeded: sa.Engine) -> None:
    total = count(seeded, "sygefravær")
    assert total == 3
    hits = walk(seeded, "sygefravær", 1, 2)  # 2025's two hits fill its block
    assert [(h.year, h.block) for h in hits] == [(2025, 0), (2025, 0), (2019, 0)]


def test_filters_apply_in_every_block(seeded: sa.Engine) -> None:
    where = queries.SearchFilter(date_from=dt.date(2017, 1, 1), date_to=dt.date(2017, 12, 31))
    hits = walk(seeded, "godkende", 2, 2, where)
    assert len(hits) == count(seeded, "godkende", where) > 2
    assert all(
        dt.date(2017, 1, 1) <= d <= dt.date(2017, 12, 31) for d in dates(seeded, hits).values()
    )
    by_body = walk(seeded, "godkende", 1, 1, queries.SearchFilter(body="Byrådet"))
    assert {h.id for h in by_body} == {
        "hoeje-taastrup-kommune.byraadet.2024-03-26T1900.1",
        "hoeje-taastrup-kommune.byraadet.2024-03-26T1900.2",
    }


@pytest.mark.parametrize("query", ["godkende", '"taget til efterretning"', "sygefravær*"])
@pytest.mark.parametrize("probe", [1, 2, 5])
def test_a_short_walk_leaves_the_block_to_the_planner_with_the_same_hits(
    seeded: sa.Engine, query: str, probe: int
) -> None:
    """On PostgreSQL a block is first sought by walking at most ``probe`` documents a
    block; what it cannot fill is planned anew. The hits must not change."""
    assert walk(seeded, query, 3, 2, probe=probe) == walk(seeded, query, 3, 2)


def test_postgresql_search_settings_last_one_transaction(
    new_database: Callable[[str], str],
) -> None:
    url = new_database("postgresql")
    upgrade(url)
    engine = create_engine(url)
    settings = "SELECT current_setting('enable_seqscan'), current_setting('work_mem')"
    with engine.connect() as connection:
        queries.search_page(connection, parse_query("godkende"), ALL, 5, None)
        assert connection.exec_driver_sql(settings).one() == ("off", "64MB")
        connection.rollback()
        assert connection.exec_driver_sql(settings).one() == ("on", "4MB")
    engine.dispose()
