"""The id scheme: readable, safe in a URL path, and never the same for two types."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.loaders import ids

URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
ORG = ids.organization_id("Høje-Taastrup Kommune")
BODY = ids.body_id(ORG, "Økonomiudvalget")


def test_the_examples_of_the_readme() -> None:
    assert ORG == "hoeje-taastrup-kommune"
    assert BODY == "hoeje-taastrup-kommune.oekonomiudvalget"
    starts = dt.datetime(2019, 12, 9, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    meeting = ids.meeting_id(BODY, dt.date(2019, 12, 9), starts)
    assert meeting == "hoeje-taastrup-kommune.oekonomiudvalget.2019-12-09T1000"
    assert ids.meeting_id(BODY, dt.date(2019, 12, 9), None) == f"{BODY}.2019-12-09"
    item = ids.agenda_item_id(meeting, 7)
    assert item == f"{meeting}.7"
    decision = ids.decision_id(item, "Byrådet", dt.date(2019, 11, 25), 1)
    assert decision == f"{item}.byraadet-2019-11-25"
    assert ids.decision_id(item, "Byrådet", dt.date(2019, 11, 25), 2) == f"{decision}_2"
    assert ids.case_id(ORG, "19/227") == "hoeje-taastrup-kommune.case_19-227"
    assert ids.person_id(ORG, "Hans-Jørgen Ørsted") == (
        "hoeje-taastrup-kommune.person_hans-joergen-oersted"
    )


def test_the_start_time_is_the_local_time_whatever_the_zone_given() -> None:
    utc = dt.datetime(2019, 6, 3, 7, 30, tzinfo=dt.UTC)  # 09:30 in Copenhagen's summer
    assert ids.meeting_id(BODY, dt.date(2019, 6, 3), utc).endswith(".2019-06-03T0930")


names = st.text(min_size=1, max_size=30)
dates = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 12, 31))
times = st.none() | st.datetimes(
    min_value=dt.datetime(1970, 1, 2),
    max_value=dt.datetime(2100, 12, 30),
    timezones=st.just(dt.UTC),
)


@given(
    organization=names,
    body=names,
    other=names,
    date=dates,
    starts=times,
    number=st.integers(1, 9999),
    occurrence=st.integers(1, 5),
)
def test_every_id_is_url_safe_and_its_shape_tells_its_type(
    organization: str,
    body: str,
    other: str,
    date: dt.date,
    starts: dt.datetime | None,
    number: int,
    occurrence: int,
) -> None:
    org = ids.organization_id(organization)
    body_id = ids.body_id(org, body)
    meeting = ids.meeting_id(body_id, date, starts)
    item = ids.agenda_item_id(meeting, number)
    made = {
        "Organization": org,
        "Body": body_id,
        "Meeting": meeting,
        "AgendaItem": item,
        "Decision": ids.decision_id(item, other, date, occurrence),
        "Case": ids.case_id(org, other),
        "Person": ids.person_id(org, other),
    }
    for made_id in made.values():
        assert URL_SAFE.match(made_id), made_id
    assert {type_of(made_id) for made_id in made.values()} == set(made)
    for type_name, made_id in made.items():
        assert type_of(made_id) == type_name


def type_of(node_id: str) -> str:
    """Which type an id is, from its shape alone: the proof that no two types share one."""
    segments = node_id.split(".")
    if len(segments) == 1:
        return "Organization"
    if len(segments) == 2:
        return {"case": "Case", "person": "Person"}.get(segments[1].split("_")[0], "Body")
    return ("Meeting", "AgendaItem", "Decision")[len(segments) - 3]


@pytest.mark.parametrize(
    ("number", "year"),
    [
        ("19/227", 2019),
        ("98/12", 1998),
        ("2019/227", 2019),
        ("330-2018-3619", 2018),
        ("1-51-71-3321-08", 2008),
        ("00.01.00-A00-1-20", 2020),
        ("A-7", 2017),  # nothing in the number: the meeting's year
    ],
)
def test_a_case_numbers_year(number: str, year: int) -> None:
    assert ids.case_year(number, 2017) == year
