"""The change feed in GraphQL: pages and cursors, since, tombstones that node(id:) agrees
with, its cost, kept answers made stale by a removal, and modifiedSince on agenda items
and decisions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import parse
from starlette.testclient import TestClient

from api.loaders.ingest import ingest_paths
from api.loaders.remove import remove_meeting
from api.schema import schema
from api.schema.cost import operation_cost
from tests.conftest import HOME
from tests.paths import SEEDS
from tests.schema.conftest import data, graphql

HTK = "hoeje-taastrup-kommune"
MEETING = f"{HTK}.direktionen.2019-12-09T1000"
SEED = SEEDS / "001_8b76944810878f52.txt"
PAGE = """query($after: String, $since: DateTime, $first: Int) {
  changes(after: $after, since: $since, first: $first) {
    totalCount
    edges { cursor node { id type nodeId action at node { id } } }
    pageInfo { hasNextPage endCursor } } }"""


def whole_feed(client: TestClient, after: str | None = None, **variables: Any) -> list[Any]:
    """Every change after ``after``, a page of 40 at a time, as a mirror reads them."""
    changes: list[Any] = []
    while True:
        page = data(client, PAGE, after=after, first=40, **variables)["changes"]
        changes += [edge["node"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"] or after
        if not page["pageInfo"]["hasNextPage"]:
            return changes


def end_cursor(client: TestClient) -> str:
    cursor: str | None = None
    while True:
        page = data(client, PAGE, after=cursor, first=1000)["changes"]
        cursor = page["pageInfo"]["endCursor"] or cursor
        if not page["pageInfo"]["hasNextPage"]:
            assert cursor is not None
            return cursor


def test_paging_with_after_visits_every_change_once_in_commit_order(client: TestClient) -> None:
    changes = whole_feed(client)
    total = data(client, "{ changes { totalCount } }")["changes"]["totalCount"]
    seqs = [int(change["id"]) for change in changes]
    assert len(changes) == total > 100
    assert seqs == sorted(set(seqs))
    # What the seeds hold, each announced once; each node is the entity named.
    assert {change["action"] for change in changes} == {"CREATED"}
    assert len({change["nodeId"] for change in changes}) == total
    assert all(change["node"]["id"] == change["nodeId"] for change in changes)
    assert {change["type"] for change in changes} == {
        "Organization", "Body", "Person", "Case", "Meeting", "AgendaItem", "Decision",
    }  # fmt: skip
    # Times are shown as every other: Copenhagen's, with the offset.
    assert changes[0]["at"].endswith(("+01:00", "+02:00"))


def test_since_starts_at_a_moment_and_needs_its_offset(client: TestClient) -> None:
    changes = whole_feed(client)
    first_at = changes[0]["at"]
    assert whole_feed(client, since=first_at) == changes
    assert whole_feed(client, since="2999-01-01T00:00:00Z") == []
    body = graphql(client, PAGE, since="2024-01-01T00:00:00")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "since needs a time zone offset" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 1001}, "first must be between 0 and 1000, not 1001"),
        ({"first": -1}, "first must be between 0 and 1000, not -1"),
        ({"after": "bm90IGEgY3Vyc29y"}, "invalid cursor"),
        ({"after": "WyJ4Il0"}, "invalid cursor"),  # ["x"]: another listing's shape
    ],
)
def test_bad_pages_and_cursors_are_bad_user_input(
    client: TestClient, variables: dict[str, Any], message: str
) -> None:
    body = graphql(client, PAGE, **variables)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in body["errors"][0]["message"]


def test_an_empty_page_keeps_its_place(client: TestClient) -> None:
    last = end_cursor(client)
    page = data(client, PAGE, after=last)["changes"]
    assert page["edges"] == []
    assert page["pageInfo"] == {"hasNextPage": False, "endCursor": None}


def shortened(tmp_path: Path) -> Path:
    """Seed 001 without item 12 and without item 7's decision of 25 November."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("Fiberetablering i diamantens institutioner.....\t33\n", "")
    text = text[: text.index("Punkt 12: Fiberetablering")]
    text = text.replace("Beslutning Direktionen den 25-11-2019\n\nUdskudt.\n\n", "")
    (tmp_path / "seeds").mkdir()
    path = tmp_path / "seeds" / SEED.name  # the same stored name: the same meeting's file
    path.write_text(text, encoding="utf-8")
    return path


NODE = "query($id: ID!) { node(id: $id) { id } }"


