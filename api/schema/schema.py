"""The strawberry schema: types, limits, and masking of unexpected errors."""

from __future__ import annotations

import logging
from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.database import DeadlineExceeded
from api.schema.errors import is_client_error
from api.schema.limits import DocumentLimits
from api.schema.query import Query
from api.schema.responses import KeptAnswers
from api.schema.types import AgendaItem, Body, Case, Decision, Meeting, Person

logger = logging.getLogger("referat.graphql")

MAX_BATCH = 10  # operations in one batched request
SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / "schema.graphql"


class MaskUnexpectedErrors(MaskErrors):
    """Clients see "Unexpected error." with code INTERNAL_SERVER_ERROR; the log gets the
    traceback. Errors in the request itself stay readable."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_client_error(error))

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._processed(error) for error in errors]

    def _processed(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DeadlineExceeded):
            return _recoded(error, "TIMEOUT", str(original))
        if _is_input_coercion(error):
            # A variable or argument of the wrong type, or missing: the client's mistake.
            return _recoded(error, "BAD_USER_INPUT", error.message)
        return self.anonymise_error(error) if self.should_mask_error(error) else error

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        logger.error(
            "unexpected error at %s: %s",
            ".".join(map(str, error.path or [])) or "(operation)",
            error.message,
            exc_info=error.original_error,
        )
        return GraphQLError(
            "Unexpected error.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )


def _is_input_coercion(error: GraphQLError) -> bool:
    message = error.message
    return message.startswith("Variable '$") or (
        message.startswith("Argument '") and "has invalid value" in message
    )


def _recoded(error: GraphQLError, code: str, message: str) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )


class ReferatSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Unexpected errors are logged, with their traceback, where they are masked;
        # the client's own mistakes are no news for the server log.
        return None


schema = ReferatSchema(
    query=Query,
    types=[Meeting, Body, Person, AgendaItem, Decision, Case],
    extensions=[
        DocumentLimits,  # first: bounds depth, aliases and size in linear time, validates
        KeptAnswers,
        MaskUnexpectedErrors,
    ],
    config=StrawberryConfig(batching_config={"max_operations": MAX_BATCH}),
)
