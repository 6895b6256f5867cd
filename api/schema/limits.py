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
from typing import Any

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
    StringValueNode,
    Visitor,
    parse,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.read.errors import BadUserInput
from api.schema.errors import QueryTooComplex

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2_000
MAX_FIELDS = 5_000  # fields after expanding every fragment spread
MAX_CHARACTERS = 20_000  # of the document, comments and whitespace included
MAX_STRING = 1_000  # characters of any string argument or variable (a search: 500)
# Introspection (GraphiQL's docs, code generators) nests type references deeper than
# any query of data; it reads the schema in memory, and has its own bound.
MAX_INTROSPECTION_DEPTH = 20


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int  # of nested fields
    fields: int  # after expansion
    aliases: int  # after expansion


_INTROSPECTION = frozenset({"__schema", "__type"})
REMEMBERED = 256  # documents whose parse and validation are kept


class DocumentLimits(SchemaExtension):
    """Parses with a token limit, measures depth, aliases and expanded size, and
    validates; each step's outcome is remembered for recent documents."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            context.graphql_document = parsed(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is not None:
            _one_operation(context.graphql_document, context._provided_operation_name)
            measured(context.query, context.operation_name)
            check_strings(context.graphql_document, context.variables)
            context.pre_execution_errors = list(
                _validated(context.schema._schema, context.query, context.validation_rules)
            )
        yield


def _one_operation(document: DocumentNode, operation_name: str | None) -> None:
    """A document of several operations runs the one ``operationName`` names, by the
    spec; guessing would run what the client did not ask for."""
    if operation_name is not None:
        return
    count = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    if count > 1:
        raise BadUserInput(
            f"the document holds {count} operations: name the one to run in operationName"
        )


def check_strings(document: DocumentNode, variables: dict[str, Any] | None) -> None:
    """Every string the request gives, in the document or its variables, is at most
    MAX_STRING characters and holds no NUL (which no text in the archive does, and which
    PostgreSQL refuses)."""
    for node in _string_literals(document):
        _check_string(node.value, "a string in the document")
    check_variable_strings(variables)


def check_variable_strings(variables: dict[str, Any] | None) -> None:
    """``check_strings`` of the variables alone: the document's are checked once, when its
    operation is compiled and remembered."""
    for name, value in (variables or {}).items():
        for text in _strings_in(value):
            _check_string(text, f"variable ${name}")


def _check_string(text: str, where: str) -> None:
    if len(text) > MAX_STRING:
        raise BadUserInput(f"{where} has {len(text):,} characters; at most {MAX_STRING:,}")
    if "\x00" in text:
        raise BadUserInput(f"{where} holds a NUL character")


def _string_literals(document: DocumentNode) -> Iterator[StringValueNode]:
    found: list[StringValueNode] = []

    class Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            found.append(node)

    visit(document, Strings())
    return iter(found)


def _strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings_in(key)
            yield from _strings_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings_in(inner)


@functools.lru_cache(maxsize=REMEMBERED)
def parsed(query: str) -> DocumentNode:
    """The document, parsed within the limits; remembered for recent documents, whose
    size the limit on characters bounds (REMEMBERED × MAX_CHARACTERS)."""
    if len(query) > MAX_CHARACTERS:
        # Comments and whitespace count: they cost memory and time as tokens do.
        raise QueryTooComplex(
            f"the document has {len(query):,} characters; at most {MAX_CHARACTERS:,}"
        )
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        if "tokens" in error.message:
            raise QueryTooComplex(f"the document has more than {MAX_TOKENS} tokens") from None
        raise _coded(error, "GRAPHQL_PARSE_FAILED") from None


@functools.lru_cache(maxsize=REMEMBERED)
def measured(query: str, operation_name: str | None) -> None:
    """Raises for a document over the limits; the cache keeps only those within."""
    check(parsed(query), operation_name)


@functools.lru_cache(maxsize=REMEMBERED)
def _validated(
    schema: GraphQLSchema, query: str, rules: tuple[type, ...]
) -> tuple[GraphQLError, ...]:
    return tuple(
        _coded(error, "GRAPHQL_VALIDATION_FAILED")
        for error in validate_document(schema, parsed(query), rules)
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
            if node.name.value in _INTROSPECTION:
                if inner.depth + 1 > MAX_INTROSPECTION_DEPTH:
                    raise QueryTooComplex(
                        f"the introspection is {inner.depth + 1} levels deep; "
                        f"at most {MAX_INTROSPECTION_DEPTH}"
                    )
                fields += 1 + inner.fields
                continue
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
