"""The REST mirror over the ingested seeds, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate
from starlette.testclient import TestClient

from api.loaders.ingest import ingest_paths
from tests.conftest import HOME
from tests.paths import FIXTURES
from tests.schema.conftest import data

ALL_MEETINGS = 9
HTK = "hoeje-taastrup-kommune"


def test_openapi_is_a_valid_3_1_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/changes",
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/meetings",
        "/api/v1/meetings/{id}",
        "/api/v1/agenda-items/{id}",
        "/api/v1/cases/{id}",
        "/api/v1/persons/{id}",
        "/api/v1/search",
        *(
            f"/api/v1/export/{entity}.{form}"
            for entity in ("meetings", "agenda-items", "decisions")
            for form in ("jsonl", "csv")
        ),
    }


def test_pages_walk_every_meeting_once_with_next_links(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/meetings?limit=3"
    while url:
        response = client.get(url)
        page = response.json()
        assert page["totalCount"] == ALL_MEETINGS
        seen += [m["id"] for m in page["items"]]
        url = page["next"]
        if url:
            assert response.headers["link"] == f'<{url}>; rel="next"'
    assert len(seen) == len(set(seen)) == ALL_MEETINGS


def test_meeting_filters(client: TestClient) -> None:
    def ids(query: str) -> list[str]:
        return [m["id"] for m in client.get(f"/api/v1/meetings?{query}").json()["items"]]

    assert ids(f"body={HTK}.direktionen&dateFrom=2019-01-01&dateTo=2019-12-31") == [
        "hoeje-taastrup-kommune.direktionen.2019-12-09T1000",
        "hoeje-taastrup-kommune.direktionen.2019-11-11T1000",
    ]
    assert ids("kind=AGENDA") == ["hoeje-taastrup-kommune.byraadet.2024-03-26T1900"]
    assert len(ids("participant=hoeje-taastrup-kommune.person_kathrine-seier-skastrup")) == 3
    roskilde = [
        "roskilde-kommune.direktionen.2019-12-09T1500",
        "roskilde-kommune.direktionen.2019-12-09T1000",
    ]
    assert ids("organization=roskilde-kommune") == roskilde
    assert ids("organization=Roskilde%20Kommune&body=Direktionen") == roskilde
    assert ids("organization=nowhere") == []


def test_organizations_equal_their_graphql_twins(client: TestClient) -> None:
    listed = client.get("/api/v1/organizations").json()
    query = "{ organizations { id name kind bodies { id name } } }"
    assert listed == {"items": data(client, query)["organizations"]}
    assert [o["id"] for o in listed["items"]] == [HTK, "roskilde-kommune"]
    one = client.get("/api/v1/organizations/roskilde-kommune").json()
    assert one == {
        "id": "roskilde-kommune",
        "name": "Roskilde Kommune",
        "kind": "MUNICIPALITY",
        "bodies": [{"id": "roskilde-kommune.direktionen", "name": "Direktionen"}],
    }
    missing = client.get("/api/v1/organizations/roskilde")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_each_entity_equals_its_graphql_twin(client: TestClient) -> None:
    rest = client.get("/api/v1/meetings/hoeje-taastrup-kommune.direktionen.2019-12-09T1000").json()
    graphql = data(
        client,
        """{ meeting(id: "hoeje-taastrup-kommune.direktionen.2019-12-09T1000") {
          id kind title date startsAt location sourceFile sourceSha256 ingestedAt updatedAt
          organization { id name } body { id name }
          participants { person { id name } role party } absentees { id name }
          agendaItems { id meeting { id } number title caseNumber case { id number } isClosed
            page sections { kind heading text } decisions { id body date text outcome }
            attachments { title fileExtension } } } }""",
    )["meeting"]
    assert rest == graphql
    case = client.get("/api/v1/cases/hoeje-taastrup-kommune.case_19-227").json()
    assert case["organization"] == {"id": HTK, "name": "Høje-Taastrup Kommune"}
    assert [i["id"] for i in case["agendaItems"]] == [
        "hoeje-taastrup-kommune.direktionen.2019-11-11T1000.1",
        "hoeje-taastrup-kommune.direktionen.2019-11-11T1000.2",
        "hoeje-taastrup-kommune.direktionen.2019-12-09T1000.3",
        "hoeje-taastrup-kommune.direktionen.2019-12-09T1000.5",
    ]
    person = client.get("/api/v1/persons/hoeje-taastrup-kommune.person_lars-holte").json()
    assert (
        person
        == data(
            client,
            '{ person(id: "hoeje-taastrup-kommune.person_lars-holte") '
            "{ id organization { id name } name meetingCount } }",
        )["person"]
    )
    closed = client.get(
        "/api/v1/agenda-items/hoeje-taastrup-kommune.direktionen.2025-06-02T0900.1"
    ).json()
    assert (closed["isClosed"], closed["sections"], closed["case"], closed["page"]) == (
        True, [], None, None,
    )  # fmt: skip


def test_search(client: TestClient) -> None:
    page = client.get("/api/v1/search", params={"q": "sygefravær", "limit": 2}).json()
    assert page["totalCount"] == 3 and len(page["items"]) == 2 and page["next"]
    rest = {h["node"]["id"] for h in client.get(page["next"]).json()["items"]} | {
        h["node"]["id"] for h in page["items"]
    }
    assert rest == {
        "hoeje-taastrup-kommune.direktionen.2019-11-11T1000.4",
        "hoeje-taastrup-kommune.direktionen.2025-06-02T0900.4",
        "hoeje-taastrup-kommune.direktionen.2025-06-02T0900.4.direktionen-2025-06-02",
    }
    assert "<mark>" in page["items"][0]["snippet"]
    roskilde = client.get("/api/v1/search", params={"q": "parkeringsstrategi"}).json()
    assert {h["node"]["id"] for h in roskilde["items"]} == {
        "roskilde-kommune.direktionen.2019-12-09T1000.2",
        "roskilde-kommune.direktionen.2019-12-09T1500.1",
    }
    only = {"q": "parkeringsstrategi", "organization": "Roskilde Kommune", "body": "Direktionen"}
    assert client.get("/api/v1/search", params=only).json()["totalCount"] == 2
    elsewhere = client.get("/api/v1/search", params=only | {"organization": HTK}).json()
    assert elsewhere["totalCount"] == 0


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return response.status_code, body["error"]["code"]


def test_errors_are_json_with_the_right_status(client: TestClient) -> None:
    assert error(client.get("/api/v1/meetings/nope")) == (404, "NOT_FOUND")
    assert error(client.get("/api/v1/meetings?limit=101")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?dateFrom=yesterday")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?from=yesterday")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?colour=red")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?cursor=%25%25")) == (400, "BAD_USER_INPUT")
    assert error(client.get("/api/v1/search?q=%22open")) == (400, "BAD_USER_INPUT")
    assert error(client.get("/api/v1/search")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/nothing-here")) == (404, "NOT_FOUND")
    assert error(client.post("/api/v1/meetings")) == (405, "METHOD_NOT_ALLOWED")


def test_etag_304_and_both_change_when_minutes_arrive(
    client: TestClient, seeded: Any, tmp_path: Any
) -> None:
    first = client.get("/api/v1/meetings")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = client.get("/api/v1/meetings", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    other = client.get("/api/v1/meetings?limit=2")
    assert other.headers["etag"] != etag
    text = (FIXTURES / "dagsorden_byraadet.txt").read_text(encoding="utf-8")
    later = tmp_path / "later.txt"
    later.write_text(text.replace("26-03-2024", "09-04-2024").replace("26. marts", "9. april"))
    ingest_paths(seeded, [later], default_organization=HOME)
    fresh = client.get("/api/v1/meetings", headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh.json()["totalCount"] == ALL_MEETINGS + 1
    assert fresh.headers["etag"] != etag and fresh.headers["last-modified"] >= modified
