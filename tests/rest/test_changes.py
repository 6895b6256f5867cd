"""/api/v1/changes: the change feed in REST, on SQLite and PostgreSQL: pages with next
links and a cursor to keep, since, tombstones, errors, and validators that a removal
moves."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from api.loaders.remove import remove_meeting
from tests.schema.conftest import data

CHANGES = "/api/v1/changes"
MEETING = "hoeje-taastrup-kommune.direktionen.2019-12-09T1000"


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def read_all(client: TestClient, url: str) -> tuple[list[dict[str, Any]], str | None]:
    """Every change from ``url`` on, following next links; and the cursor to keep."""
    changes: list[dict[str, Any]] = []
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["items"]
        if page["next"] is None:
            assert "link" not in response.headers
            return changes, page["cursor"]
        assert response.headers["link"] == f'<{page["next"]}>; rel="next"'
        url = page["next"]


def test_pages_follow_the_feed_in_order_and_agree_with_graphql(client: TestClient) -> None:
    changes, cursor = read_all(client, f"{CHANGES}?limit=30")
    seqs = [int(change["id"]) for change in changes]
    assert seqs == sorted(set(seqs)) and len(seqs) > 100
    assert all(
        change["node"] == {"type": change["type"], "id": change["nodeId"]} for change in changes
    )
    assert set(changes[0]) == {"id", "type", "nodeId", "action", "at", "node"}
    graphql = data(
        client, "{ changes(first: 1000) { edges { node { id type nodeId action at } } } }"
    )
    assert [
        {k: change[k] for k in ("id", "type", "nodeId", "action", "at")} for change in changes
    ] == [edge["node"] for edge in graphql["changes"]["edges"]]
    # At the feed's end the page is empty and keeps its place: nothing new yet.
    later = client.get(CHANGES, params={"cursor": cursor}).json()
    assert later == {"items": [], "next": None, "cursor": cursor}


def test_a_mirror_that_kept_its_cursor_reads_the_tombstones_of_a_removal(
    client: TestClient, seeded: sa.Engine
) -> None:
    _, cursor = read_all(client, CHANGES)
    before = client.get(CHANGES, params={"cursor": cursor})
    with seeded.begin() as connection:
        remove_meeting(connection, MEETING)
    changes, _ = read_all(client, f"{CHANGES}?cursor={cursor}")
    assert {change["action"] for change in changes} == {"DELETED"}
    assert {"type": "Meeting", "nodeId": MEETING} in [
        {"type": c["type"], "nodeId": c["nodeId"]} for c in changes
    ]
    assert all(change["node"] is None for change in changes)
    assert client.get(f"/api/v1/meetings/{MEETING}").status_code == 404
    # The removal moved the validators: a cached answer is stale.
    after = client.get(CHANGES, params={"cursor": cursor})
    assert after.headers["etag"] != before.headers["etag"]
    again = client.get(
        CHANGES, params={"cursor": cursor}, headers={"if-none-match": before.headers["etag"]}
    )
    assert again.status_code == 200
    # Its earlier CREATED changes now point at nothing.
    everything, _ = read_all(client, CHANGES)
    created = [c for c in everything if c["nodeId"] == MEETING and c["action"] == "CREATED"]
    assert created and created[0]["node"] is None


def test_since_selects_changes_at_or_after_a_moment_with_its_offset(client: TestClient) -> None:
    changes, _ = read_all(client, CHANGES)
    first = changes[0]["at"]
    assert read_all(client, f"{CHANGES}?since={first.replace('+', '%2B')}")[0] == changes
    assert read_all(client, f"{CHANGES}?since=2999-01-01T00:00:00Z")[0] == []
    response = client.get(CHANGES, params={"since": "2024-01-01T00:00:00"})
    assert error(response) == (422, "VALIDATION_ERROR")
    assert "since needs a time zone offset" in response.json()["error"]["message"]


def test_bad_limits_and_cursors(client: TestClient) -> None:
    assert error(client.get(CHANGES, params={"limit": "1001"})) == (422, "VALIDATION_ERROR")
    assert error(client.get(CHANGES, params={"limit": "0"})) == (422, "VALIDATION_ERROR")
    assert client.get(CHANGES, params={"limit": "1000"}).status_code == 200
    meetings = client.get("/api/v1/meetings", params={"limit": "1"}).json()["next"]
    another = meetings.split("cursor=")[1]  # another listing's cursor
    for cursor in ("garbage", another):
        response = client.get(CHANGES, params={"cursor": cursor})
        assert error(response) == (400, "BAD_USER_INPUT"), cursor
    assert error(client.get(CHANGES, params={"after": "x"})) == (422, "VALIDATION_ERROR")


def test_the_openapi_document_describes_the_feed(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][CHANGES]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters == {
        "since": {"type": "string", "format": "date-time"},
        "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
        "cursor": {"type": "string", "minLength": 1, "maxLength": 500},
    }
    assert operation["operationId"] == "listChanges"
