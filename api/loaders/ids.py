"""Stable, readable ids from natural keys, identical on every engine and every re-ingest.

meeting ``direktionen-2019-12-09`` (a second meeting that day: ``-2``), agenda item
``direktionen-2019-12-09-7``, decision ``direktionen-2019-12-09-7-2019-11-25``, case
``19-227``, person ``kathrine-seier-skastrup``. Slugs fold æ→ae, ø→oe, å→aa.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Two-digit case years: 70-99 are the 1900s, the rest the 2000s. Fixed, so a case's year
# never changes with the calendar.
_CENTURY_PIVOT = 70


def slugify(text: str) -> str:
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    )
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if slug:
        return slug
    # A name of punctuation alone still needs an id, and the same one every time.
    return "x" + hashlib.sha256(text.encode()).hexdigest()[:10]


def meeting_id(body_id: str, date: dt.date, sequence: int) -> str:
    base = f"{body_id}-{date.isoformat()}"
    return base if sequence == 1 else f"{base}-{sequence}"


def agenda_item_id(meeting: str, number: int) -> str:
    return f"{meeting}-{number}"


def decision_id(item: str, date: dt.date, occurrence: int) -> str:
    """``occurrence`` counts decisions of the same item on the same date, from 1."""
    base = f"{item}-{date.isoformat()}"
    return base if occurrence == 1 else f"{base}-{occurrence}"


def case_id(number: str) -> str:
    return number.replace("/", "-")


def case_year(number: str) -> int:
    year = int(number.split("/", 1)[0])
    if year >= 100:
        return year
    return 1900 + year if year >= _CENTURY_PIVOT else 2000 + year
