"""The fields a selection asks for, as GraphQL's CollectFields finds them: ``@skip`` and
``@include`` applied, fragments (named and inline, on interfaces too) expanded for the
object type at hand, and fields of the same response key merged in the order they first
appear, which is the order of the answer's keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values


@dataclass(frozen=True, slots=True)
class Selected:
    """A response key and the field nodes merged under it (all of one field)."""

    key: str
    name: str
    nodes: tuple[FieldNode, ...]


class Collector:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def fields(
        self, runtime: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> list[Selected]:
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect(runtime, selection_set, grouped, visited)
        return [Selected(key, nodes[0].name.value, tuple(nodes)) for key, nodes in grouped.items()]

    def subfields(self, runtime: GraphQLObjectType, selected: Selected) -> list[Selected]:
        return self.fields(
            runtime, (node.selection_set for node in selected.nodes if node.selection_set)
        )

    def arguments(self, definition: GraphQLField, selected: Selected) -> dict[str, Any]:
        # Validation made every merged node's arguments the same.
        return get_argument_values(definition, selected.nodes[0], self.variables)

    def _collect(
        self,
        runtime: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, runtime):
                    self._collect(runtime, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, runtime):
                    self._collect(runtime, fragment.selection_set, grouped, visited)

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode | Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include is not None and include.get("if") is False)

    def _applies(self, condition: str, runtime: GraphQLObjectType) -> bool:
        if condition == runtime.name:
            return True
        abstract = self.schema.get_type(condition)
        return abstract is not None and self.schema.is_sub_type(abstract, runtime)  # type: ignore[arg-type]
