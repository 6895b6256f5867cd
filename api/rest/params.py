"""Query and path parameters, declared once: read and checked here, documented in the
OpenAPI document from the same declarations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.rest.errors import ApiError


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    description: str
    kind: str = "string"  # string, date, integer
    location: str = "query"
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    max_length: int = 200

    def schema(self) -> dict[str, Any]:
        if self.kind == "date":
            return {"type": "string", "format": "date"}
        if self.kind == "integer":
            schema: dict[str, Any] = {"type": "integer"}
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
            if self.default is not None:
                schema["default"] = self.default
            return schema
        schema = {"type": "string", "minLength": 1, "maxLength": self.max_length}
        if self.enum:
            schema = {"type": "string", "enum": list(self.enum)}
        return schema

    def read(self, raw: str | None) -> Any:
        if raw is None:
            if self.required:
                raise ApiError(422, "VALIDATION_ERROR", f"{self.name} is required")
            return self.default
        if self.kind == "date":
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                raise ApiError(
                    422, "VALIDATION_ERROR", f"{self.name} must be a date, YYYY-MM-DD"
                ) from None
        if self.kind == "integer":
            try:
                value = int(raw)
            except ValueError:
                raise ApiError(422, "VALIDATION_ERROR", f"{self.name} must be an integer") from None
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise ApiError(
                    422,
                    "VALIDATION_ERROR",
                    f"{self.name} must be between {self.minimum} and {self.maximum}",
                )
            return value
        if not raw or len(raw) > self.max_length:
            raise ApiError(
                422, "VALIDATION_ERROR", f"{self.name} must have 1 to {self.max_length} characters"
            )
        if self.enum and raw not in self.enum:
            raise ApiError(
                422, "VALIDATION_ERROR", f"{self.name} must be one of {', '.join(self.enum)}"
            )
        return raw


def read_all(
    params: tuple[Param, ...], query: Mapping[str, str], path: Mapping[str, Any]
) -> dict[str, Any]:
    values = {}
    for param in params:
        source = path if param.location == "path" else query
        raw = source.get(param.name)
        values[param.name] = param.read(None if raw is None else str(raw))
    return values


LIMIT = Param("limit", "Page size", kind="integer", minimum=1, maximum=100, default=20)
CURSOR = Param(
    "cursor", "Where the page starts: the `next` link of the previous page", max_length=500
)
