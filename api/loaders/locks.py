"""PostgreSQL's advisory locks of the writers (ingest and removal): their keys.

A lock's key is a 64-bit integer; ours are hashes of readable names, so that two
writers of one thing always take the same lock."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable


def key(name: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def keys(names: Iterable[str]) -> list[int]:
    """Sorted: locks taken in one order by every writer never deadlock."""
    return sorted({key(name) for name in names})


def meeting(body_id: str, date: dt.date) -> str:
    """The lock of a body's meetings of one day: a document may replace any of them."""
    return f"{body_id}/{date.isoformat()}"


def shared(table: str, row_id: str) -> str:
    """The lock of a shared row (an organization, body, person or case) not yet stored."""
    return f"{table}:{row_id}"


# The change feed's one lock: held from a transaction's first change row to its commit.
FEED = key("referat:changes")
