"""GraphQL compiled to SQL: one statement per root field builds that field's answer as
JSON in the database, and the answer's bytes are the statements' text spliced together,
never decoded in Python.

``compile_operation`` plans a validated operation, or answers None when the resolvers
must (see api.read.compiler.plan.NotCompilable); ``answer`` runs the plan on a
connection, and answers None when a statement finds nothing where the resolvers would
answer an error (an unknown id), so that they answer it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from graphql.execution.values import get_variable_values

from api.database import PREPARE, Database
from api.read.compiler.dialect import Dialect, register_sqlite_functions
from api.read.compiler.fields import Collector
from api.read.compiler.plan import NotCompilable, Planner

__all__ = [
    "CompiledOperation",
    "RootField",
    "answer",
    "answer_through",
    "compile_operation",
    "field_answers",
    "field_answers_through",
]


@dataclass(frozen=True, slots=True)
class RootField:
    key: str
    # The statement of one row and column, the field's JSON; or, for __typename, the
    # JSON itself.
    statement: sa.Select[Any] | None = None
    constant: str | None = None
    # On PostgreSQL, the statement compiled once: the driver runs the text itself, with
    # no walk of the statement's tree to find it in SQLAlchemy's cache (psycopg's
    # parameters, named, need no SQLAlchemy processing for these types).
    text: str | None = None
    parameters: dict[str, Any] | None = None
    # Whether one plan serves any values of the parameters (api.database.PREPARE).
    prepare: bool = False
    # The parameters that take a variable's value when the statement runs, as
    # (parameter, variable): see api.read.compiler.slots.
    slots: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    fields: tuple[RootField, ...]
    # The values of the variables that the statements' slots take.
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_database(self) -> bool:
        return any(root.statement is not None for root in self.fields)

    def bind(self, values: Mapping[str, Any]) -> CompiledOperation:
        """This operation, its slots filled with ``values``: one compiled operation
        serves every request that differs from another only in those."""
        return replace(self, values=values)


def compile_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    dialect: sa.Dialect,
) -> CompiledOperation | None:
    """The operation's statements; None when the resolvers answer it. The document has
    passed validation."""
    operation = get_operation_ast(document, operation_name)
    query_type = schema.query_type
    if not isinstance(operation, OperationDefinitionNode) or query_type is None:
        return None
    if operation.operation != OperationType.QUERY:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None  # the resolvers name what is wrong with them
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    collector = Collector(schema, fragments, coerced)
    planner = Planner(Dialect(dialect.name), collector, schema)
    fields: list[RootField] = []
    try:
        for selected in collector.fields(query_type, [operation.selection_set]):
            if selected.name == "__typename":
                fields.append(RootField(selected.key, constant=f'"{query_type.name}"'))
            else:
                statement = planner.root(selected)
                fields.append(_field(selected.key, statement, dialect, planner.one_plan_serves))
    except NotCompilable:
        return None
    return CompiledOperation(tuple(fields))


def _field(key: str, statement: sa.Select[Any], dialect: sa.Dialect, prepare: bool) -> RootField:
    if dialect.name != "postgresql":
        return RootField(key, statement=statement)
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return RootField(
        key, statement=statement, text=str(compiled), parameters=compiled.params, prepare=prepare
    )


def answer(connection: sa.Connection | None, compiled: CompiledOperation) -> bytes | None:
    """The response body, ``{"data":{...}}`` with the keys in selection order; None when
    the resolvers must answer (a field found nothing). No connection is needed when no
    field needs the database."""
    return spliced(compiled, field_answers(connection, compiled))


async def answer_through(db: Database, compiled: CompiledOperation) -> bytes | None:
    """``answer`` through the request's database (its deadline and connections)."""
    return spliced(compiled, await field_answers_through(db, compiled))


def spliced(compiled: CompiledOperation, texts: list[str] | None) -> bytes | None:
    if texts is None:
        return None
    # Response keys are GraphQL names: nothing in them to escape.
    parts = [f'"{root.key}":{text}' for root, text in zip(compiled.fields, texts, strict=True)]
    return ('{"data":{' + ",".join(parts) + "}}").encode()


def field_answers(
    connection: sa.Connection | None, compiled: CompiledOperation
) -> list[str] | None:
    """Each root field's JSON, in order; None when one of them found nothing."""
    if connection is not None and connection.dialect.name == "sqlite":
        register_sqlite_functions(connection.connection.driver_connection)
    texts: list[str] = []
    for root in compiled.fields:
        text = root.constant
        if root.statement is not None:
            if connection is None:
                raise ValueError("the operation needs the database")
            try:
                if root.text is not None:
                    result = connection.exec_driver_sql(
                        root.text,
                        _parameters(root, compiled),
                        execution_options={PREPARE: root.prepare},
                    )
                else:
                    result = connection.execute(root.statement, _filled(root, compiled))
                text = result.scalar()
            except sa.exc.OperationalError as error:
                if "parser stack overflow" not in str(error.orig):
                    raise
                return None  # SQLite cannot parse a statement this deep
        if text is None:
            return None
        texts.append(text)
    return texts


async def field_answers_through(db: Database, compiled: CompiledOperation) -> list[str] | None:
    """``field_answers`` through the request's database: on the event loop where it has
    statements of its own there (PostgreSQL: api.statements), else in a worker thread."""
    statements = db.statements
    if statements is None or not compiled.needs_database:
        return await db.run(field_answers, compiled)
    texts: list[str] = []
    for root in compiled.fields:
        text = root.constant
        if root.text is not None:
            parameters = _parameters(root, compiled)
            text = await statements.scalar(
                root.text, parameters, prepare=root.prepare, deadline=db.deadline
            )
        if text is None:
            return None
        texts.append(text)
    return texts


def _filled(root: RootField, compiled: CompiledOperation) -> dict[str, Any]:
    """The statement's slots filled with the request's values."""
    return {name: compiled.values[variable] for name, variable in root.slots}


def _parameters(root: RootField, compiled: CompiledOperation) -> dict[str, Any]:
    # A copy: the operation is shared by the requests that send it.
    return (root.parameters or {}) | _filled(root, compiled)
