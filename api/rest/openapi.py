"""The OpenAPI 3.1 document, generated from the operations and their response models."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from api.rest.export import http as export
from api.rest.models import ErrorBody
from api.rest.routes import OPERATIONS, PREFIX, Operation

_LAST_MODIFIED = {
    True: "When the entity last changed: the newest updatedAt of the meetings it is made of",
    False: "When minutes were last ingested",
}


def _bad_input(op: Operation) -> str:
    reasons = []
    if op.name == "search":
        reasons.append("search syntax")
    if any(p.name == "cursor" for p in op.params):
        reasons.append("a cursor that is not a next link of this listing")
    if any(p.alias_of for p in op.params):
        reasons.append("one filter under both its names, with different values")
    return "Bad input: " + "; ".join(reasons) if reasons else "Bad input"


def openapi_document() -> dict[str, Any]:
    models = [op.response for op in OPERATIONS] + [ErrorBody, *export.RECORDS.values()]
    refs, definitions = models_json_schema(
        [(model, "serialization") for model in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    error = {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": refs[(op.response, "serialization")]}},
                "headers": {
                    "ETag": {"schema": {"type": "string"}},
                    "Last-Modified": {
                        "description": _LAST_MODIFIED[op.modified is not None],
                        "schema": {"type": "string"},
                    },
                    "Cache-Control": {"schema": {"type": "string"}},
                },
            },
            "304": {
                "description": "Not modified: the ETag is in If-None-Match, or, without "
                "If-None-Match, nothing changed since If-Modified-Since"
            },
            "400": {"description": _bad_input(op), "content": error},
            "422": {"description": "Invalid parameters", "content": error},
            "503": {
                "description": "The request ran out of its time in the database (TIMEOUT)",
                "content": error,
            },
        }
        if any(p.location == "path" for p in op.params):
            responses["404"] = {"description": "No entity with this id", "content": error}
        paths[PREFIX + op.path] = {
            "get": {
                "operationId": op.name,
                "summary": op.summary,
                "parameters": [
                    {
                        "name": p.name,
                        "in": p.location,
                        "required": p.required or p.location == "path",
                        "description": p.description,
                        "schema": p.schema(),
                    }
                    | ({"deprecated": True} if p.alias_of else {})
                    for p in op.params
                ],
                "responses": responses,
            }
        }
    records = {model: refs[(model, "serialization")] for model in export.RECORDS.values()}
    paths |= export.openapi_paths(PREFIX, error, records)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Referat REST API",
            "version": "1",
            "description": "A read-only mirror of the GraphQL API: Danish municipal minutes.",
        },
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {})},
    }
