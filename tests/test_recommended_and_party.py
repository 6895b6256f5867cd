"""A RECOMMENDED decision and a participant's party, from the records through the store
to GraphQL and REST, on SQLite and PostgreSQL.

The records are made here rather than parsed: which lines of a document give a party is
the parser's business, and this is everything below it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api.app import create_app
from api.loaders.outcome import classify_outcome
from api.loaders.records import (
    AgendaItem,
    Decision,
    DecisionOutcome,
    DocumentKind,
    Minutes,
    Participant,
)
from api.loaders.store import Source, store_meeting
from api.settings import Settings
from tests.schema.conftest import data, graphql

ORGANIZATION = "Rødovre Kommune"
BODY = "Teknik- og Miljøudvalget"
DAY = dt.date(2019, 9, 24)
DECISIONS = ("Anbefales.", "Godkendt.", "Indstilles godkendt.")


def _item(number: int, text: str) -> AgendaItem:
    decision = Decision(BODY, DAY, text, classify_outcome(text))
    return AgendaItem(
        number, f"Punkt {number}", f"19/{100 + number}", False, None, (), (decision,), ()
    )


MINUTES = Minutes(
    source="roedovre_tmu.txt",
    kind=DocumentKind.MINUTES,
    title=f"REFERAT {BODY} d. 24-09-2019",
    organization=ORGANIZATION,
    body=BODY,
    date=DAY,
    starts_at=dt.datetime(2019, 9, 24, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    location="Rådhuset",
    participants=(
        Participant("Erik Nielsen", "Formand", "A"),
        Participant("Pia Larsen", None, "Ø"),
        Participant("Kim Sørensen", "sekretær"),
    ),
    absentees=(Participant("Ole Hansen", None, "V"),),
    items=tuple(_item(number, text) for number, text in enumerate(DECISIONS, start=1)),
    warnings=(),
)
MEETING = "roedovre-kommune.teknik-og-miljoeudvalget.2019-09-24T1700"


@pytest.fixture
def stored(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as connection:
        result = store_meeting(
            connection,
            MINUTES,
            Source.of(MINUTES.source, b"the document"),
            organization=ORGANIZATION,
            now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
    assert result.meeting_id == MEETING
    return engine


@pytest.fixture
def app(stored: sa.Engine, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def test_the_decisions_outcomes_come_from_their_words() -> None:
    outcomes = [item.decisions[0].outcome for item in MINUTES.items]
    assert outcomes == [
        DecisionOutcome.RECOMMENDED,
        DecisionOutcome.APPROVED,
        DecisionOutcome.RECOMMENDED,
    ]


def test_the_store_keeps_parties_and_outcomes(stored: sa.Engine) -> None:
    with stored.connect() as connection:
        people = connection.exec_driver_sql(
            "SELECT is_absent, position, role, party FROM participations "
            "ORDER BY is_absent, position"
        ).all()
        outcomes = connection.exec_driver_sql(
            "SELECT outcome FROM decisions ORDER BY agenda_item_id"
        ).scalars()
        assert list(outcomes) == ["RECOMMENDED", "APPROVED", "RECOMMENDED"]
    assert [tuple(row) for row in people] == [
        (False, 1, "Formand", "A"),
        (False, 2, None, "Ø"),
        (False, 3, "sekretær", None),
        (True, 1, None, "V"),
    ]


MEETING_QUERY = """query($id: ID!) { meeting(id: $id) {
  id kind title date startsAt location sourceFile sourceSha256 ingestedAt updatedAt
  organization { id name } body { id name }
  participants { person { id name } role party } absentees { id name }
  agendaItems { id meeting { id } number title caseNumber case { id number } isClosed
    page sections { kind heading text } decisions { id body date text outcome }
    attachments { title fileExtension } } } }"""


def test_graphql_gives_parties_and_recommendations(app: TestClient) -> None:
    meeting = data(app, MEETING_QUERY, id=MEETING)["meeting"]
    assert meeting["participants"] == [
        {"person": {"id": "roedovre-kommune.person_erik-nielsen", "name": "Erik Nielsen"},
         "role": "Formand", "party": "A"},
        {"person": {"id": "roedovre-kommune.person_pia-larsen", "name": "Pia Larsen"},
         "role": None, "party": "Ø"},
        {"person": {"id": "roedovre-kommune.person_kim-soerensen", "name": "Kim Sørensen"},
         "role": "sekretær", "party": None},
    ]  # fmt: skip
    assert meeting["absentees"] == [
        {"id": "roedovre-kommune.person_ole-hansen", "name": "Ole Hansen"}
    ]
    outcomes = [item["decisions"][0]["outcome"] for item in meeting["agendaItems"]]
    assert outcomes == ["RECOMMENDED", "APPROVED", "RECOMMENDED"]
    # Absentees are persons, as API.md has them: no party there.
    refused = graphql(
        app, "query($id: ID!) { meeting(id: $id) { absentees { party } } }", id=MEETING
    )
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_graphql_filters_and_counts_recommendations(app: TestClient) -> None:
    answer = data(
        app,
        """{
          decisions(filter: { outcome: RECOMMENDED }) {
            totalCount edges { node { text outcome agendaItem { number } } } }
          agendaItems(filter: { outcome: RECOMMENDED, organization: "Rødovre Kommune" }) {
            totalCount edges { node { number } } }
          approved: decisions(filter: { outcome: APPROVED }) { totalCount }
          stats(filter: { organization: "roedovre-kommune" }) {
            decisionCount decisionsByOutcome { outcome count } }
        }""",
    )
    recommended = answer["decisions"]
    assert recommended["totalCount"] == 2
    assert sorted(
        (e["node"]["agendaItem"]["number"], e["node"]["text"], e["node"]["outcome"])
        for e in recommended["edges"]
    ) == [(1, "Anbefales.", "RECOMMENDED"), (3, "Indstilles godkendt.", "RECOMMENDED")]
    assert answer["agendaItems"]["totalCount"] == 2
    assert sorted(e["node"]["number"] for e in answer["agendaItems"]["edges"]) == [1, 3]
    assert answer["approved"]["totalCount"] == 1
    assert answer["stats"]["decisionCount"] == 3
    assert answer["stats"]["decisionsByOutcome"] == [
        {"outcome": "RECOMMENDED", "count": 2},
        {"outcome": "APPROVED", "count": 1},
    ]


def test_rest_equals_graphql_with_parties_and_recommendations(app: TestClient) -> None:
    rest = app.get(f"/api/v1/meetings/{MEETING}").json()
    assert rest == data(app, MEETING_QUERY, id=MEETING)["meeting"]
    assert [p["party"] for p in rest["participants"]] == ["A", "Ø", None]
    item = app.get(f"/api/v1/agenda-items/{MEETING}.1").json()
    assert [d["outcome"] for d in item["decisions"]] == ["RECOMMENDED"]


def test_openapi_names_the_outcomes_and_the_party(app: TestClient) -> None:
    schemas = app.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["DecisionOutcome"]["enum"] == [outcome.value for outcome in DecisionOutcome]
    assert schemas["Decision"]["properties"]["outcome"] == {
        "$ref": "#/components/schemas/DecisionOutcome"
    }
    party = schemas["Participant"]["properties"]["party"]
    assert party["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert "party" not in schemas["PersonRef"]["properties"]
