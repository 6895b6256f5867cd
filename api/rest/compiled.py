"""REST answers built by the GraphQL compiler (api.read.compiler): an operation's
response model is a fixed selection (api.rest.selections), so REST and GraphQL answer
from the same statement and cannot drift apart. The builders (api.rest.build) answer
what is not compiled: with the compiler off, and where a statement finds nothing (an
unknown id) or the compiler leaves a request to the resolvers (a bad cursor)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema
from pydantic import BaseModel

from api.database import Database, DeadlineExceeded
from api.read.compiler import field_answers_through
from api.read.compiler.slots import compile_fixed
from api.rest.selections import selection

logger = logging.getLogger("referat.rest")

# A page's next URL from the cursor that follows its last item.
NextUrl = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Fixed:
    """A REST answer as a GraphQL operation of one root field: the operation, its
    variables from the REST parameters, and the answer made of the field's JSON."""

    query: str
    variables: Callable[[Mapping[str, Any]], dict[str, Any]]
    # The body from the field's JSON, and the next page's URL where there is one.
    shape: Callable[[str, NextUrl], tuple[bytes, str | None]]

    @classmethod
    def entity(cls, root: str, model: type[BaseModel]) -> Fixed:
        """One entity by the path's id, e.g. ``meeting(id: $id)``."""
        return cls(
            f"query($id: ID!) {{ {root}(id: $id) {selection(model)} }}",
            lambda values: {"id": values["id"]},
            lambda text, _: (text.encode(), None),
        )

    @classmethod
    def listing(cls, root: str, model: type[BaseModel], key: str) -> Fixed:
        """A whole list, as ``{"<key>": [...]}``."""
        return cls(
            f"{{ {root} {selection(model)} }}",
            lambda values: {},
            lambda text, _: (f'{{"{key}":{text}}}'.encode(), None),
        )

    @classmethod
    def page(
        cls, root: str, model: type[BaseModel], filter_name: str, filters: Mapping[str, str]
    ) -> Fixed:
        """A page of a GraphQL connection as REST's ``Page``: ``filters`` maps REST's
        parameter names (GraphQL's filter fields) to their GraphQL types; ``limit`` is
        ``first`` and ``cursor`` is ``after``, whose cursors REST's are."""
        declared = ", ".join(
            [f"${name}: {kind}" for name, kind in filters.items()]
            + ["$first: Int", "$after: String"]
        )
        given = ", ".join(f"{name}: ${name}" for name in filters)
        query = (
            f"query({declared}) {{ {root}({filter_name}: {{{given}}}, first: $first, "
            f"after: $after) {{ totalCount edges {{ node {selection(model)} }} "
            "pageInfo { hasNextPage endCursor } } }"
        )

        def variables(values: Mapping[str, Any]) -> dict[str, Any]:
            found = {name: _json(values[name]) for name in filters if values[name] is not None}
            return found | {"first": values["limit"], "after": values["cursor"]}

        return cls(query, variables, _as_page)

    async def answer(
        self,
        db: Database,
        schema: GraphQLSchema,
        values: Mapping[str, Any],
        next_url: NextUrl,
    ) -> tuple[bytes, str | None] | None:
        """The response body and the next page's URL; None where the builders must
        answer."""
        variables = self.variables(values)
        operation = compile_fixed(schema, self.query, variables, db.engine.dialect)
        if operation is None:
            return None
        try:
            texts = await field_answers_through(db, operation)
        except DeadlineExceeded:
            raise  # the request's TIMEOUT, as for any answer
        except Exception:
            # A statement the compiler got wrong must not cost the client its answer.
            logger.exception("a compiled REST answer failed; the builders answer it")
            return None
        if texts is None:
            return None
        (text,) = texts
        return self.shape(text, next_url)


def _as_page(text: str, next_url: NextUrl) -> tuple[bytes, str | None]:
    """A connection's JSON as REST's Page: ``items``, ``totalCount``, ``next``."""
    connection = json.loads(text)
    info = connection["pageInfo"]
    following = next_url(info["endCursor"]) if info["hasNextPage"] else None
    page = {
        "items": [edge["node"] for edge in connection["edges"]],
        "totalCount": connection["totalCount"],
        "next": following,
    }
    return json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode(), following


def _json(value: Any) -> Any:
    """A parameter's value as a GraphQL variable's JSON."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
