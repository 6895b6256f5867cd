"""Each query in tests/queries/*.graphql, run over the ingested seeds, gives the JSON
beside it, on SQLite and on PostgreSQL alike.

After a deliberate change, write the answers with ``REFERAT_UPDATE_QUERIES=1`` and review
them before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.paths import ROOT
from tests.schema.conftest import graphql

QUERIES = sorted((ROOT / "tests" / "queries").glob("*.graphql"))


def test_there_are_queries_with_answers() -> None:
    assert QUERIES
    assert {p.stem for p in QUERIES} == {p.stem for p in QUERIES[0].parent.glob("*.json")}


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_query_gives_its_expected_json(client: TestClient, query: Path) -> None:
    answer = graphql(client, query.read_text(encoding="utf-8"))
    # Fields resolve concurrently: their errors come in the order they finish.
    answer.get("errors", []).sort(key=lambda error: json.dumps(error.get("path")))
    expected = query.with_suffix(".json")
    text = json.dumps(answer, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("REFERAT_UPDATE_QUERIES"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")
