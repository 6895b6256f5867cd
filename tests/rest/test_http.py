"""The REST mirror's HTTP: 405 with Allow, If-Modified-Since and Last-Modified per entity,
cursors that are not ours, and the filters under GraphQL's names (with the old ones as
aliases), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.rest.httpdate import format_http_date, parse_http_date
from api.settings import Settings
from tests.rest.test_rest import ALL_MEETINGS, HTK, error
from tests.schema.conftest import data

MEETING = f"{HTK}.direktionen.2019-12-09T1000"
EARLIER = f"{HTK}.direktionen.2019-11-11T1000"  # the other meeting of case 19/227
ROSKILDE = (
    "roskilde-kommune.direktionen.2019-12-09T1000",
    "roskilde-kommune.direktionen.2019-12-09T1500",
)
# At ROSKILDE[0] only; mette-skou at both.
PERSON, BOTH = "roskilde-kommune.person_jens-vinther", "roskilde-kommune.person_mette-skou"
UTC = dt.UTC


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def set_updated(engine: sa.Engine, times: dict[str, str], others: str | None = None) -> None:
    """Meetings' updatedAt, as a re-ingest would set it; ``others`` for all the rest."""
    with engine.begin() as connection:
        if others is not None:
            connection.execute(sa.update(queries.meetings).values(updated_at=moment(others)))
        for meeting, at in times.items():
            connection.execute(
                sa.update(queries.meetings)
                .where(queries.meetings.c.id == meeting)
                .values(updated_at=moment(at))
            )


# -- 405 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_get_405_with_allow_in_the_json_error_shape(
    client: TestClient, method: str
) -> None:
    for path in ("/api/v1/meetings", f"/api/v1/meetings/{MEETING}", "/api/v1/search?q=x"):
        response = client.request(method, path)
        assert error(response) == (405, "METHOD_NOT_ALLOWED")
        assert response.headers["allow"] == "GET, HEAD"
    assert client.head(f"/api/v1/meetings/{MEETING}").status_code == 200


# -- Last-Modified and If-Modified-Since ------------------------------------------------------


def test_each_entity_is_last_modified_when_its_meetings_last_changed(
    client: TestClient, seeded: sa.Engine
) -> None:
    set_updated(
        seeded,
        {
            MEETING: "2024-05-01T10:00:00.750+00:00",
            EARLIER: "2024-06-01T12:30:00+02:00",
            ROSKILDE[0]: "2024-03-01T09:00:00Z",
            ROSKILDE[1]: "2024-02-01T09:00:00Z",
        },
        others="2024-01-01T00:00:00Z",
    )

    def modified(path: str) -> str:
        response = client.get(f"/api/v1/{path}")
        assert response.status_code == 200
        return str(response.headers["last-modified"])

    # The fraction of a second is dropped: HTTP-dates have whole seconds.
    assert modified(f"meetings/{MEETING}") == "Wed, 01 May 2024 10:00:00 GMT"
    assert modified(f"agenda-items/{MEETING}.3") == "Wed, 01 May 2024 10:00:00 GMT"
    # A case: the newest of the meetings its items are on.
    assert modified(f"cases/{HTK}.case_19-227") == "Sat, 01 Jun 2024 10:30:00 GMT"
    assert modified("organizations/roskilde-kommune") == "Fri, 01 Mar 2024 09:00:00 GMT"
    assert modified(f"organizations/{HTK}") == "Sat, 01 Jun 2024 10:30:00 GMT"
    # A person: the newest of the meetings they took part in.
    assert modified(f"persons/{PERSON}") == "Fri, 01 Mar 2024 09:00:00 GMT"
    set_updated(seeded, {ROSKILDE[1]: "2024-04-01T09:00:00Z"})
    assert modified(f"persons/{PERSON}") == "Fri, 01 Mar 2024 09:00:00 GMT"
    assert modified(f"persons/{BOTH}") == "Mon, 01 Apr 2024 09:00:00 GMT"
    assert modified("organizations/roskilde-kommune") == "Mon, 01 Apr 2024 09:00:00 GMT"
    # A listing: the newest ingest, as before.
    with seeded.connect() as connection:
        newest = queries.data_version(connection).last
    assert newest is not None
    assert modified("meetings") == format_http_date(newest)


