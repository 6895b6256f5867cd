"""Schemathesis against the GraphQL schema (schemathesis.graphql.from_asgi): generated
queries of every root field, a fixed seed and a bounded number of examples; no answer is
a server error, and every error names its code. Both engines."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

# Codes an answer may carry: the client's mistakes (generated arguments are often
# out of range, cursors invented, ids unknown) and the limits.
CLIENT_CODES = {
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "QUERY_TOO_COMPLEX",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
}


def test_generated_queries_get_no_server_error(client: TestClient) -> None:
    schema = schemathesis.graphql.from_asgi("/graphql", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # every root field of Query
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code in (200, 400, 413), response.text
            body: dict[str, Any] = response.json()
            for error in body.get("errors") or ():
                code = (error.get("extensions") or {}).get("code")
                assert code in CLIENT_CODES, (case.body, error)

        answers()
