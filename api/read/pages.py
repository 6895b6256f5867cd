"""Pages of listings: how many rows a page holds, and the keyset cursors that continue
one (opaque to clients: the sort key of the last row, as JSON in URL-safe base64)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from api.read.errors import BadUserInput

DEFAULT_PAGE = 20
MAX_PAGE = 100
# A case's own lists (Case.agendaItems, Case.decisions): their default and bound.
CASE_LIST_DEFAULT = 100
CASE_LIST_MAX = 500
# The change feed's pages (GraphQL's changes, REST's /changes): a mirror reads the
# whole feed, and each change is small.
FEED_PAGE_DEFAULT = 100
FEED_PAGE_MAX = 1000


def page_size(first: int | None, default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> int:
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise BadUserInput(f"first must be between 0 and {maximum}, not {first}")
    return first


def encode_cursor(key: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in key]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Sequence[type]) -> list[Any] | None:
    """The key in a cursor, typed like the sort key; BAD_USER_INPUT when it is not one
    of ours."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        return [_typed(value, kind) for value, kind in zip(values, types, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput(f"invalid cursor {cursor!r}") from None


def _typed(value: Any, kind: type) -> Any:
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    raise ValueError(value)
