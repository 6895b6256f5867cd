"""What a row's values become in an answer, the same in GraphQL and REST."""

from __future__ import annotations

import datetime as dt

from api import queries
from api.loaders.dates import COPENHAGEN

Row = queries.Row


def stored(row: Row | None) -> Row:
    """A row a foreign key promises; its absence is a bug, reported as such."""
    if row is None:
        raise LookupError("a row that a foreign key refers to is missing")
    return row


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """Timestamps are shown in Copenhagen time, with the offset of their day."""
    return None if moment is None else moment.astimezone(COPENHAGEN)
