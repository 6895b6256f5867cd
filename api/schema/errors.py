"""GraphQL's own errors clients can act on (a readable message and ``extensions.code``);
those any read can answer are api.read.errors'."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from api.read.errors import ReadError


class ClientError(GraphQLError):
    """An error in the request, shown to the client as it is."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class QueryTooComplex(ClientError):
    code = "QUERY_TOO_COMPLEX"


def is_client_error(error: GraphQLError) -> bool:
    """Errors the client caused and may read; everything else is masked."""
    original = error.original_error
    if original is None:
        # Syntax and validation errors carry no original error; their code, where a
        # limiter set one, stays too.
        return True
    return isinstance(original, ClientError | ReadError)
