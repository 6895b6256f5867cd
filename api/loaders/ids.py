"""Stable, readable ids from natural keys: one rule for every engine, every ingest order and
every re-ingest, since an id depends on nothing but the document's own content.

An id is a path of segments joined by ``.``, from the organization down; a segment's shape
tells its type, so no two types ever share an id::

    organization  hoeje-taastrup-kommune
    body          hoeje-taastrup-kommune.direktionen
    meeting       hoeje-taastrup-kommune.direktionen.2019-12-09T1000   (start time, local)
                  hoeje-taastrup-kommune.direktionen.2019-12-09        (no start time given)
    agenda item   hoeje-taastrup-kommune.direktionen.2019-12-09T1000.7
    decision      hoeje-taastrup-kommune.direktionen.2019-12-09T1000.7.direktionen-2019-12-09
                  (the deciding body and date; a second one of them in the item: ``_2``)
    case          hoeje-taastrup-kommune.case_19-227
    person        hoeje-taastrup-kommune.person_kathrine-seier-skastrup

Slugs are lower-case letters, digits and ``-`` (æ→ae, ø→oe, å→aa), so ``.`` and ``_``
only ever come from this scheme, and every id is safe in a URL path as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from api.loaders.dates import COPENHAGEN

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Two-digit case years: 70-99 are the 1900s, the rest the 2000s. Fixed, so a case's year
# never changes with the calendar.
_CENTURY_PIVOT = 70
_CASE_PARTS = re.compile(r"[-./]")


def slugify(text: str) -> str:
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    )
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if slug:
        return slug
    # A name of punctuation alone still needs an id, and the same one every time.
    return "x" + hashlib.sha256(text.encode()).hexdigest()[:10]


def organization_id(name: str) -> str:
    return slugify(name)


def body_id(organization: str, name: str) -> str:
    return f"{organization}.{slugify(name)}"


def meeting_id(body: str, date: dt.date, starts_at: dt.datetime | None) -> str:
    """The start time tells two meetings of a body on one day apart; it is the time
    the document gives, in Copenhagen, whatever zone ``starts_at`` is in."""
    if starts_at is None:
        return f"{body}.{date.isoformat()}"
    return f"{body}.{date.isoformat()}T{starts_at.astimezone(COPENHAGEN):%H%M}"


def agenda_item_id(meeting: str, number: int) -> str:
    return f"{meeting}.{number}"


def decision_id(item: str, body: str, date: dt.date, occurrence: int) -> str:
    """``occurrence`` counts the item's decisions of the same body on the same date, in
    document order, from 1."""
    base = f"{item}.{slugify(body)}-{date.isoformat()}"
    return base if occurrence == 1 else f"{base}_{occurrence}"


def decision_ids(item: str, decisions: Iterable[tuple[str, dt.date]]) -> list[str]:
    """The ids of an item's decisions, given each one's deciding body and date in
    document order."""
    seen: Counter[tuple[str, dt.date]] = Counter()
    found = []
    for body, date in decisions:
        seen[slugify(body), date] += 1
        found.append(decision_id(item, body, date, seen[slugify(body), date]))
    return found


def case_id(organization: str, number: str) -> str:
    return f"{organization}.case_{slugify(number)}"


def person_id(organization: str, name: str) -> str:
    return f"{organization}.person_{slugify(name)}"


def case_year(number: str, opened_by: int) -> int:
    """The year a case was opened, as its number tells: "19/227" is 2019, "330-2018-3619"
    2018, "1-51-71-3321-08" 2008 (a year last); a number that tells none takes
    ``opened_by``, the year of the meeting that names it."""
    head, slash, _ = number.partition("/")
    if slash and head.isdigit() and len(head) in (2, 4):
        return _full_year(int(head))
    parts = _CASE_PARTS.split(number)
    for part in parts:
        if len(part) == 4 and part.isdigit() and 1900 <= int(part) <= 2100:
            return int(part)
    if len(parts) > 1 and len(parts[-1]) == 2 and parts[-1].isdigit():
        return _full_year(int(parts[-1]))
    return opened_by


def _full_year(year: int) -> int:
    if year >= 100:
        return year
    return 1900 + year if year >= _CENTURY_PIVOT else 2000 + year
