"""Answers of repeated aggregate queries, kept while the data stays as it is.

Dashboards send the same `stats`, `search` and `totalCount` queries again and again; each
reads much of the archive and returns little. Their answers are kept by (document,
operation, variables, data version): the data version (``queries.data_version``) changes
with every document ingested or replaced, so an ingest makes every kept answer stale
without telling the server, in any number of server processes. Only whole answers
without errors are kept, and the cache is bounded by the bytes of the answers it holds.
Queries without aggregates are not kept: they cost about what the data version does.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from api import queries
from api.schema.cost import reads_aggregates

LARGEST_KEPT = 1024 * 1024  # bytes: a larger answer is not worth holding


class ResponseCache:
    """Answers by key, least recently used first out, at most ``capacity`` bytes."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self._answers: OrderedDict[Hashable, tuple[dict[str, Any], int]] = OrderedDict()

    def get(self, key: Hashable) -> dict[str, Any] | None:
        found = self._answers.get(key)
        if found is None:
            return None
        self._answers.move_to_end(key)
        return found[0]

    def put(self, key: Hashable, data: dict[str, Any]) -> None:
        size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        if size > min(LARGEST_KEPT, self.capacity) or key in self._answers:
            return
        self._answers[key] = (data, size)
        self.size += size
        while self.size > self.capacity:
            _, (_, evicted) = self._answers.popitem(last=False)
            self.size -= evicted

    def __len__(self) -> int:
        return len(self._answers)


class KeptAnswers(SchemaExtension):
    """Answers an aggregate query from the cache when the data has not changed since."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        cache: ResponseCache | None = getattr(context, "responses", None)
        document = execution.graphql_document
        if (
            cache is None
            or cache.capacity <= 0
            or document is None
            or not reads_aggregates(execution.schema._schema, document, execution.operation_name)
        ):
            yield
            return
        version = await context.db.run(queries.data_version)
        key = (
            execution.query,
            execution.operation_name,
            json.dumps(execution.variables, sort_keys=True, default=str),
            version,
        )
        kept = cache.get(key)
        if kept is not None:
            execution.result = GraphQLExecutionResult(data=kept, errors=None)
        yield
        result = execution.result
        if (
            kept is None
            and isinstance(result, GraphQLExecutionResult)
            and result.data is not None
            and not result.errors
        ):
            cache.put(key, result.data)
