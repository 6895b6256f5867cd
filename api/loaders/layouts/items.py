"""Agenda item headings, by layout family.

A document numbers its items one way: "Punkt 3: Titel" (Høje-Taastrup), "3. Titel",
"3.Titel" or "• 3. Titel" (most portals), "Nr. 60 - Titel", or the title with "Sag nr.
129" on the line below it (Rødovre). Numbers may run through the year (49, 129, 301).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ItemHeading:
    family: str
    number: int
    title: str
    # Confirmed by its own form; the others need what follows them (a case number, a
    # section heading) or the table of contents.
    certain: bool


# (family, pattern, certain): the families in the order a document is tried for them.
ITEM_HEADINGS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("punkt", re.compile(r"^Punkt\s+(\d{1,4})\s*:\s*(.*)$", re.IGNORECASE), True),
    ("punkt", re.compile(r"^(?:Punkt|Pkt\.?)\s*(\d{1,4})\s*[.,)\-–]?\s+(\S.*)$", re.I), False),
    # "Pkt. 12" alone, the title on the line below (a Word export)
    ("punkt", re.compile(r"^(?:Punkt|Pkt\.?)\s*(\d{1,4})\s*[.:]?()$", re.IGNORECASE), False),
    ("ad", re.compile(r"^Ad\.?\s*(?:pkt\.?\s*)?(\d{1,4})\s*[.:)]\s*(\S.*)$", re.I), False),
    ("sag-nr", re.compile(r"^Sag\s+nr\.?\s*(\d{1,4})()$", re.IGNORECASE), True),
    ("nr", re.compile(r"^Nr\.\s*(\d{1,4})\s*[-–:.]\s*(\S.*)$"), False),
    ("number", re.compile(r"^(?:[•·▪]\s*)?(\d{1,4})\s*\.\s*([^\W\d_].*|[\"“”„«'(].*)$"), False),
)
FAMILIES = ("punkt", "sag-nr", "nr", "ad", "number")
_INITIALS = frozenset("PpSNA•·▪0123456789")


def item_heading(line: str) -> ItemHeading | None:
    if line[:1] not in _INITIALS:
        return None
    for family, pattern, certain in ITEM_HEADINGS:
        match = pattern.match(line)
        if match is not None:
            return ItemHeading(family, int(match[1]), match[2].strip(), certain)
    return None


# An item whose decision lists the meeting's absentees (Brønderslev: "1. Fraværende").
ABSENCE_TITLES = frozenset(
    {"fraværende", "afbud", "fravær", "meddelelse om fravær", "fraværende medlemmer",
     "afbud og fravær", "afbud/fravær"}
)  # fmt: skip
# Body abbreviations that prefix item titles in First Agenda ("KB - Spørgetid"), which
# may be all that names the meeting's body when a PDF lost its header's name.
BODY_ABBREVIATIONS = {
    "KB": "Kommunalbestyrelsen",
    "BY": "Byrådet",
    "BR": "Byrådet",
    "ØU": "Økonomiudvalget",
    "RR": "Regionsrådet",
    "FU": "Forretningsudvalget",
}
TITLE_ABBREVIATION = re.compile(r"^(?:Lukket\s*-\s*)?([A-ZÆØÅ]{2,4})\s+-\s+\S")
