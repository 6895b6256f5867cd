"""The order search walks documents in: newest first.

SQLite's FTS5 walks its matches in rowid order at no cost, so a search document's rowid
is its date's key plus its place among that day's documents; a date range is then a
rowid range. PostgreSQL walks an index on (date, id) instead.
"""

from __future__ import annotations

import datetime as dt

# Room for 2**32 search documents a day; ordinal days fit 20 bits, so keys stay below 2**63.
DAY = 1 << 32


def day_key(day: dt.date) -> int:
    """The smallest rowid of the documents dated ``day``."""
    return day.toordinal() * DAY
