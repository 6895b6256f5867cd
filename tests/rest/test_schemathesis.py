"""Schemathesis against the ASGI app (schemathesis.openapi.from_asgi), with its checks,
a fixed seed and a bounded number of examples: 0 failures, on both engines."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient


def may_be_bad_input(case: schemathesis.Case) -> bool:
    """Whether a schema-valid request may rightly get the documented 400: JSON Schema
    cannot state the search syntax (balanced quotes, a word on each side of OR, a term
    that is not excluded), that a cursor must be one the listing handed out, that one
    filter under both its names needs one value, or that no text holds a NUL. Every other
    check still applies."""
    query = case.query or {}
    both_names = any(old in query and new in query for old, new in ALIASES.items())
    # A NUL is schema-valid text, and bad input here (no text in the archive holds one).
    nul = any("\x00" in str(value) for value in query.values())
    return case.operation.path == "/api/v1/search" or "cursor" in query or both_names or nul


ALIASES = {"from": "dateFrom", "to": "dateTo"}


def test_api_conforms_to_its_openapi_document(client: TestClient) -> None:
    # The client has run the app's lifespan: its database is open for the calls.
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9 + 6  # the resources, the change feed, the exports
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: schemathesis.Case) -> None:
            excluded = [positive_data_acceptance] if may_be_bad_input(case) else []
            case.call_and_validate(excluded_checks=excluded)

        conforms()
