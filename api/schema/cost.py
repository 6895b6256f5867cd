"""What a query costs, computed from the document before anything runs.

A query's cost counts the objects it may read: every object field costs 1 plus what is
selected under it; a list multiplies that by the number of entries it may hold (a
connection by its ``first``, a plain list by its declared bound below); fields that read
much text or aggregate over the archive carry a weight of their own. Aliases and
fragments count every time they are used, and the members of a batch add up. This is
the model of GitHub's and Shopify's public APIs: the answer's size and the server's
work are bounded before they are spent, whatever the data.

Every cost is in this module and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from api.read.pages import DEFAULT_PAGE

BUDGET = 50_000  # per request: every operation of a batch together

# A connection costs this much more than its page: its statement, and its cursor.
CONNECTION = 2
# Plain lists: how many entries one holds in large real minutes (a city council's
# meeting of 60 items); the few larger ones cost more than they are charged.
LIST_BOUNDS: dict[str, int] = {
    "Meeting.agendaItems": 60,
    "Meeting.participants": 40,
    "Meeting.absentees": 20,
    "AgendaItem.sections": 8,
    "AgendaItem.decisions": 5,
    "AgendaItem.attachments": 20,
    "Organization.bodies": 60,
    "Query.bodies": 500,
    "Query.organizations": 110,
    "Stats.decisionsByOutcome": 8,
    "Stats.meetingsByYear": 60,
}
# Lists bounded by an argument of their own: ``Case.agendaItems(first:)``,
# ``Stats.busiestCases(limit:)``.
LIST_ARGUMENTS: dict[str, str] = {
    "Case.agendaItems": "first",
    "Case.decisions": "first",
    "Stats.busiestCases": "limit",
}
# Fields that cost more than the object they return: texts, counts, aggregates, search.
WEIGHTS: dict[str, int] = {
    "Section.text": 2,
    "Decision.text": 1,
    "SearchHit.snippet": 2,
    # An aggregate reads the whole archive (or the part its filter names), however
    # little it returns: the weight of a large page of objects.
    "Query.search": 200,
    "Query.stats": 500,
    "Stats.decisionsByOutcome": 500,
    "Stats.meetingsByYear": 500,
    "Stats.busiestCases": 1_000,
    "Person.meetingCount": 10,
    "Query.node": 2,  # which table holds the id: one more statement
}
TOTAL_COUNT = 50  # ``totalCount`` of any connection: a count over the listing
# Fields whose work is an aggregate over the archive (``totalCount`` of any connection
# too): worth keeping the answer of while the data stays as it is (api.schema.responses).
AGGREGATES = frozenset({"Query.search", "Query.stats"})


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation a request runs (0 when it names none the document has:
    validation reports that)."""
    operation = _operation(document, operation_name)
    if operation is None or schema.query_type is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, variables or {})
    return walk.selection(schema.query_type, operation.selection_set)


def reads_aggregates(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> bool:
    """Whether the operation selects an aggregate (AGGREGATES, or a ``totalCount``)."""
    operation = _operation(document, operation_name)
    if operation is None or schema.query_type is None:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, {})
    walk.selection(schema.query_type, operation.selection_set)
    return walk.aggregates


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


_Parent = GraphQLObjectType | GraphQLInterfaceType


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[str, int] = {}  # a fragment's cost, measured once
        self.visiting: set[str] = set()
        self.aggregates = False  # whether an aggregate was selected

    def selection(self, parent: _Parent, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node)
            elif isinstance(node, InlineFragmentNode):
                total += self.selection(self.condition(parent, node), node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value)
        return total

    def condition(self, parent: _Parent, node: InlineFragmentNode) -> _Parent:
        if node.type_condition is None:
            return parent
        named = self.schema.get_type(node.type_condition.name.value)
        return named if isinstance(named, _Parent) else parent

    def fragment(self, name: str) -> int:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0  # unknown or cyclic: validation reports it
        named = self.schema.get_type(definition.type_condition.name.value)
        if not isinstance(named, _Parent):
            return 0
        self.visiting.add(name)
        cost = self.selection(named, definition.selection_set)
        self.visiting.discard(name)
        self.memo[name] = cost
        return cost

    def field(self, parent: _Parent, node: FieldNode) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0  # introspection: bounded on its own (api.schema.limits)
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # validation reports it
        key = f"{parent.name}.{name}"
        if name == "totalCount" and parent.name.endswith("Connection"):
            self.aggregates = True
            return TOTAL_COUNT
        self.aggregates = self.aggregates or key in AGGREGATES
        named = get_named_type(definition.type)
        weight = WEIGHTS.get(key, 0)
        if not isinstance(named, _Parent):
            return weight  # a scalar or an enum
        inner = 1 + self.selection(named, node.selection_set)
        if named.name.endswith("Connection"):
            # Its page as the field declares it (changes' is 100), else the common one.
            declared = (
                definition.args["first"].default_value if "first" in definition.args else None
            )
            page = self.argument(
                node, "first", declared if isinstance(declared, int) else DEFAULT_PAGE
            )
            return weight + CONNECTION + self.connection(named, node.selection_set, page)
        if is_list_type(get_nullable_type(definition.type)):
            if key in LIST_ARGUMENTS:
                default = definition.args[LIST_ARGUMENTS[key]].default_value
                bound = self.argument(node, LIST_ARGUMENTS[key], default)
            else:
                bound = LIST_BOUNDS.get(key, DEFAULT_PAGE)
            return weight + bound * inner
        return weight + inner

    def connection(
        self, connection: _Parent, selection_set: SelectionSetNode | None, page: int
    ) -> int:
        """A page: its edges count ``page`` times, its totalCount and pageInfo once."""
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode) and node.name.value == "edges":
                edge = get_named_type(connection.fields["edges"].type)
                assert isinstance(edge, _Parent)
                total += page * (1 + self.selection(edge, node.selection_set))
            elif isinstance(node, FieldNode):
                total += self.field(connection, node)
            elif isinstance(node, InlineFragmentNode):
                total += self.connection(connection, node.selection_set, page)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                spread = self.fragments[node.name.value]
                if node.name.value not in self.visiting:
                    self.visiting.add(node.name.value)
                    total += self.connection(connection, spread.selection_set, page)
                    self.visiting.discard(node.name.value)
        return total

    def argument(self, node: FieldNode, name: str, default: object) -> int:
        """An integer argument's value as the request gives it, else its default."""
        value: object = default
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            given = argument.value
            if isinstance(given, IntValueNode):
                value = int(given.value)
            elif isinstance(given, VariableNode):
                value = self.variables.get(given.name.value, default)
            elif isinstance(given, NullValueNode):
                value = default
        if not isinstance(value, int) or isinstance(value, bool):
            value = default if isinstance(default, int) else DEFAULT_PAGE
        assert isinstance(value, int)
        return max(value, 0)
