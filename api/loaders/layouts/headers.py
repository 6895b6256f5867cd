"""The header: what kind of document, of which body, on which day.

Agenda systems write it their own way: "REFERAT Direktionen d. 23-05-2023",
"Beslutningsprotokol", "Referat fra møde i Byrådet tirsdag den 1. oktober 2018",
"Byrådet - Referat", "Teknik- og Miljøudvalget – Referat – 1. oktober 2018",
"Dagsorden til mødet i Udvalg for regional udvikling den 1. februar 2023 kl. 09:00 i
Herning", "Møde i Økonomiudvalget den 3. maj 2021 REFERAT". A phrase is read as its
title part (kind and body), its date and time, and the place after them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from api.loaders.dates import WEEKDAYS, find_date, find_time
from api.loaders.records import DocumentKind

KIND_WORDS: dict[str, DocumentKind] = {
    "referat": DocumentKind.MINUTES,
    "beslutningsprotokol": DocumentKind.MINUTES,
    "protokol": DocumentKind.MINUTES,
    "mødereferat": DocumentKind.MINUTES,
    "dagsorden": DocumentKind.AGENDA,
    "tillægsdagsorden": DocumentKind.AGENDA,
}
_KIND = "|".join(KIND_WORDS)
_MEETING = r"(?:(?:ordinært|ekstraordinært|konstituerende)\s+)?(?:mødet|møde)"
_BODY = r"(?P<body>(?-i:[A-ZÆØÅ0-9])[^:]{1,90}?)"
# Title parts, tried in order.
TITLE_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"^(?P<kind>{_KIND})(?:\s+(?:fra|til|for|af)\s+{_MEETING})?$",
        rf"^(?P<kind>{_KIND})(?:\s*[-–—:]\s*|\s+(?:fra|til|for|af)\s+{_MEETING}(?:\s+i)?\s+"
        rf"|\s+){_BODY}$",
        # "Byrådet - Referat", "Møde i Økonomiudvalget … REFERAT": a separator, or "Møde
        # i", or a kind word in capitals ("Økonomiudvalget REFERAT"); never "Godkendelse
        # af dagsorden", an item's title.
        rf"^møde\s+i\s+{_BODY}\s*[-–—,:]?\s+(?P<kind>{_KIND})$",
        rf"^{_BODY}\s*[-–—,:]\s*(?P<kind>{_KIND})$",
        rf"^{_BODY}\s+(?P<kind>(?-i:REFERAT|DAGSORDEN|BESLUTNINGSPROTOKOL))$",
        rf"^{_MEETING}\s+i\s+{_BODY}$",
    )
)
# A body's name is a name: a phrase of prose is not one.
_BODY_MAX_WORDS = 9
_SEPARATORS = " \t-–—,:"
_ENDS_IN_PREPOSITION = re.compile(r"\s(?:af|til|for|om|i|på|med|fra|og)$")
_WEEKDAY_OR_DEN = re.compile(rf"(?:\s|^)(?:{'|'.join(WEEKDAYS)}|den|d\.)\s*$", re.IGNORECASE)
# "kl. 09:00", "kl. 9.30-12.00" (an end time is read past)
_TIME_WORDS = re.compile(
    r"^\s*,?\s*(?:kl\.?\s*)?\d{1,2}(?:[:.]\d{2}){1,2}(?:\s*[-–]\s*\d{1,2}(?:[:.]\d{2})?)?",
    re.IGNORECASE,
)
# Where a place ends: after a postcode and its town ("Lejrevej 15, 4320, Allerslev").
_POSTCODE_TOWN = re.compile(r"\b\d{4},?\s+[A-ZÆØÅ][\wæøå-]+")


@dataclass(frozen=True, slots=True)
class Header:
    text: str
    kind: DocumentKind | None
    body: str | None
    date: dt.date | None
    time: dt.time | None
    place: str | None
    rest: str  # what followed the place, unread
    impossible: bool = False  # a date written that names no day: 31-02-2019


def read_header(phrase: str) -> Header | None:
    """A header phrase read into its parts, or None if it is not one."""
    date, date_match = find_date(phrase)
    if date_match is not None:
        before, after = phrase[: date_match.start()], phrase[date_match.end() :]
    else:
        before, after = phrase, ""
    before = _WEEKDAY_OR_DEN.sub("", before.rstrip(_SEPARATORS)).rstrip(_SEPARATORS)
    kind = body = None
    if before:
        for pattern in TITLE_PATTERNS:
            match = pattern.match(before)
            if match is not None:
                named = match.groupdict().get("kind")
                kind = KIND_WORDS[named.casefold()] if named else None
                body = match.groupdict().get("body")
                break
        else:
            return None
        if body is not None and (
            len(body.split()) > _BODY_MAX_WORDS or _ENDS_IN_PREPOSITION.search(body)
        ):
            return None
    elif date is None:
        return None
    time = place = None
    rest = ""
    if date_match is not None or kind is not None:
        time_match = _TIME_WORDS.match(after)
        if time_match is not None:
            time, _ = find_time(time_match[0] if "kl" in time_match[0].lower() else after)
            after = after[time_match.end() :]
        # A trailing kind word: "Møde i Økonomiudvalget den 3. maj 2021 REFERAT".
        trailing = re.match(rf"^\s*[-–—,]?\s*(?P<kind>{_KIND})\s*$", after, re.IGNORECASE)
        if trailing is not None and kind is None:
            kind, after = KIND_WORDS[trailing["kind"].casefold()], ""
        after = after.strip(_SEPARATORS)
        if after.casefold().startswith("i "):
            after = after[2:].strip()
        if after:
            end = _POSTCODE_TOWN.search(after)
            place = after[: end.end()] if end else after
            rest = after[end.end() :].strip(_SEPARATORS) if end else ""
    elif after.strip():
        return None
    impossible = date_match is not None and date is None
    return Header(phrase, kind, body.strip() if body else None, date, time, place, rest, impossible)


def kind_word(text: str) -> DocumentKind | None:
    """The kind a label's value names ("MØDE: Referat")."""
    return KIND_WORDS.get(text.strip().casefold())
