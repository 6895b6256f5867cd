"""The REST mirror over the ingested seeds, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate
from starlette.testclient import TestClient

from api.loaders.ingest import ingest_paths
from tests.paths import FIXTURES
from tests.schema.conftest import data

ALL_MEETINGS = 7


def test_openapi_is_a_valid_3_1_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/meetings",
        "/api/v1/meetings/{id}",
        "/api/v1/agenda-items/{id}",
        "/api/v1/cases/{id}",
        "/api/v1/persons/{id}",
        "/api/v1/search",
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

    assert ids("body=direktionen&from=2019-01-01&to=2019-12-31") == [
        "direktionen-2019-12-09",
        "direktionen-2019-11-11",
    ]
    assert ids("kind=AGENDA") == ["byraadet-2024-03-26"]
    assert len(ids("participant=kathrine-seier-skastrup")) == 3


def test_each_entity_equals_its_graphql_twin(client: TestClient) -> None:
    rest = client.get("/api/v1/meetings/direktionen-2019-12-09").json()
    graphql = data(
        client,
        """{ meeting(id: "direktionen-2019-12-09") {
          id kind title date startsAt location sourceFile sourceSha256 ingestedAt updatedAt
          body { id name } participants { person { id name } role } absentees { id name }
          agendaItems { id meeting { id } number title caseNumber case { id number } isClosed
            page sections { kind heading text } decisions { id body date text outcome }
            attachments { title fileExtension } } } }""",
    )["meeting"]
    assert rest == graphql
    case = client.get("/api/v1/cases/19-227").json()
    assert [i["id"] for i in case["agendaItems"]] == [
        "direktionen-2019-11-11-1",
        "direktionen-2019-11-11-2",
        "direktionen-2019-12-09-3",
        "direktionen-2019-12-09-5",
    ]
    person = client.get("/api/v1/persons/lars-holte").json()
    assert person == data(client, '{ person(id: "lars-holte") { id name meetingCount } }')["person"]
    closed = client.get("/api/v1/agenda-items/direktionen-2025-06-02-1").json()
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
        "direktionen-2019-11-11-4",
        "direktionen-2025-06-02-4",
        "direktionen-2025-06-02-4-2025-06-02",
    }
    assert "<mark>" in page["items"][0]["snippet"]


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return response.status_code, body["error"]["code"]


def test_errors_are_json_with_the_right_status(client: TestClient) -> None:
    assert error(client.get("/api/v1/meetings/nope")) == (404, "NOT_FOUND")
    assert error(client.get("/api/v1/meetings?limit=101")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?from=yesterday")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?colour=red")) == (422, "VALIDATION_ERROR")
    assert error(client.get("/api/v1/meetings?cursor=%25%25")) == (404, "NOT_FOUND")
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
    ingest_paths(seeded, [later])
    fresh = client.get("/api/v1/meetings", headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh.json()["totalCount"] == ALL_MEETINGS + 1
    assert fresh.headers["etag"] != etag and fresh.headers["last-modified"] >= modified
