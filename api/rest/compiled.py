"""REST answers built by the GraphQL compiler (api.read.compiler): an operation's
response model is a fixed selection (api.rest.selections), so REST and GraphQL answer
from the same statement and cannot drift apart. The builders (api.rest.build) answer
what is not compiled: with the compiler off, and where a statement finds nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graphql import GraphQLSchema
from pydantic import BaseModel

from api.database import Database, DeadlineExceeded
from api.read.compiler import field_answers
from api.read.compiler.slots import compile_fixed
from api.rest.selections import selection

logger = logging.getLogger("referat.rest")


@dataclass(frozen=True, slots=True)
class Fixed:
    """A REST answer as a GraphQL operation of one root field, with the JSON around it."""

    query: str
    before: str = ""
    after: str = ""

    @classmethod
    def entity(cls, root: str, model: type[BaseModel]) -> Fixed:
        """One entity by the path's id, e.g. ``meeting(id: $id)``."""
        return cls(f"query($id: ID!) {{ {root}(id: $id) {selection(model)} }}")

    @classmethod
    def listing(cls, root: str, model: type[BaseModel], key: str) -> Fixed:
        """A whole list, as ``{"<key>": [...]}``."""
        return cls(f"{{ {root} {selection(model)} }}", f'{{"{key}":', "}")

    async def answer(
        self, db: Database, schema: GraphQLSchema, values: dict[str, str]
    ) -> bytes | None:
        """The response body; None where the builders must answer."""
        operation = compile_fixed(schema, self.query, values, db.engine.dialect)
        if operation is None:
            return None
        try:
            texts = await db.run(field_answers, operation)
        except DeadlineExceeded:
            raise  # the request's TIMEOUT, as for any answer
        except Exception:
            # A statement the compiler got wrong must not cost the client its answer.
            logger.exception("a compiled REST answer failed; the builders answer it")
            return None
        if texts is None:
            return None
        (text,) = texts
        return f"{self.before}{text}{self.after}".encode()
