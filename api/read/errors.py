"""The errors a read can answer, whichever API asked: the client's input is wrong, or
names nothing. Each carries the code both APIs show (``extensions.code`` in GraphQL,
``error.code`` in REST)."""

from __future__ import annotations

from typing import Any


class ReadError(Exception):
    """An error in the request, shown to the client as it is.

    Not a GraphQLError: GraphQL wraps any exception a resolver raises and keeps its
    ``extensions``, and REST has no use for GraphQL's locations and paths."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInput(ReadError):
    code = "BAD_USER_INPUT"


class NotFound(ReadError):
    code = "NOT_FOUND"
