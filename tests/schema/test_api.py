"""The GraphQL service: pagination, limits, errors, statement counts and operations."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.loaders.ingest import ingest_paths
from api.schema import limits
from api.settings import Settings
from tests.conftest import HOME
from tests.paths import FIXTURES, SEEDS
from tests.schema.conftest import data, graphql

ALL_MEETINGS = 9  # five seeds and four fixtures


def error_code(body: dict[str, Any]) -> str:
    codes = {e.get("extensions", {}).get("code") for e in body["errors"]}
    assert len(codes) == 1, body
    return str(codes.pop())


@pytest.mark.parametrize("order", ["DATE_DESC", "DATE_ASC"])
def test_walking_the_pages_visits_every_meeting_once_in_order(
    client: TestClient, order: str
) -> None:
    query = """query($after: String, $order: MeetingOrder) {
      meetings(first: 2, after: $after, orderBy: $order) {
        totalCount edges { node { id date } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[tuple[str, str]] = []
    after = None
    for _ in range(10):
        page = data(client, query, after=after, order=order)["meetings"]
        assert page["totalCount"] == ALL_MEETINGS
        seen += [(e["node"]["date"], e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == ALL_MEETINGS
    assert seen == sorted(seen, reverse=order == "DATE_DESC")


def test_pages_of_items_decisions_cases_and_persons_have_no_gaps(client: TestClient) -> None:
    for field, total in (("agendaItems", 53), ("decisions", 48), ("cases", 44), ("persons", 21)):
        query = f"""query($after: String) {{ {field}(first: 7, after: $after) {{
            totalCount edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
        ids: list[str] = []
        after = None
        while True:
            page = data(client, query, after=after)[field]
            ids += [e["node"]["id"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert page["totalCount"] == total, field
        assert len(ids) == len(set(ids)) == total, field


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 101", "first must be between 0 and 100, not 101"),
        ("first: -1", "first must be between 0 and 100, not -1"),
        ('after: "bm90IG91cnM"', "invalid cursor 'bm90IG91cnM'"),
        ('after: "%%%"', "invalid cursor '%%%'"),
    ],
)
def test_bad_page_arguments_are_bad_user_input(
    client: TestClient, arguments: str, message: str
) -> None:
    body = graphql(client, f"{{ meetings({arguments}) {{ edges {{ cursor }} }} }}")
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == message


def test_first_zero_and_the_default_page(client: TestClient) -> None:
    page = data(client, "{ meetings(first: 0) { edges { cursor } pageInfo { hasNextPage } } }")
    assert page["meetings"] == {"edges": [], "pageInfo": {"hasNextPage": True}}
    page = data(client, "{ agendaItems { edges { cursor } } }")
    assert len(page["agendaItems"]["edges"]) == 20


def test_a_nested_page_costs_a_fixed_number_of_statements(client: TestClient) -> None:
    engine = client.app.state.database.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = data(
            client,
            """{ meetings(first: 9) { edges { node {
                participants { person { name } role }
                agendaItems { title sections { text } decisions { text } attachments { title }
                              case { number agendaItems(first: 5) { id } } } } } } }""",
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(result["meetings"]["edges"]) == ALL_MEETINGS
    assert len(statements) <= 10, statements


def test_depth_aliases_and_tokens_are_limited(client: TestClient) -> None:
    deep = (
        "{ meetings { edges { node { agendaItems { case { agendaItems { meeting {"
        " agendaItems { case { agendaItems { id } } } } } } } } } } }"
    )
    body = graphql(client, deep)
    assert error_code(body) == "QUERY_TOO_COMPLEX"
    assert "levels deep" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: bodies {{ id }}" for i in range(31)) + " }"
    body = graphql(client, aliases)
    assert (error_code(body), body["errors"][0]["message"]) == (
        "QUERY_TOO_COMPLEX",
        "the query uses 31 aliases; at most 30",
    )
    tokens = "{ bodies { " + "id " * 2100 + "} }"
    body = graphql(client, tokens)
    assert error_code(body) == "QUERY_TOO_COMPLEX"
    assert "tokens" in body["errors"][0]["message"]


def test_fragment_fan_out_is_rejected_after_work_linear_in_the_document(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fragments = ["fragment F0 on Body { id name }"]
    for level in range(1, 21):
        fragments.append(f"fragment F{level} on Body {{ ...F{level - 1} ...F{level - 1} }}")
    document = "{ bodies { ...F20 } }\n" + "\n".join(fragments)
    assert len(document.encode()) < 1100
    measured = 0
    selection = limits._selection

    def counted(*args: Any) -> Any:
        nonlocal measured
        measured += 1
        return selection(*args)

    monkeypatch.setattr(limits, "_selection", counted)
    body = graphql(client, document)
    assert error_code(body) == "QUERY_TOO_COMPLEX"
    assert "expands to more than" in body["errors"][0]["message"]
    # Each selection measured once: linear in the document (2^20 fields if expanded).
    assert measured <= 2 * document.count("{")


def test_a_remembered_document_answers_like_a_new_one(client: TestClient) -> None:
    query = "query($name: String) { persons(name: $name) { totalCount } }"
    counts = [
        data(client, query, name=name)["persons"]["totalCount"] for name in ("Lars", "zzz", "Lars")
    ]
    assert counts[0] == counts[2] > 0 == counts[1]
    for _ in range(2):  # an invalid document is reported again, not remembered as fine
        body = graphql(client, "{ bodies { nosuchfield } }")
        assert error_code(body) == "GRAPHQL_VALIDATION_FAILED"
        assert body["errors"][0]["message"] == "Cannot query field 'nosuchfield' on type 'Body'."
        assert body["errors"][0]["locations"] == [{"line": 1, "column": 12}]
        body = graphql(client, "{ bodies { id }")
        assert error_code(body) == "GRAPHQL_PARSE_FAILED"
        assert body["errors"][0]["message"] == "Syntax Error: Expected Name, found <EOF>."


def test_batches_are_served_and_limited(client: TestClient) -> None:
    one = {"query": "{ bodies { id } }"}
    response = client.post("/graphql", json=[one, one])
    assert response.status_code == 200
    assert [r["data"]["bodies"][0]["id"] for r in response.json()] == [
        "hoeje-taastrup-kommune.byraadet"
    ] * 2
    response = client.post("/graphql", json=[one] * 11)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "a batch may hold at most 10 operations",
                "extensions": {"code": "QUERY_TOO_COMPLEX"},
            }
        ]
    }


def test_unexpected_errors_are_masked_and_logged(
    seeded: sa.Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(connection: sa.Connection, organization: str | None) -> list[Any]:
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(queries, "all_bodies", broken)
    # The resolvers' errors (a compiled statement's: tests/read/test_compiler.py).
    resolvers = create_app(Settings(database_url=database_url, compile_graphql=False))
    with caplog.at_level(logging.ERROR, logger="referat.graphql"), TestClient(resolvers) as c:
        body = graphql(c, "{ bodies { id } }")
    assert body["errors"][0]["message"] == "Unexpected error."
    assert error_code(body) == "INTERNAL_SERVER_ERROR"
    assert "secret" not in json.dumps(body)
    (record,) = caplog.records
    assert record.exc_info is not None and "secret database detail" in str(record.exc_info[1])


def test_syntax_errors_stay_readable(client: TestClient) -> None:
    body = graphql(client, "{ meetings( }")
    assert "Syntax Error" in body["errors"][0]["message"]


def test_get_queries_graphiql_and_gzip(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": "{ bodies { name } }"})
    assert response.json()["data"]["bodies"][0] == {"name": "Byrådet"}
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()
    response = client.post(
        "/graphql",
        json={"query": "{ meetings { edges { node { agendaItems { sections { text } } } } } }"},
        headers={"accept-encoding": "gzip"},
    )
    assert response.headers["content-encoding"] == "gzip"


def test_health_readiness_and_access_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="referat.access"):
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}
    entry = json.loads(caplog.records[-1].getMessage())
    assert {k: entry[k] for k in ("event", "method", "path", "status")} == {
        "event": "request", "method": "GET", "path": "/readyz", "status": 200,
    }  # fmt: skip
    engine = client.app.state.database.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        head = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'elsewhere'")
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {"status": "not ready"}  # why: tests/test_readyz.py
    finally:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )


def test_cors_is_configurable(engine: sa.Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, cors_origins=("https://dash.example",))
    with TestClient(create_app(settings)) as client:
        response = client.options(
            "/graphql",
            headers={"origin": "https://dash.example", "access-control-request-method": "POST"},
        )
        assert response.headers["access-control-allow-origin"] == "https://dash.example"
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        response = client.get("/healthz", headers={"origin": "https://dash.example"})
        assert "access-control-allow-origin" not in response.headers


def test_new_minutes_appear_without_a_restart(
    client: TestClient, seeded: sa.Engine, tmp_path: Any
) -> None:
    before = data(client, "{ meetings { totalCount } }")["meetings"]["totalCount"]
    text = (FIXTURES / "dagsorden_byraadet.txt").read_text(encoding="utf-8")
    later = tmp_path / "later.txt"
    later.write_text(text.replace("26-03-2024", "09-04-2024").replace("26. marts", "9. april"))
    assert ingest_paths(seeded, [later], default_organization=HOME).summary()["ingested"] == 1
    query = '{ meetings { totalCount } meeting(id: "%s") { id } }'
    after = data(client, query % "hoeje-taastrup-kommune.byraadet.2024-04-09T1900")
    assert after == {
        "meetings": {"totalCount": before + 1},
        "meeting": {"id": "hoeje-taastrup-kommune.byraadet.2024-04-09T1900"},
    }


def test_an_unmigrated_database_is_refused_at_startup(new_database: Any) -> None:
    app = create_app(Settings(database_url=new_database("sqlite")))
    with pytest.raises(Exception, match="run `referat migrate`"), TestClient(app):
        pass


def test_seed_ids_resolve_through_meeting_and_item_fields(client: TestClient) -> None:
    result = data(
        client,
        """query($meeting: ID!, $decision: ID!) {
             meeting(id: $meeting) { id agendaItems { id case { id } } }
             decision(id: $decision) { outcome agendaItem { id } } }""",
        meeting="hoeje-taastrup-kommune.direktionen.2019-11-11T1000",
        decision="hoeje-taastrup-kommune.direktionen.2019-12-09T1000.7.direktionen-2019-11-25",
    )
    assert result["meeting"]["agendaItems"][0] == {
        "id": "hoeje-taastrup-kommune.direktionen.2019-11-11T1000.1",
        "case": {"id": "hoeje-taastrup-kommune.case_19-227"},
    }
    assert result["decision"] == {
        "outcome": "POSTPONED",
        "agendaItem": {"id": "hoeje-taastrup-kommune.direktionen.2019-12-09T1000.7"},
    }
    assert SEEDS.exists()


NODE_TYPES = {
    "organizations": "Organization",
    "bodies": "Body",
    "persons": "Person",
    "cases": "Case",
    "meetings": "Meeting",
    "agenda_items": "AgendaItem",
    "decisions": "Decision",
}


def test_node_answers_every_stored_id_with_its_own_type(
    client: TestClient, seeded: sa.Engine
) -> None:
    expected = {}
    with seeded.connect() as connection:
        for table, type_name in NODE_TYPES.items():
            for (node_id,) in connection.exec_driver_sql(f"SELECT id FROM {table}"):
                expected[node_id] = type_name
    assert set(expected.values()) == set(NODE_TYPES.values())
    found = {}
    ids = sorted(expected)
    for start in range(0, len(ids), 25):  # within the alias limit
        batch = ids[start : start + 25]
        fields = " ".join(
            f"n{i}: node(id: {json.dumps(node_id)}) {{ __typename id }}"
            for i, node_id in enumerate(batch)
        )
        answer = data(client, f"{{ {fields} }}")
        found.update({node["id"]: node["__typename"] for node in answer.values()})
    assert found == expected
