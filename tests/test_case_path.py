"""A case's path through the committees to the council, as GraphQL and REST give it.

Two meetings of one municipality, ingested from text: the finance committee's own
minutes, and the council's, whose item quotes the committees' decisions before its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.loaders.ingest import ingest_paths
from api.settings import Settings
from tests.schema.conftest import data

COMMITTEE = """Økonomiudvalget - Referat

Dato: 18. september 2019
Tidspunkt: Kl. 16:00

153. Tillæg 1 til Lokalplan 145

Sagsnr.: 19/500

Indstilling

Teknisk Forvaltning indstiller, at tillægget vedtages.

Beslutning

Anbefales godkendt.
"""

COUNCIL = """Kommunalbestyrelsen - Referat

Dato: 24. september 2019
Tidspunkt: Kl. 19:00

130. Tillæg 1 til Lokalplan 145

Sagsnr.: 19/500

Indstilling

Teknisk Forvaltning indstiller, at tillægget vedtages.

Teknik- og Miljøudvalget, 10. september 2019, pkt. 65:

Anbefales.

Økonomiudvalget, 18. september 2019, pkt. 153:

Indstilles godkendt.

Beslutning

Godkendt.
"""

CASE = "roedovre-kommune.case_19-500"


@pytest.fixture
def client(engine: sa.Engine, database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    (tmp_path / "oeu.txt").write_text(COMMITTEE, encoding="utf-8")
    (tmp_path / "kb.txt").write_text(COUNCIL, encoding="utf-8")
    report = ingest_paths(engine, [tmp_path], organization="Rødovre Kommune", workers=1)
    assert [r.line().rsplit(": ", 1)[1] for r in report.results] == ["ingested", "ingested"]
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def test_the_case_shows_each_bodys_decision_once_oldest_first(client: TestClient) -> None:
    case = data(
        client,
        'query($n: String!) { case(number: $n, organization: "Rødovre Kommune") { id number '
        "agendaItems { title } "
        "decisions { body date outcome text agendaItem { meeting { body { name } } } } } }",
        n="19/500",
    )["case"]
    assert case["id"] == CASE
    assert case["number"] == "19/500"
    assert [item["title"] for item in case["agendaItems"]] == ["Tillæg 1 til Lokalplan 145"] * 2
    steps = [
        (d["body"], d["date"], d["outcome"], d["text"], d["agendaItem"]["meeting"]["body"]["name"])
        for d in case["decisions"]
    ]
    assert steps == [
        # Quoted by the council: the only record of the committee's decision.
        ("Teknik- og Miljøudvalget", "2019-09-10", "RECOMMENDED", "Anbefales.",
         "Kommunalbestyrelsen"),
        # The finance committee's own minutes, not the council's quotation of them.
        ("Økonomiudvalget", "2019-09-18", "RECOMMENDED", "Anbefales godkendt.",
         "Økonomiudvalget"),
        ("Kommunalbestyrelsen", "2019-09-24", "APPROVED", "Godkendt.", "Kommunalbestyrelsen"),
    ]  # fmt: skip


def test_rest_gives_the_same_path(client: TestClient) -> None:
    graphql = data(
        client, "query($id: ID!) { node(id: $id) { ... on Case { decisions { id } } } }", id=CASE
    )
    rest = client.get(f"/api/v1/cases/{CASE}").json()
    assert [d["id"] for d in rest["decisions"]] == [d["id"] for d in graphql["node"]["decisions"]]
    assert [(d["body"], d["outcome"]) for d in rest["decisions"]] == [
        ("Teknik- og Miljøudvalget", "RECOMMENDED"),
        ("Økonomiudvalget", "RECOMMENDED"),
        ("Kommunalbestyrelsen", "APPROVED"),
    ]
    assert rest["decisions"][0]["agendaItem"]["id"].startswith(
        "roedovre-kommune.kommunalbestyrelsen.2019-09-24T1900."
    )


def test_a_cut_that_ends_in_a_dropped_quote_reads_on(client: TestClient, engine: sa.Engine) -> None:
    """The database cuts a case's decisions before the quotes of a decision already given
    are dropped: the 3rd row read is the council's quote of the finance committee's own
    decision, so a cut of 3 gives 2 and the case is read again."""
    with engine.connect() as connection:
        whole = queries.decisions_by_case(connection, [CASE], None)
        assert len(whole) == 3
        for first in range(5):
            cut = queries.decisions_by_case(connection, [CASE], first)
            assert [d.id for d in cut] == [d.id for d in whole[:first]]
    query = (
        "query($id: ID!, $n: Int) { node(id: $id) { ... on Case { decisions(first: $n) { id } } } }"
    )
    for first in range(5):
        answer = data(client, query, id=CASE, n=first)["node"]["decisions"]
        assert [d["id"] for d in answer] == [d.id for d in whole[:first]]
