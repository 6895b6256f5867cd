"""One compiled operation for every value of its string variables.

Compiling an operation takes milliseconds (about 25 ms for a meeting with everything
under it), far more than running its statement; compiled per value of its variables, a
client asking for meeting after meeting would pay that every time. So an ID or String
variable becomes a slot: the operation is compiled with a placeholder for its value,
and a request fills in its own value as the statements' parameter.

That is only right when the value is nothing but a parameter. A planner that changes a
value (strips it, folds its case, makes a slug of a name) or builds another statement
from it would be given the placeholder's result instead of the request's. So the
operation is compiled twice, with two different placeholders: the statements must be
the same text, and every parameter the same in both or exactly one placeholder in each.
Anything else, and the operation is compiled for each value, as before.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from graphql import (
    DocumentNode,
    GraphQLSchema,
    ListTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    get_operation_ast,
    parse,
)

from api.read.compiler import CompiledOperation, RootField, compile_operation

# Scalars whose variables arrive as the strings they are, coercion leaving them as given.
_SLOTTED_TYPES = frozenset({"ID", "String"})


def slotted_variables(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
) -> tuple[str, ...]:
    """The variables of the operation that may become slots: an ID or a String, given as
    a string with something in it (an empty one may choose another statement)."""
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        return ()
    names = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        value = variables.get(name)
        slotted_type = _scalar_name(definition.type) in _SLOTTED_TYPES
        if slotted_type and isinstance(value, str) and value.strip():
            names.append(name)
    return tuple(sorted(names))


def compile_for_any_values(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    slotted: Collection[str],
    dialect: sa.Dialect,
) -> CompiledOperation | None:
    """The operation with ``slotted`` variables as slots, the other variables as given;
    None when a statement depends on a slotted variable's value in another way than as a
    parameter (or the resolvers answer the operation)."""
    # Spaces around and letters of both cases: stripped or case-folded, they change.
    first, second = (
        {name: f" Referat slot {name} {which} " for name in slotted} for which in ("A", "b")
    )
    compiled = [
        compile_operation(schema, document, operation_name, {**variables, **marks}, dialect)
        for marks in (first, second)
    ]
    one, other = compiled
    if one is None or other is None:
        return None
    fields: list[RootField] = []
    for a, b in zip(one.fields, other.fields, strict=True):
        if a.key != b.key or a.constant != b.constant:
            return None
        if a.statement is None or b.statement is None:
            fields.append(a)
            continue
        (text_a, parameters_a), (text_b, parameters_b) = _run_as(a, dialect), _run_as(b, dialect)
        if text_a != text_b or parameters_a.keys() != parameters_b.keys():
            return None
        slots: list[tuple[str, str]] = []
        for parameter, value in parameters_a.items():
            if value == parameters_b[parameter]:
                continue  # the same whatever the variables hold
            variable = next(
                (n for n in slotted if value == first[n] and parameters_b[parameter] == second[n]),
                None,
            )
            if variable is None:
                return None  # made from a variable's value, not the value itself
            slots.append((parameter, variable))
        fields.append(replace(a, slots=tuple(slots)))
    return CompiledOperation(tuple(fields))


# Compiles the operation for a JSON text of variables' values, with the variables named
# as slots; None when it cannot (see compile_for_any_values) or the resolvers answer it.
Compile = Callable[[str, tuple[str, ...]], CompiledOperation | None]


def compiled_for(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    compile: Compile,
) -> CompiledOperation | None:
    """The operation for these variables: compiled for any values of its slotted
    variables where it can be, else for their values; ``compile`` remembers either."""
    slotted = slotted_variables(document, operation_name, variables)
    if slotted:
        others = {name: value for name, value in variables.items() if name not in slotted}
        template = compile(_key(others), slotted)
        if template is not None:
            return template.bind({name: variables[name] for name in slotted})
    return compile(_key(variables), ())


def _key(variables: Mapping[str, Any]) -> str:
    return json.dumps(variables, sort_keys=True, separators=(",", ":"))


def compile_fixed(
    schema: GraphQLSchema, query: str, variables: Mapping[str, Any], dialect: sa.Dialect
) -> CompiledOperation | None:
    """A fixed operation of the service's own (a REST answer), valid by construction,
    for these variables."""
    return compiled_for(
        _parsed(query),
        None,
        variables,
        lambda key, slotted: _fixed(schema, query, key, slotted, dialect),
    )


@functools.lru_cache(maxsize=256)
def _fixed(
    schema: GraphQLSchema, query: str, others: str, slotted: tuple[str, ...], dialect: sa.Dialect
) -> CompiledOperation | None:
    document = _parsed(query)
    given = json.loads(others)
    if not slotted:
        return compile_operation(schema, document, None, given, dialect)
    return compile_for_any_values(schema, document, None, given, slotted, dialect)


@functools.lru_cache(maxsize=64)
def _parsed(query: str) -> DocumentNode:
    return parse(query)


def _run_as(field: RootField, dialect: sa.Dialect) -> tuple[str, dict[str, Any]]:
    """The statement's text and parameters, named as they are when it runs."""
    if field.text is not None:
        return field.text, dict(field.parameters or {})
    assert field.statement is not None
    compiled = field.statement.compile(dialect=dialect)
    return str(compiled), dict(compiled.params)


def _scalar_name(node: TypeNode) -> str | None:
    if isinstance(node, NonNullTypeNode):
        node = node.type
    if isinstance(node, ListTypeNode):
        return None
    return getattr(getattr(node, "name", None), "value", None)
