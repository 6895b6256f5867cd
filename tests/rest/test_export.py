"""The exports over HTTP, on the seeds, on SQLite and PostgreSQL: each record is what the
API answers for it, CSV reads back into the same values, and the answer streams."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import queries
from api.read import export as read_export
from api.rest.export import http
from api.rest.export.formats import cell
from tests.schema.conftest import data

EXPORT = "/api/v1/export"
ALL_MEETINGS = 9
CLOSED = "hoeje-taastrup-kommune.direktionen.2025-06-02T0900.1"
MEETING_FIELDS = """id kind title date startsAt location sourceFile sourceSha256 ingestedAt
  updatedAt organization { id name } body { id name }
  participants { person { id name } role party } absentees { id name }
  agendaItems { id meeting { id } number title caseNumber case { id number } isClosed
    page sections { kind heading text } decisions { id body date text outcome }
    attachments { title fileExtension } }"""
MEETING_REF = "meeting { id date organization { id name } body { id name } }"
ITEM_FIELDS = f"""id {MEETING_REF} number title caseNumber case {{ id number }} isClosed page
  sections {{ kind heading text }} decisions {{ id body date text outcome }}
  attachments {{ title fileExtension }}"""
DECISION_FIELDS = f"""... on Decision {{ id body date text outcome
  agendaItem {{ id number title caseNumber {MEETING_REF} }} }}"""


def lines(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(f"{EXPORT}/{path}")
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def as_text(value: str) -> str:
    """A text as a CSV cell shows it: one that a spreadsheet would take for a formula
    has an apostrophe before it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value else value


def rows(client: TestClient, path: str) -> list[dict[str, str]]:
    content = client.get(f"{EXPORT}/{path}").content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(content, newline="")))


def test_each_meeting_line_is_the_meeting_as_the_apis_answer_it(client: TestClient) -> None:
    meetings = lines(client, "meetings.jsonl")
    assert len(meetings) == ALL_MEETINGS
    assert [(m["date"], m["id"]) for m in meetings] == sorted(
        (m["date"], m["id"]) for m in meetings
    )
    for meeting in meetings:
        assert meeting == client.get(f"/api/v1/meetings/{meeting['id']}").json()
        query = f'{{ meeting(id: "{meeting["id"]}") {{ {MEETING_FIELDS} }} }}'
        assert meeting == data(client, query)["meeting"]


def test_each_item_and_decision_line_is_what_graphql_answers(client: TestClient) -> None:
    items = lines(client, "agenda-items.jsonl")
    meetings = lines(client, "meetings.jsonl")
    assert [i["id"] for i in items] == [i["id"] for m in meetings for i in m["agendaItems"]]
    for item in items:
        answer = data(client, f'{{ agendaItem(id: "{item["id"]}") {{ {ITEM_FIELDS} }} }}')
        assert item == answer["agendaItem"]
    decisions = lines(client, "decisions.jsonl")
    assert [d["id"] for d in decisions] == [d["id"] for i in items for d in i["decisions"]]
    total = data(client, "{ decisions(first: 1) { totalCount } }")["decisions"]["totalCount"]
    assert len(decisions) == total > 0
    for decision in decisions:
        answer = data(client, f'{{ node(id: "{decision["id"]}") {{ {DECISION_FIELDS} }} }}')
        assert decision == answer["node"]


def test_a_closed_item_shows_number_title_and_case_number_only(client: TestClient) -> None:
    (item,) = [i for i in lines(client, "agenda-items.jsonl") if i["id"] == CLOSED]
    assert item["isClosed"] and item["title"] and item["number"] == 1
    assert (item["sections"], item["decisions"], item["attachments"]) == ([], [], [])
    assert (item["case"], item["page"]) == (None, None)
    (row,) = [r for r in rows(client, "agenda-items.csv") if r["id"] == CLOSED]
    assert (row["isClosed"], row["title"], row["caseNumber"]) == (
        "true", item["title"], item["caseNumber"] or "",
    )  # fmt: skip
    assert row["sections"] == row["decisionIds"] == row["attachments"] == row["caseId"] == ""
    assert all(d["agendaItem"]["id"] != CLOSED for d in lines(client, "decisions.jsonl"))