def test_if_modified_since_gets_a_304_until_the_entity_changes(
    client: TestClient, seeded: sa.Engine
) -> None:
    set_updated(seeded, {MEETING: "2024-05-01T10:00:00.750Z"}, others="2024-01-01T00:00:00Z")
    url = f"/api/v1/meetings/{MEETING}"
    first = client.get(url)
    last_modified, etag = first.headers["last-modified"], first.headers["etag"]

    def status(*dates: str, **headers: str) -> int:
        sent = [("if-modified-since", d) for d in dates] + list(headers.items())
        response = client.get(url, headers=sent)
        if response.status_code == 304:
            assert response.content == b""
            assert response.headers["last-modified"] == last_modified
            assert response.headers["etag"] == etag
            assert response.headers["cache-control"] == "public, no-cache"
        return response.status_code

    assert status(last_modified) == 304
    assert status("Wed, 01 May 2024 10:00:01 GMT") == 304  # later
    assert status("Wed, 01 May 2024 09:59:59 GMT") == 200  # earlier
    # The obsolete forms every recipient must read: RFC 850 and asctime.
    assert status("Wednesday, 01-May-24 10:00:00 GMT") == 304
    assert status("Wed May  1 10:00:00 2024") == 304
    # Anything else is ignored: the whole answer.
    ignored = (
        "yesterday",
        "2024-05-01T10:00:00Z",
        "Wed, 01 May 2024 10:00:00 +0000",
        "Wed, 01 may 2024 10:00:00 GMT",
        "Wed, 31 Feb 2024 10:00:00 GMT",
        "",
    )
    for value in ignored:
        assert status(value) == 200, value
    assert status(last_modified, last_modified) == 200  # more than one: ignored
    # If-None-Match decides when it is there (RFC 9110, 13.2.2).
    assert status(last_modified, **{"if-none-match": '"other"'}) == 200
    assert status("Mon, 01 Jan 2024 00:00:00 GMT", **{"if-none-match": etag}) == 304
    assert status(**{"if-none-match": "*"}) == 304
    # Another meeting changes: this one's answer does not.
    set_updated(seeded, {EARLIER: "2024-07-01T00:00:00Z"})
    assert status(last_modified) == 304
    # This one is stored again: a new answer.
    set_updated(seeded, {MEETING: "2024-05-01T10:00:02Z"})
    assert status(last_modified) == 200
    assert client.get(url).headers["last-modified"] == "Wed, 01 May 2024 10:00:02 GMT"
    # An unknown id is a 404 whatever the header says.
    missing = client.get(f"{url}x", headers={"if-modified-since": last_modified})
    assert error(missing) == (404, "NOT_FOUND")


def test_if_modified_since_on_cases_persons_organizations_and_listings(
    client: TestClient, seeded: sa.Engine
) -> None:
    set_updated(seeded, {}, others="2024-01-01T00:00:00Z")
    later = "Tue, 02 Jan 2024 00:00:00 GMT"
    for path in (f"cases/{HTK}.case_19-227", f"persons/{PERSON}", f"agenda-items/{MEETING}.3",
                 "organizations/roskilde-kommune"):  # fmt: skip
        url = f"/api/v1/{path}"
        assert client.get(url, headers={"if-modified-since": later}).status_code == 304, path
        set_updated(seeded, {MEETING: "2024-03-01T00:00:00Z", ROSKILDE[0]: "2024-03-01T00:00:00Z"})
        assert client.get(url, headers={"if-modified-since": later}).status_code == 200, path
        set_updated(seeded, {}, others="2024-01-01T00:00:00Z")
    listing = client.get("/api/v1/meetings")
    since = {"if-modified-since": listing.headers["last-modified"]}
    assert client.get("/api/v1/meetings", headers=since).status_code == 304
    assert client.get("/api/v1/organizations", headers=since).status_code == 304


