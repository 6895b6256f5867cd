"""Rejecting abusive documents in time linear in their size, before anything else runs;
and remembering the documents that passed.

Depth and alias limiters that walk the document, as strawberry's do, expand every
fragment spread anew: a 1 KB document whose fragments each spread the previous one
twice expands to 2^20 fields and takes them exponential time. Here each fragment is
measured once (memoised), so the whole check is linear in the document.

Clients send the same few documents again and again, with other variables. Parsing,
measuring and validating one costs more than running a simple query, so the outcome
of each is kept for the most recent documents (by their text).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.schema.errors import QueryTooComplex

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2_000
MAX_FIELDS = 5_000  # fields after expanding every fragment spread


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int  # of nested fields
    fields: int  # after expansion
    aliases: int  # after expansion


REMEMBERED = 256  # documents whose parse and validation are kept


class DocumentLimits(SchemaExtension):
    """Parses with a token limit, measures depth, aliases and expanded size, and
    validates; each step's outcome is remembered for recent documents."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            context.graphql_document = _parsed(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is not None:
            _measured(context.query, context.operation_name)
            context.pre_execution_errors = list(
                _validated(context.schema._schema, context.query, context.validation_rules)
            )
        yield


@functools.lru_cache(maxsize=REMEMBERED)
def _parsed(query: str) -> DocumentNode:
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        if "tokens" in error.message:
            raise QueryTooComplex(f"the document has more than {MAX_TOKENS} tokens") from None
        raise _coded(error, "GRAPHQL_PARSE_FAILED") from None


@functools.lru_cache(maxsize=REMEMBERED)
def _measured(query: str, operation_name: str | None) -> None:
    """Raises for a document over the limits; the cache keeps only those within."""
    check(_parsed(query), operation_name)


@functools.lru_cache(maxsize=REMEMBERED)
def _validated(
    schema: GraphQLSchema, query: str, rules: tuple[type, ...]
) -> tuple[GraphQLError, ...]:
    return tuple(
        _coded(error, "GRAPHQL_VALIDATION_FAILED")
        for error in validate_document(schema, _parsed(query), rules)
    )


def _coded(error: GraphQLError, code: str) -> GraphQLError:
    """The error with ``extensions.code``, as every error the API returns has."""
    return GraphQLError(
        error.message,
        source=error.source,
        positions=error.positions,
        extensions={**(error.extensions or {}), "code": code},
    )


def check(document: DocumentNode, operation_name: str | None = None) -> None:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measured: dict[str, Measure] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and definition.name and definition.name.value != operation_name:
            continue
        size = _selection(definition.selection_set, fragments, measured, set())
        if size.depth > MAX_DEPTH:
            raise QueryTooComplex(f"the query is {size.depth} levels deep; at most {MAX_DEPTH}")
        if size.aliases > MAX_ALIASES:
            raise QueryTooComplex(f"the query uses {size.aliases} aliases; at most {MAX_ALIASES}")
        if size.fields > MAX_FIELDS:
            raise QueryTooComplex(
                f"the query expands to more than {MAX_FIELDS} fields; at most {MAX_FIELDS}"
            )


def _selection(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    measured: dict[str, Measure],
    visiting: set[str],
) -> Measure:
    depth = fields = aliases = 0
    if selection_set is None:
        return Measure(0, 0, 0)
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            inner = _selection(node.selection_set, fragments, measured, visiting)
            depth = max(depth, inner.depth + 1)
            fields += 1 + inner.fields
            aliases += inner.aliases + (1 if node.alias else 0)
        else:
            if isinstance(node, FragmentSpreadNode):
                inner = _fragment(node.name.value, fragments, measured, visiting)
            elif isinstance(node, InlineFragmentNode):
                inner = _selection(node.selection_set, fragments, measured, visiting)
            else:  # pragma: no cover - graphql has no other selection kinds
                continue
            depth = max(depth, inner.depth)
            fields += inner.fields
            aliases += inner.aliases
        # Saturate: the counts only need to say "too many", and must not grow without
        # bound on documents built to make them astronomically large.
        fields, aliases = min(fields, MAX_FIELDS + 1), min(aliases, MAX_ALIASES + 1)
    return Measure(depth, fields, aliases)


def _fragment(
    name: str,
    fragments: dict[str, FragmentDefinitionNode],
    measured: dict[str, Measure],
    visiting: set[str],
) -> Measure:
    if name in measured:
        return measured[name]
    if name not in fragments or name in visiting:
        # Unknown and cyclic fragments are left to GraphQL validation to report.
        return Measure(0, 0, 0)
    visiting.add(name)
    size = _selection(fragments[name].selection_set, fragments, measured, visiting)
    visiting.discard(name)
    measured[name] = size
    return size
