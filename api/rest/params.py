"""Query and path parameters, declared once: read and checked here, documented in the
OpenAPI document from the same declarations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.rest.errors import ApiError


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    description: str
    kind: str = "string"  # string, date, datetime, integer
    location: str = "query"
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    max_length: int = 200
    alias_of: str | None = None  # a deprecated spelling of the parameter of that name

    def alias(self, name: str) -> Param:
        """The same parameter under an older name, kept for existing clients."""
        return dataclasses.replace(
            self,
            name=name,
            description=f"Deprecated: the old name of {self.name}. {self.description}",
            alias_of=self.name,
        )

    def schema(self) -> dict[str, Any]:
        if self.kind == "date":
            return {"type": "string", "format": "date"}
        if self.kind == "datetime":
            return {"type": "string", "format": "date-time"}
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
        if self.kind == "datetime":
            return read_datetime(self.name, raw)
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


_UTC_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)
_UTC_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)


def read_datetime(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 / RFC 3339 date and time with its offset, as an aware UTC datetime.

    A value without an offset is refused, as GraphQL's ``modifiedSince`` refuses it: a
    moment is not known without one, and guessing UTC or Copenhagen would silently be an
    hour or two off for some clients."""
    text = raw.strip()
    if text[-1:] == "z":
        text = text[:-1] + "Z"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            "VALIDATION_ERROR",
            f"{name} must be a date and time with its offset, e.g. 2024-01-01T00:00:00Z",
        ) from None
    if value.tzinfo is None:
        raise ApiError(
            422,
            "VALIDATION_ERROR",
            f"{name} needs a time zone offset, e.g. 2024-01-01T00:00:00Z or "
            "2024-01-01T00:00:00+01:00",
        )
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # 0001-01-01T00:00+05:00 is before the first representable UTC moment, and
        # 9999-12-31T23:00-05:00 after the last: every meeting, or none, is newer.
        return _UTC_MIN if value.year == dt.MINYEAR else _UTC_MAX


def read_all(
    params: tuple[Param, ...], query: Mapping[str, str], path: Mapping[str, Any]
) -> dict[str, Any]:
    """The values of the parameters, by their current names; an old name's value goes
    under its current name. Both names with different values is a 400."""
    for name, raw in [*query.items(), *path.items()]:
        if "\x00" in str(raw):
            # No text in the archive holds one, and PostgreSQL refuses it.
            raise ApiError(400, "BAD_USER_INPUT", f"{name} holds a NUL character")
    values: dict[str, Any] = {}
    for param in params:
        if param.alias_of is None:
            source = path if param.location == "path" else query
            raw = source.get(param.name)
            values[param.name] = param.read(None if raw is None else str(raw))
    for alias in params:
        if alias.alias_of is None or query.get(alias.name) is None:
            continue
        value = alias.read(str(query[alias.name]))
        current = alias.alias_of
        if query.get(current) is not None and values[current] != value:
            raise ApiError(
                400,
                "BAD_USER_INPUT",
                f"{alias.name} and {current} are one filter ({alias.name} is its old name) "
                "with different values: give one",
            )
        values[current] = value
    return values


LIMIT = Param("limit", "Page size", kind="integer", minimum=1, maximum=100, default=20)
CURSOR = Param(
    "cursor",
    "Where the page starts: the `next` link of the previous page (another value is a 400)",
    max_length=500,
)