def test_http_dates_by_rfc_9110() -> None:
    expected = dt.datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == expected
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expected
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == expected
    assert parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT\t") == expected
    assert format_http_date(expected) == "Sun, 06 Nov 1994 08:49:37 GMT"
    # A leap second reads as the second before it.
    assert parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT") == dt.datetime(
        2016, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    # Two-digit years: more than 50 years ahead is the century before.
    now = dt.datetime(2025, 6, 1, tzinfo=UTC)
    assert parse_http_date("Monday, 01-Jan-75 00:00:00 GMT", now=now) == dt.datetime(
        2075, 1, 1, tzinfo=UTC
    )
    assert parse_http_date("Friday, 01-Jan-76 00:00:00 GMT", now=now) == dt.datetime(
        1976, 1, 1, tzinfo=UTC
    )
    for bad in (
        "",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "1994-11-06T08:49:37Z",
    ):
        assert parse_http_date(bad) is None, bad


# -- cursors ----------------------------------------------------------------------------------


def test_a_cursor_that_is_not_ours_is_a_400(client: TestClient) -> None:
    def cursor(value: Any) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    meetings_next = client.get("/api/v1/meetings?limit=1").json()["next"]
    search_next = client.get("/api/v1/search?q=sygefravær&limit=1").json()["next"]
    meetings_cursor = meetings_next.split("cursor=")[1]
    search_cursor = search_next.split("cursor=")[1]
    assert client.get(meetings_next).status_code == 200
    assert client.get(search_next).status_code == 200
    bad = {
        "/api/v1/meetings": [
            "garbage",
            "%25%25",
            cursor(["2019-13-45", "x"]),  # tampered: no such date
            cursor([20191209, "x"]),
            cursor({"date": "2019-12-09"}),
            search_cursor,  # another listing's
        ],
        "/api/v1/search?q=sygefravær": ["garbage", cursor([2019, 0, "best", "x"]), meetings_cursor],
    }
    for url, cursors in bad.items():
        for value in cursors:
            response = client.get(f"{url}{'&' if '?' in url else '?'}cursor={value}")
            assert error(response) == (400, "BAD_USER_INPUT"), (url, value)
            assert "cursor" in response.json()["error"]["message"]


# -- filters ----------------------------------------------------------------------------------


def ids(client: TestClient, path: str, **params: str) -> list[str]:
    response = client.get(f"/api/v1/{path}", params=params)
    assert response.status_code == 200, response.json()
    key = "node" if path == "search" else None
    return sorted(h[key]["id"] if key else h["id"] for h in response.json()["items"])


def test_filters_have_graphqls_names_and_the_old_ones_still_work(client: TestClient) -> None:
    span = {"dateFrom": "2019-12-01", "dateTo": "2019-12-31"}
    december = ids(client, "meetings", **span)
    assert december == sorted([MEETING, *ROSKILDE])
    assert ids(client, "meetings", **{"from": "2019-12-01", "to": "2019-12-31"}) == december
    assert ids(client, "meetings", dateFrom="2019-12-01", to="2019-12-31") == december
    # Both names of one filter: the same value is fine, different values a 400.
    assert ids(client, "meetings", **span, **{"from": "2019-12-01"}) == december
    for params in ({"dateFrom": "2019-12-01", "from": "2019-01-01"},
                   {"dateTo": "2019-12-31", "to": "2019-12-30"}):  # fmt: skip
        response = client.get("/api/v1/meetings", params=params)
        assert error(response) == (400, "BAD_USER_INPUT")
        old, new = sorted(params, key=len)
        assert old in response.json()["error"]["message"]
        assert new in response.json()["error"]["message"]
    q = {"q": "parkeringsstrategi"}
    assert ids(client, "search", **q, dateFrom="2019-12-09", dateTo="2019-12-09") == sorted([
        "roskilde-kommune.direktionen.2019-12-09T1000.2",
        "roskilde-kommune.direktionen.2019-12-09T1500.1",
    ])  # fmt: skip
    assert ids(client, "search", **q, dateFrom="2019-12-10") == []
    assert ids(client, "search", **q, **{"to": "2019-12-08"}) == []
    response = client.get("/api/v1/search", params=q | {"dateTo": "2019-12-09", "to": "2020-01-01"})
    assert error(response) == (400, "BAD_USER_INPUT")