def test_tombstones_and_node_agree_after_shortened_minutes(
    client: TestClient, seeded: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = end_cursor(client)
    created = {change["nodeId"]: change for change in whole_feed(client)}
    shortened(tmp_path)
    monkeypatch.chdir(tmp_path)
    report = ingest_paths(seeded, ["seeds"], workers=1, default_organization=HOME)
    assert report.summary()["updated"] == 1
    changes = whole_feed(client, after=before)
    deleted = {c["nodeId"]: c["type"] for c in changes if c["action"] == "DELETED"}
    assert deleted == {
        f"{MEETING}.12": "AgendaItem",
        f"{MEETING}.12.direktionen-2019-12-09": "Decision",
        f"{MEETING}.7.direktionen-2019-11-25": "Decision",
        f"{HTK}.case_19-23951": "Case",
    }
    assert all(c["node"] is None for c in changes if c["action"] == "DELETED")
    for node_id in deleted:
        # A tombstone's entity answers null, and so does its earlier CREATED change.
        assert graphql(client, NODE, id=node_id)["data"] == {"node": None}
        assert created[node_id]["node"] is not None
    old = [
        edge["node"]
        for edge in data(client, PAGE, first=1000)["changes"]["edges"]
        if edge["node"]["nodeId"] in deleted
    ]
    assert old and all(change["node"] is None for change in old)
    body = graphql(client, '{ case(number: "19/23951") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_every_entity_node_answers_is_alive_in_the_feed_and_no_other(
    client: TestClient, seeded: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule both ways: the feed's last word on an entity is DELETED exactly when
    node(id:) answers null; after a shortened minutes and a removal."""
    monkeypatch.chdir(tmp_path)
    shortened(tmp_path)
    ingest_paths(seeded, ["seeds"], workers=1, default_organization=HOME)
    with seeded.begin() as connection:
        remove_meeting(connection, f"{HTK}.direktionen.2023-05-23T0900")
    last: dict[str, str] = {}
    for change in whole_feed(client):
        last[change["nodeId"]] = change["action"]
    ids = sorted(last)
    answered: dict[str, bool] = {}
    for start in range(0, len(ids), 25):
        chunk = ids[start : start + 25]
        query = "{ " + " ".join(f'n{i}: node(id: "{id_}") {{ id }}' for i, id_ in enumerate(chunk))
        found = graphql(client, query + " }")["data"]
        answered |= {id_: found[f"n{i}"] is not None for i, id_ in enumerate(chunk)}
    assert {id_ for id_ in ids if last[id_] == "DELETED"} == {
        id_ for id_ in ids if not answered[id_]
    }
    assert any(action == "DELETED" for action in last.values())
    # And every entity stored is in the feed.
    with seeded.connect() as connection:
        for table in ("meetings", "agenda_items", "decisions", "persons", "bodies"):
            stored = set(connection.exec_driver_sql(f"SELECT id FROM {table}").scalars())
            assert stored <= {id_ for id_ in ids if last[id_] != "DELETED"}, table


def test_the_feed_costs_its_declared_page() -> None:
    """changes' page is 100 unless asked otherwise, and it is costed so: two points for
    the connection and two for each change with its node."""

    def cost(query: str) -> int:
        return operation_cost(schema._schema, parse(query), None, None)

    assert cost("{ changes { edges { node { node { id } } } } }") == 2 + 100 * (1 + 1 + 1)
    assert cost("{ changes(first: 1000) { edges { node { id } } } }") == 2 + 1000 * (1 + 1)
    assert cost("{ meetings { edges { node { id } } } }") == 2 + 20 * (1 + 1)


def test_a_removal_makes_kept_answers_stale(client: TestClient, seeded: sa.Engine) -> None:
    query = "{ changes(first: 1) { totalCount } meetings(first: 1) { totalCount } }"
    before = data(client, query)
    assert data(client, query) == before  # kept
    with seeded.begin() as connection:
        remove_meeting(connection, MEETING)
    after = data(client, query)
    assert after["meetings"]["totalCount"] == before["meetings"]["totalCount"] - 1
    assert after["changes"]["totalCount"] > before["changes"]["totalCount"]


ITEMS = """query($since: DateTime) {
  agendaItems(first: 100, filter: {modifiedSince: $since}) { totalCount edges { node { id } } }
  decisions(first: 100, filter: {modifiedSince: $since}) { totalCount edges { node { id } } } }"""


def test_modified_since_selects_the_items_and_decisions_of_meetings_stored_since(
    client: TestClient, seeded: sa.Engine, tmp_path: Path
) -> None:
    everything = data(client, ITEMS, since="2000-01-01T00:00:00+01:00")
    assert everything == data(client, "{ agendaItems(first: 100) { totalCount edges { node { "
                              "id } } } decisions(first: 100) { totalCount edges { node { id } "
                              "} } }")  # fmt: skip
    moment = dt.datetime.now(dt.UTC)
    changed = tmp_path / SEED.name
    changed.write_text(SEED.read_text(encoding="utf-8").replace("Udskudt.", "Udsat."), "utf-8")
    ingest_paths(seeded, [changed], workers=1, default_organization=HOME)
    since = data(client, ITEMS, since=moment.isoformat())
    items = {edge["node"]["id"] for edge in since["agendaItems"]["edges"]}
    decisions = {edge["node"]["id"] for edge in since["decisions"]["edges"]}
    assert items and {item.rsplit(".", 1)[0] for item in items} == {MEETING}
    assert decisions and all(d.startswith(f"{MEETING}.") for d in decisions)
    assert since["agendaItems"]["totalCount"] == len(items)
    assert data(client, ITEMS, since="2999-01-01T00:00:00Z")["agendaItems"]["edges"] == []
    for field in ("agendaItems", "decisions"):
        body = graphql(
            client,
            f'{{ {field}(filter: {{modifiedSince: "2024-01-01T00:00:00"}}) {{ totalCount }} }}',
        )
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "modifiedSince needs a time zone offset" in body["errors"][0]["message"]
