"""Closed agenda items ("lukket punkt"): their content is never stored."""

from __future__ import annotations

import re

# "Lukket", "Lukket punkt", "Lukket sag: Køb af jord", "Lukket - TM - Udbud", "Lukket.",
# "Lukket (personsag)", "(Lukket) Salg af grund", "Salg af grund (lukket)", "LUKKET MØDE".
_CLOSED_TITLE = re.compile(
    r"^\(?lukket(?:\s+(?:punkt|sag|møde|dagsordenspunkt))?\)?(?![\wæøå])"
    r"|\(lukket(?:\s+(?:punkt|sag))?\)\s*$",
    re.IGNORECASE,
)
# A line that starts the closed part of a meeting: every item after it is closed.
_CLOSED_PART = re.compile(
    r"^(?:lukket\s+møde|lukkede?\s+(?:punkter|sager|del)|lukket\s+dagsorden"
    r"|(?:sager|punkter)\s+(?:på|til|fra|behandlet\s+på)\s+lukket\s+møde)\s*:?$",
    re.IGNORECASE,
)


def is_closed_title(title: str) -> bool:
    return _CLOSED_TITLE.search(title) is not None


def starts_closed_part(line: str) -> bool:
    return _CLOSED_PART.match(line) is not None
