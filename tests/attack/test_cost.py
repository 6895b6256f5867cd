"""The query cost model: computed before anything runs, over the whole request."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import graphql_view
from api.graphql_view import CHECKED_INLINE, GraphQLView
from api.schema.cost import BUDGET
from tests.schema.conftest import data, graphql

ITEM_TEXTS = "agendaItems { title sections { heading text } decisions { text } }"


def refused(body: dict[str, Any]) -> tuple[str, int]:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
    assert error["extensions"]["budget"] == BUDGET
    assert f"at most {BUDGET:,}" in error["message"]
    return error["message"], error["extensions"]["cost"]


def test_a_page_of_100_meetings_with_their_items_fits(client: TestClient) -> None:
    found = data(
        client,
        "{ meetings(first: 100) { totalCount edges { node { id title date "
        "agendaItems { number title caseNumber decisions { outcome } } } } } }",
    )
    assert found["meetings"]["totalCount"] == len(found["meetings"]["edges"])


def test_aliases_of_big_pages_are_refused_before_they_run(client: TestClient) -> None:
    aliased = " ".join(f"m{i}: meetings(first: 100) {{ edges {{ node {{ {ITEM_TEXTS} }} }} }}"
                       for i in range(30))  # fmt: skip
    started = time.monotonic()
    message, cost = refused(graphql(client, "{ " + aliased + " }"))
    assert time.monotonic() - started < 2  # generous: the noisy machine; bench/attack.py
    assert cost > 30 * 100 * BUDGET // BUDGET  # every alias counted
    assert f"costs {cost:,} points" in message


def test_a_case_list_is_bounded_and_costed(client: TestClient) -> None:
    refused(graphql(client, "{ cases(first: 100) { edges { node { agendaItems(first: 500) "
                            "{ sections { text } } } } } }"))  # fmt: skip
    body = graphql(client, '{ case(number: "19/227", organization: "hoeje-taastrup-kommune") '
                           "{ agendaItems(first: 501) { id } } }")  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    two = data(client, '{ case(number: "19/227", organization: "hoeje-taastrup-kommune") '
                       "{ agendaItems(first: 2) { id } all: agendaItems { id } } }")  # fmt: skip
    assert len(two["case"]["agendaItems"]) == 2 < len(two["case"]["all"])


def test_aggregates_carry_their_weight(client: TestClient) -> None:
    one = "s{n}: stats {{ decisionsByOutcome {{ count }} meetingsByYear {{ count }} " \
          "busiestCases(limit: 100) {{ count }} }}"  # fmt: skip
    assert "s0" in data(client, "{ " + one.format(n=0) + " }")
    refused(graphql(client, "{ " + " ".join(one.format(n=n) for n in range(30)) + " }"))


def test_a_variable_page_size_is_what_is_charged(client: TestClient) -> None:
    query = f"query($n: Int) {{ meetings(first: $n) {{ edges {{ node {{ {ITEM_TEXTS} }} }} }} }}"
    assert data(client, query, n=1)["meetings"]["edges"]
    refused(graphql(client, query, n=100))


def test_the_members_of_a_batch_add_up(client: TestClient) -> None:
    member = {"query": f"{{ meetings(first: 30) {{ edges {{ node {{ {ITEM_TEXTS} }} }} }} }}"}
    assert client.post("/graphql", json=[member]).status_code == 200
    response = client.post("/graphql", json=[member] * 10)
    _, cost = refused(response.json())
    assert response.status_code == 200  # application/json: errors in the body
    one = refused(graphql(client, "{ " + " ".join(
        f"m{i}: meetings(first: 30) {{ edges {{ node {{ {ITEM_TEXTS} }} }} }}"
        for i in range(10)) + " }"))[1]  # fmt: skip
    assert cost == one  # ten members cost what ten aliases cost


def test_a_batch_is_costed_until_it_crosses_the_budget(client: TestClient) -> None:
    big = f"{{ meetings(first: 100) {{ edges {{ node {{ {ITEM_TEXTS} }} }} }} }}"
    alone = refused(graphql(client, big))[1]
    others = [{"query": "{ organizations { id } }" + " " * n} for n in range(1, 10)]
    message, cost = refused(client.post("/graphql", json=[{"query": big}, *others]).json())
    assert cost == alone  # the members after the first were never costed
    assert f"costs at least {cost:,} points" in message
    # Costed whole, a batch that fits runs.
    assert client.post("/graphql", json=others).status_code == 200


def test_a_big_document_is_costed_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    costed = GraphQLView._refuse_over_budget

    def watched(view: GraphQLView, batch: Any) -> None:
        threads.append(threading.current_thread())
        costed(view, batch)

    monkeypatch.setattr(GraphQLView, "_refuse_over_budget", watched)
    small = "{ organizations { id } }"
    big = "{ organizations { id } }" + " " * CHECKED_INLINE  # whitespace counts too
    assert len(small) <= CHECKED_INLINE < len(big)
    data(client, small)
    data(client, big)
    loop, worker = threads
    assert loop is not worker  # the small one on the event loop, the big one beside it


def test_a_query_the_resolvers_answer_is_costed_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    costed = GraphQLView._refuse_over_budget

    def counted(view: GraphQLView, batch: Any) -> None:
        calls.append(len(batch))
        costed(view, batch)

    monkeypatch.setattr(GraphQLView, "_refuse_over_budget", counted)
    data(client, "{ stats { meetingCount } }")  # not compiled: tried, then the resolvers
    assert calls == [1]


def test_a_request_sent_again_is_not_costed_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Costing walks the whole document: a dashboard's repeated request is costed once."""
    walks: list[str] = []
    costed = graphql_view.operation_cost

    def counted(schema: Any, document: Any, name: Any, variables: Any) -> int:
        walks.append(str(variables))
        return costed(schema, document, name, variables)

    monkeypatch.setattr(graphql_view, "operation_cost", counted)
    alias = f"sent_{secrets.token_hex(6)}"  # not costed before, by any test
    query = f"query Again($n: Int) {{ {alias}: meetings(first: $n) {{ totalCount }} }}"
    for n in (3, 3, 4, 3):
        data(client, query, n=n)
    assert walks == ["{'n': 3}", "{'n': 4}"]