def test_csv_reads_back_into_the_jsonl_values(client: TestClient) -> None:
    response = client.get(f"{EXPORT}/meetings.csv")
    assert response.content.startswith(b"id,organizationId,organization,bodyId,body,")
    assert response.content.endswith(b"\r\n")
    by_id = {m["id"]: m for m in lines(client, "meetings.jsonl")}
    meetings = rows(client, "meetings.csv")
    assert [r["id"] for r in meetings] == list(by_id)
    for row in meetings:
        meeting = by_id[row["id"]]
        assert row["organization"] == meeting["organization"]["name"]
        assert row["bodyId"] == meeting["body"]["id"]
        assert (row["date"], row["startsAt"]) == (meeting["date"], meeting["startsAt"] or "")
        assert row["updatedAt"] == meeting["updatedAt"]
        names = [p["person"]["name"] for p in meeting["participants"]]
        assert row["participants"] == "; ".join(names)
        assert row["agendaItemCount"] == str(len(meeting["agendaItems"]))
    decisions = {d["id"]: d for d in lines(client, "decisions.jsonl")}
    table = rows(client, "decisions.csv")
    assert [r["id"] for r in table] == list(decisions)
    for row in table:
        decision = decisions[row["id"]]
        assert (row["text"], row["outcome"], row["date"]) == (
            as_text(decision["text"]), decision["outcome"], decision["date"],
        )  # fmt: skip
        assert row["meetingId"] == decision["agendaItem"]["meeting"]["id"]
        assert row["agendaItemNumber"] == str(decision["agendaItem"]["number"])
    items = {i["id"]: i for i in lines(client, "agenda-items.jsonl")}
    table = rows(client, "agenda-items.csv")
    assert [r["id"] for r in table] == list(items)
    texts = [r["sections"] for r in table]
    assert any("\n" in text for text in texts)  # line breaks in a cell survive
    # The seeds' decisions hold a text that begins "- " (a list): a formula to Excel.
    assert any(r["text"].startswith("'-") for r in rows(client, "decisions.csv"))
    for row in table:
        item = items[row["id"]]
        sections = [f"{s['heading']}\n{s['text']}" for s in item["sections"]]
        assert row["sections"] == as_text("\n\n".join(sections))
        assert row["page"] == ("" if item["page"] is None else str(item["page"]))


def test_a_byte_order_mark_only_when_asked(client: TestClient) -> None:
    plain = client.get(f"{EXPORT}/decisions.csv").content
    marked = client.get(f"{EXPORT}/decisions.csv?bom=true").content
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert marked == b"\xef\xbb\xbf" + plain
    assert client.get(f"{EXPORT}/decisions.csv?bom=false").content == plain
    assert not client.get(f"{EXPORT}/decisions.jsonl").content.startswith(b"\xef\xbb\xbf")


def test_headers_name_the_type_and_the_file(client: TestClient) -> None:
    jsonl = client.get(f"{EXPORT}/agenda-items.jsonl")
    assert jsonl.headers["content-type"] == "application/jsonl"
    assert jsonl.headers["content-disposition"] == 'attachment; filename="agenda-items.jsonl"'
    csv_ = client.get(f"{EXPORT}/agenda-items.csv")
    assert csv_.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert csv_.headers["content-disposition"] == 'attachment; filename="agenda-items.csv"'
    head = client.head(f"{EXPORT}/meetings.csv")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-disposition"] == 'attachment; filename="meetings.csv"'


def test_filters(client: TestClient) -> None:
    roskilde = lines(client, "meetings.jsonl?organization=Roskilde%20Kommune")
    assert [m["id"] for m in roskilde] == [
        "roskilde-kommune.direktionen.2019-12-09T1000",
        "roskilde-kommune.direktionen.2019-12-09T1500",
    ]
    by_id = lines(client, "decisions.jsonl?organization=roskilde-kommune")
    assert {d["agendaItem"]["meeting"]["organization"]["id"] for d in by_id} == {"roskilde-kommune"}
    assert lines(client, "meetings.jsonl?modifiedSince=2999-01-01T00:00:00Z") == []
    header_only = client.get(f"{EXPORT}/decisions.csv?modifiedSince=2999-01-01T00:00:00%2B01:00")
    assert header_only.content.count(b"\r\n") == 1
    newest = max(m["updatedAt"] for m in lines(client, "meetings.jsonl"))
    since = lines(client, f"meetings.jsonl?modifiedSince={newest.replace('+', '%2B')}")
    assert [m["updatedAt"] for m in since] == [newest] * len(since) != []


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return response.status_code, body["error"]["code"]


