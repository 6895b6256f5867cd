"""Kept answers of aggregate queries: reused while the data stays, fresh after an ingest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import parse
from starlette.testclient import TestClient

from api import queries
from api.app import create_app
from api.loaders.ingest import ingest_paths
from api.schema import schema
from api.schema.cost import reads_aggregates
from api.schema.responses import ResponseCache
from api.settings import Settings
from tests.conftest import HOME, ROOT
from tests.schema.conftest import data, graphql

STATS = "{ stats { meetingCount decisionsByOutcome { outcome count } } }"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often each aggregate statement ran."""
    calls = {"stats": 0, "organizations": 0}

    def counting(name: str, query: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return query(*args, **kwargs)

        return run

    monkeypatch.setattr(queries, "stats_totals", counting("stats", queries.stats_totals))
    monkeypatch.setattr(
        queries, "all_organizations", counting("organizations", queries.all_organizations)
    )
    return calls


@pytest.fixture
def seeds_only(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.chdir(ROOT)
    report = ingest_paths(engine, ["seeds"], workers=1, default_organization=HOME)
    assert report.summary()["failed"] == 0
    return engine


@pytest.fixture
def app_client(seeds_only: sa.Engine, database_url: str) -> Iterator[TestClient]:
    # Answers are kept on the resolvers' path; the compiler answers its queries itself.
    settings = Settings(database_url=database_url, compile_graphql=False)
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_repeated_aggregate_is_answered_from_the_kept_answer(
    app_client: TestClient, counted: dict[str, int]
) -> None:
    first = data(app_client, STATS)
    assert data(app_client, STATS) == first
    assert data(app_client, STATS) == first
    assert counted["stats"] == 1
    # Other variables are another answer.
    by_year = "query($y: Date) { stats(filter: {dateFrom: $y}) { meetingCount } }"
    data(app_client, by_year, y="2019-01-01")
    data(app_client, by_year, y="2020-01-01")
    data(app_client, by_year, y="2019-01-01")
    assert counted["stats"] == 3


@pytest.mark.parametrize(
    ("query", "aggregates"),
    [
        ("{ stats { meetingCount } }", True),
        ('{ search(query: "budget") { edges { cursor } } }', True),
        ("{ meetings { totalCount } }", True),
        ("query Q { ...F } fragment F on Query { cases { totalCount } }", True),
        ("{ meetings { edges { node { id } } } organizations { id } }", False),
    ],
)
def test_the_aggregates_are_named_by_the_cost_model(query: str, aggregates: bool) -> None:
    assert reads_aggregates(schema._schema, parse(query), None) is aggregates


def test_an_ingest_makes_the_kept_answers_stale(
    app_client: TestClient, seeds_only: sa.Engine, counted: dict[str, int]
) -> None:
    before = data(app_client, STATS)["stats"]["meetingCount"]
    assert data(app_client, STATS)["stats"]["meetingCount"] == before
    report = ingest_paths(seeds_only, ["tests/fixtures"], workers=1, default_organization=HOME)
    assert report.summary()["failed"] == 0
    after = data(app_client, STATS)["stats"]["meetingCount"]
    assert after > before
    assert counted["stats"] == 2


def test_queries_without_aggregates_and_answers_with_errors_are_not_kept(
    seeds_only: sa.Engine, database_url: str, counted: dict[str, int]
) -> None:
    # The resolvers answer every query here, as they answer any the compiler does not.
    settings = Settings(database_url=database_url, compile_graphql=False)
    with TestClient(create_app(settings)) as client:
        for _ in range(2):
            data(client, "{ organizations { id } }")
        assert counted["organizations"] == 2
        bad = '{ stats { meetingCount } meeting(id: "nothing") { id } }'
        for _ in range(2):
            assert graphql(client, bad)["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert counted["stats"] == 2


def test_a_server_with_no_room_keeps_nothing(
    seeds_only: sa.Engine, database_url: str, counted: dict[str, int]
) -> None:
    settings = Settings(database_url=database_url, response_cache_bytes=0)
    with TestClient(create_app(settings)) as client:
        assert data(client, STATS) == data(client, STATS)
    assert counted["stats"] == 2


def test_the_cache_holds_at_most_its_bytes_least_recently_used_out() -> None:
    cache = ResponseCache(capacity=100)
    answer = {"stats": {"meetingCount": 1}}  # 28 bytes as JSON
    for key in "abc":
        cache.put(key, answer)
    assert len(cache) == 3 and cache.size == 84
    assert cache.get("a") == answer  # now the most recently used
    cache.put("d", answer)
    assert cache.get("b") is None and cache.get("a") == answer
    assert cache.size <= 100
    cache.put("huge", {"text": "x" * 200})
    assert cache.get("huge") is None  # larger than the whole cache: not kept
