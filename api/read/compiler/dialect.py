"""How each engine builds JSON: PostgreSQL with ``json_build_object``/``json_agg``,
SQLite with ``json_object``/``json_group_array``. Everything else in the compiler is the
same SQL on both.

Values are spelled as the resolvers' answers spell them: dates as ISO dates, timestamps
as ISO 8601 in Copenhagen time with their day's offset (Python's ``isoformat``),
booleans as JSON booleans, and keyset cursors as the unpadded URL-safe base64 of the
sort key's compact JSON (api.read.pages.encode_cursor)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import sqlalchemy as sa

from api.loaders.dates import COPENHAGEN

Expr = sa.ColumnElement[Any]

# SQLite has no time zones and no base64: the compiled statements call these two, which
# each connection gets before it runs them (register_sqlite_functions).
_SQLITE_LOCAL_TIME = "referat_local_time"
_SQLITE_CURSOR = "referat_cursor"


def _local_time(stored: str | None) -> str | None:
    """A stored timestamp (UTC, as SQLAlchemy writes it on SQLite) in Copenhagen time."""
    if stored is None:
        return None
    moment = dt.datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(COPENHAGEN).isoformat()


def _cursor(key_json: str) -> str:
    return base64.urlsafe_b64encode(key_json.encode()).decode().rstrip("=")


def register_sqlite_functions(dbapi_connection: Any) -> None:
    dbapi_connection.create_function(_SQLITE_LOCAL_TIME, 1, _local_time, deterministic=True)
    dbapi_connection.create_function(_SQLITE_CURSOR, 1, _cursor, deterministic=True)


def _key(name: str) -> Expr:
    """An object key inline: GraphQL names are [_A-Za-z][_0-9A-Za-z]*, nothing to quote.
    Inline, not bound: PostgreSQL cannot type a parameter given to a variadic "any"."""
    return sa.literal_column(f"'{name}'")


def text_literal(value: str) -> Expr:
    """A constant string value inline (type names, as ``__typename`` answers them)."""
    if not value.isidentifier():  # pragma: no cover - type names are GraphQL names
        raise ValueError(value)
    return sa.literal_column(f"'{value}'")


class Dialect:
    def __init__(self, name: str) -> None:
        if name not in ("postgresql", "sqlite"):
            raise ValueError(f"no JSON compiler for {name}")
        self.postgres = name == "postgresql"

    def object(self, pairs: list[tuple[str, Expr]]) -> Expr:
        arguments: list[Expr] = []
        for key, value in pairs:
            arguments += [_key(key), value]
        if self.postgres:
            return sa.func.json_build_object(*arguments)
        return sa.func.json_object(*arguments)

    def array(self, rows: sa.Select[Any]) -> Expr:
        """The JSON array of a select of one JSON column, in the select's order."""
        inner = rows.subquery()
        column = next(iter(inner.c))
        aggregate: Expr
        if self.postgres:
            aggregate = sa.func.coalesce(sa.func.json_agg(column), sa.literal_column("'[]'::json"))
        else:
            aggregate = sa.func.json_group_array(sa.func.json(column))
        return sa.select(aggregate).select_from(inner).scalar_subquery()

    def nested(self, value: Expr) -> Expr:
        """A JSON value from a subquery; SQLite loses JSON's subtype across one."""
        return value if self.postgres else sa.func.json(value)

    def empty_array(self) -> Expr:
        return sa.literal_column("'[]'::json" if self.postgres else "'[]'")

    def boolean(self, value: Expr) -> Expr:
        if self.postgres:
            return value
        truth = sa.case((value, sa.literal_column("'true'")), else_=sa.literal_column("'false'"))
        return sa.func.json(sa.case((value.is_(None), None), else_=truth))

    def local_time(self, value: Expr) -> Expr:
        if not self.postgres:
            local_time: Expr = getattr(sa.func, _SQLITE_LOCAL_TIME)(value)
            return local_time
        zone: Expr = sa.literal_column(f"'{COPENHAGEN.key}'")
        local = sa.func.timezone(zone, value)
        utc = sa.func.timezone(sa.literal_column("'UTC'"), value)
        fraction = sa.case(
            (
                sa.extract("microseconds", value) % 1_000_000 != 0,
                sa.func.to_char(local, sa.literal_column("'.US'")),
            ),
            else_=sa.literal_column("''"),
        )
        iso = sa.func.concat(
            sa.func.to_char(local, sa.literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'")),
            fraction,
            # Copenhagen is east of Greenwich: its offset is never negative.
            sa.func.to_char(local - utc, sa.literal_column("'\"+\"HH24:MI'")),
        )
        return sa.case((value.is_(None), None), else_=iso)

    def cursor(self, keys: list[Expr]) -> Expr:
        """encode_cursor of the sort key, in SQL."""
        if not self.postgres:
            cursor: Expr = getattr(sa.func, _SQLITE_CURSOR)(sa.func.json_array(*keys))
            return cursor
        parts: list[Any] = [sa.literal_column("'['")]
        for i, key in enumerate(keys):
            if i:
                parts.append(sa.literal_column("','"))
            parts.append(sa.cast(sa.func.to_json(key), sa.Text))
        parts.append(sa.literal_column("']'"))
        raw = sa.func.encode(sa.func.convert_to(sa.func.concat(*parts), "UTF8"), "base64")
        # base64 with its line breaks and padding dropped, in the URL-safe alphabet.
        return sa.func.translate(raw, sa.literal_column("E'+/\\n='"), sa.literal_column("'-_'"))

    def text(self, value: Expr) -> Expr:
        """The statement's one column: JSON as text, which the driver hands over as str
        (psycopg would parse a json column into Python objects)."""
        return sa.cast(value, sa.Text) if self.postgres else value