def test_every_graphql_filter_name_is_a_rest_parameter(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    pairs = (("MeetingFilter", "/api/v1/meetings"), ("SearchFilter", "/api/v1/search"))
    for filter_type, path in pairs:
        fields = data(client, f'{{ __type(name: "{filter_type}") {{ inputFields {{ name }} }} }}')
        names = {field["name"] for field in fields["__type"]["inputFields"]}
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert names <= set(parameters), names - set(parameters)
        assert all(not parameters[name].get("deprecated") for name in names)
        assert parameters["from"]["deprecated"] is parameters["to"]["deprecated"] is True
        assert "dateFrom" in parameters["from"]["description"]
    meetings = {p["name"]: p for p in document["paths"]["/api/v1/meetings"]["get"]["parameters"]}
    assert meetings["modifiedSince"]["schema"] == {"type": "string", "format": "date-time"}


def test_modified_since(client: TestClient, seeded: sa.Engine) -> None:
    set_updated(
        seeded,
        {MEETING: "2024-05-01T10:00:00Z", ROSKILDE[0]: "2024-05-01T09:59:59.999Z"},
        others="2024-01-01T00:00:00Z",
    )

    def since(value: str, **params: str) -> list[str]:
        return ids(client, "meetings", modifiedSince=value, **params)

    assert since("2024-05-01T10:00:00Z") == [MEETING]  # at or after
    assert since("2024-05-01T12:00:00+02:00") == [MEETING]  # the same moment
    assert since("2024-05-01t10:00:00z") == [MEETING]
    assert since("2024-05-01T09:59:59.5Z") == sorted([MEETING, ROSKILDE[0]])
    assert since("2024-05-01T09:00:00Z", organization="roskilde-kommune") == [ROSKILDE[0]]
    assert since("2024-05-01T10:00:00.001Z") == []
    assert len(since("2023-12-31T23:59:59Z")) == ALL_MEETINGS
    # Beyond what a UTC datetime holds: everything, or nothing, is newer.
    assert len(since("0001-01-01T00:00:00+05:00")) == ALL_MEETINGS
    assert since("9999-12-31T23:00:00-05:00") == []
    # As in GraphQL, a moment needs its offset: a naive value is refused, not guessed.
    for naive in ("2024-05-01T10:00:00", "2024-05-01", "yesterday", "2024-05-01T25:00:00Z"):
        response = client.get("/api/v1/meetings", params={"modifiedSince": naive})
        assert error(response) == (422, "VALIDATION_ERROR"), naive
        assert "modifiedSince" in response.json()["error"]["message"]
    # GraphQL agrees.
    graphql = data(
        client,
        "query ($since: DateTime) { meetings(filter: {modifiedSince: $since}) "
        "{ edges { node { id } } } }",
        since="2024-05-01T12:00:00+02:00",
    )
    assert [e["node"]["id"] for e in graphql["meetings"]["edges"]] == [MEETING]


# -- the request's deadline ---------------------------------------------------------------------


def test_a_request_past_its_deadline_is_a_503_timeout(
    seeded: sa.Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_version = queries.data_version

    def slow(connection: sa.Connection) -> queries.DataVersion:
        time.sleep(2.2)
        return data_version(connection)

    monkeypatch.setattr(queries, "data_version", slow)
    # A deadline of 2 s leaves a loaded CI machine room for the request after (1 s did
    # not, once, beside other test runs: its first request compiles the meeting's
    # REST answer, some 50 ms unloaded).
    settings = Settings(database_url=database_url, request_timeout=2.0)
    with TestClient(create_app(settings)) as client:
        # The statements after the first find the request out of time.
        response = client.get(f"/api/v1/meetings/{MEETING}")
        assert error(response) == (503, "TIMEOUT")
        assert "its 2 s" in response.json()["error"]["message"]
        # Each request has its own deadline: the next starts afresh.
        monkeypatch.setattr(queries, "data_version", data_version)
        assert client.get(f"/api/v1/meetings/{MEETING}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/meetings?body=a%00b",
        "/api/v1/search?q=godkendt%00",
        "/api/v1/meetings/a%00b",
        "/api/v1/persons/x%00",
        "/api/v1/meetings?participant=%00",
    ],
)
def test_nul_is_a_400_on_both_engines(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "BAD_USER_INPUT",
        "message": response.json()["error"]["message"],
    }
    assert "NUL" in response.json()["error"]["message"]