def test_errors_are_json_with_the_right_status(client: TestClient) -> None:
    assert error(client.get(f"{EXPORT}/meetings.xml")) == (404, "NOT_FOUND")
    assert error(client.get(f"{EXPORT}/people.csv")) == (404, "NOT_FOUND")
    assert error(client.get(f"{EXPORT}/meetings")) == (404, "NOT_FOUND")
    nowhere = client.get(f"{EXPORT}/meetings.csv?organization=Nowhere%20Kommune")
    assert error(nowhere) == (404, "NOT_FOUND") and "Nowhere" in nowhere.text
    for since in ("2024-01-01T00:00:00", "yesterday", "2024-01-01"):
        assert error(client.get(f"{EXPORT}/meetings.csv?modifiedSince={since}")) == (
            422, "VALIDATION_ERROR",
        )  # fmt: skip
    assert error(client.get(f"{EXPORT}/meetings.jsonl?bom=true")) == (422, "VALIDATION_ERROR")
    assert error(client.get(f"{EXPORT}/meetings.csv?bom=yes")) == (422, "VALIDATION_ERROR")
    assert error(client.get(f"{EXPORT}/meetings.csv?since=2024")) == (422, "VALIDATION_ERROR")
    refused = client.post(f"{EXPORT}/meetings.csv")
    assert error(refused) == (405, "METHOD_NOT_ALLOWED") and refused.headers["allow"]


def test_formula_cells_are_made_text() -> None:
    for formula in ("=1+1", "+45 12 34", "- punkt", "@SUM(A1)", "\tx"):
        assert cell(formula) == "'" + formula
    assert [cell(v) for v in ("Godkendt.", 7, True, None, "2019-12-09")] == [
        "Godkendt.", "7", "true", "", "2019-12-09",
    ]  # fmt: skip


def test_exports_beyond_the_limit_are_told_to_come_back(client: TestClient) -> None:
    lines(client, "meetings.jsonl")
    slots = client.app.state.exports  # type: ignore[attr-defined]
    assert slots.taken == 0  # given back when the stream ended
    slots.taken = http.MAX_EXPORTS
    try:
        busy = client.get(f"{EXPORT}/meetings.jsonl")
        assert error(busy) == (503, "BUSY") and busy.headers["retry-after"] == "30"
    finally:
        slots.taken = 0
    assert len(lines(client, "meetings.jsonl")) == ALL_MEETINGS


def test_the_first_chunk_is_sent_before_the_export_is_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the ASGI app itself: the test client would hand over the whole body."""
    monkeypatch.setattr(read_export, "PAGE", 2)
    events: list[str] = []
    original = queries.meetings_after

    def counted(*args: Any, **kwargs: Any) -> list[queries.Row]:
        events.append("read")
        return original(*args, **kwargs)

    monkeypatch.setattr(queries, "meetings_after", counted)

    async def call() -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": f"{EXPORT}/meetings.jsonl", "raw_path": f"{EXPORT}/meetings.jsonl".encode(),
            "query_string": b"", "headers": [], "client": ("test", 1), "server": ("test", 80),
        }  # fmt: skip

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                events.append("sent")

        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(call)
    assert events == ["read", "sent"] * 4 + ["read", "sent"]


def test_a_long_export_is_not_cut_at_the_request_timeout(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page has the request's time in the database anew: 5 pages of 0.3 s each
    outlast a timeout of 0.5 s, and the export is whole."""
    monkeypatch.setattr(read_export, "PAGE", 2)
    database = client.app.state.database  # type: ignore[attr-defined]
    monkeypatch.setattr(database, "timeout", 0.5)
    original = queries.meetings_after

    def slow(*args: Any, **kwargs: Any) -> list[queries.Row]:
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(queries, "meetings_after", slow)
    start = time.monotonic()
    assert len(lines(client, "meetings.jsonl")) == ALL_MEETINGS
    assert time.monotonic() - start > 0.5


def test_openapi_documents_the_six_exports(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    exports = sorted(path for path in paths if "/export/" in path)
    assert exports == sorted(
        f"{EXPORT}/{entity}.{form}"
        for entity in ("meetings", "agenda-items", "decisions")
        for form in ("jsonl", "csv")
    )
    csv_params = [p["name"] for p in paths[f"{EXPORT}/meetings.csv"]["get"]["parameters"]]
    assert csv_params == ["organization", "modifiedSince", "bom"]
    jsonl = paths[f"{EXPORT}/decisions.jsonl"]["get"]
    assert "bom" not in [p["name"] for p in jsonl["parameters"]]
    assert (
        "ExportDecision"
        in jsonl["responses"]["200"]["content"]["application/jsonl"]["schema"]["description"]
    )
