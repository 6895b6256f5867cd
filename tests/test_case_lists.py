"""A case's items, decisions and dates as api.queries reads them, on the seeds: a case's
first rows are cut in the database, and are the first rows of its whole list; its dates
are those of its own items' meetings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
import sqlalchemy as sa

from api import queries
from api.database import rows_by

Lister = Callable[[sa.Connection, Sequence[str], int | None], list[queries.Row]]


def _case_ids(connection: sa.Connection) -> list[str]:
    return [row.id for row in connection.execute(queries.cases_query())]


@pytest.mark.parametrize(
    "lister", [queries.items_by_case, queries.decisions_by_case], ids=["items", "decisions"]
)
def test_each_cases_first_rows_are_the_first_of_its_whole_list(
    seeded: sa.Engine, lister: Lister
) -> None:
    with seeded.connect() as connection:
        cases = _case_ids(connection)
        whole = rows_by(lister(connection, cases, None), "case_id")
        assert max(len(rows) for rows in whole.values()) >= 3  # the cut below cuts
        for first in (0, 1, 2, 3):
            cut = rows_by(lister(connection, cases, first), "case_id")
            assert {case: [r.id for r in rows] for case, rows in cut.items()} == {
                case: [r.id for r in rows[:first]] for case, rows in whole.items() if first
            }


def test_a_cases_dates_are_those_of_its_items_meetings(seeded: sa.Engine) -> None:
    with seeded.connect() as connection:
        cases = _case_ids(connection)
        items = rows_by(queries.items_by_case(connection, cases, None), "case_id")
        expected = {
            case: (min(i.meeting_date for i in rows), max(i.meeting_date for i in rows))
            for case, rows in items.items()
        }
        dates = {
            row.case_id: (row.first_date, row.last_date)
            for row in queries.case_dates(connection, cases)
        }
        listed = {
            row.id: (row.first_date, row.last_date)
            for row in connection.execute(queries.cases_query())
        }
    assert any(first != last for first, last in expected.values())
    assert dates == expected
    assert listed == expected
