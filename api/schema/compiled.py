"""GraphQL requests answered by the compiler (api.read.compiler) instead of the resolvers:
the gates a request passes first, and the answer's bytes.

A request is compiled only when the resolvers would answer it with data and no error:
one operation over HTTP, within the limits, valid, its variables coerced, every root
field one the compiler builds. Anything else, and anything a statement finds missing (an
unknown id), the resolvers answer: they stay the reference, and the errors are theirs.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

import sqlalchemy as sa
from graphql import GraphQLError, GraphQLSchema, specified_rules

from api.database import Database, DeadlineExceeded
from api.read.compiler import CompiledOperation, answer, answer_through, compile_operation
from api.read.compiler.slots import compile_for_any_values, compiled_for
from api.read.errors import ReadError
from api.schema.limits import (
    _one_operation,
    _validated,
    check_strings,
    check_variable_strings,
    measured,
    parsed,
)

logger = logging.getLogger("referat.graphql")

REMEMBERED = 256  # compiled operations kept, by document, operation and variables
# (an ID or String variable's value only where it is more than a parameter)
_RULES = tuple(specified_rules)  # strawberry's own: the same validation, remembered once


def compile_request(
    schema: GraphQLSchema,
    query: str | None,
    operation_name: str | None,
    variables: object,
    dialect: sa.Dialect,
) -> CompiledOperation | None:
    """The operation's statements, or None when the resolvers answer it. Its ID and
    String variables are slots where they can be (api.read.compiler.slots): requests
    that differ only in those share one compiled operation."""
    if not query or not (variables is None or isinstance(variables, dict)):
        return None
    given: dict[str, Any] = variables or {}
    try:
        document = parsed(query)
        # The document is checked once, with the operation compiled for it.
        check_variable_strings(given)
    except (GraphQLError, ReadError):
        return None  # refused: the resolvers say why
    return compiled_for(
        document,
        operation_name,
        given,
        lambda key, slotted: _compiled(schema, query, operation_name, key, dialect, slotted),
    )


@functools.lru_cache(maxsize=REMEMBERED)
def _compiled(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    variables: str,
    dialect: sa.Dialect,
    slotted: tuple[str, ...],
) -> CompiledOperation | None:
    values: dict[str, Any] | None = json.loads(variables)
    try:
        document = parsed(query)
        _one_operation(document, operation_name)
        measured(query, operation_name)
        check_strings(document, values)
    except (GraphQLError, ReadError):
        return None  # refused: the resolvers say why
    if _validated(schema, query, _RULES):
        return None
    if slotted:
        return compile_for_any_values(
            schema, document, operation_name, values or {}, slotted, dialect
        )
    return compile_operation(schema, document, operation_name, values, dialect)


async def compiled_answer(db: Database, operation: CompiledOperation) -> bytes | None:
    """The response body, run through the request's database (its deadline and share of
    the connections); None when the resolvers must answer instead."""
    if not operation.needs_database:
        return answer(None, operation)
    try:
        return await answer_through(db, operation)
    except DeadlineExceeded:
        return None  # out of time: the resolvers answer TIMEOUT as they do for any query
    except Exception:
        # A statement the compiler got wrong must not cost the client its answer.
        logger.exception("a compiled query failed; the resolvers answer it")
        return None
