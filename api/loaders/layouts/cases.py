"""Archive case numbers ("sagsnummer") as the agenda systems print them."""

from __future__ import annotations

import re

# Labels before a case number; "Dok.nr." numbers a document, not a case.
CASE_LABELS = (
    "sagsnr", "sagsnummer", "sagsid", "sags-id", "sags id", "sagnr", "sags nr", "sags-nr", "sag-nr",
    "j.nr", "j. nr", "journalnr", "journalnummer", "arkivsag", "arkivsagsnr", "acadre-sagsnr",
)  # fmt: skip
_LABEL = "|".join(re.escape(label) for label in sorted(CASE_LABELS, key=len, reverse=True))
# 19/227, 330-2018-3619, 1-51-71-3321-08, 00.01.00-A00-1-20: digits, then parts joined
# by / - or . (a bare number is an item number: "Sag nr. 129").
# (and a system's prefix: EMN-2023-00412), read whole or not at all.
_NUMBER = r"(?:[A-ZÆØÅ]{2,5}-)?\d+(?:[./-][0-9A-Za-zÆØÅæøå]+)+"
_LABELLED = re.compile(
    rf"^(?:{_LABEL})\.?\s*:?\s*(?P<number>{_NUMBER})(?![\wæøåÆØÅ/-])", re.IGNORECASE
)
_BARE = re.compile(r"^(?P<number>\d{2}/\d{1,7})$")
# "Sag 306-2009-600" alone on its line (Odsherred); "Sag nr. 129" numbers an item.
_SAG = re.compile(rf"^Sag\s+(?P<number>{_NUMBER})$")
_INITIALS = frozenset("sSjJaA0123456789")


def case_number(line: str) -> str | None:
    """The case number a structural line gives, labelled ("Sagsnr.: 19/227") or bare."""
    if line[:1] not in _INITIALS:
        return None
    match = _BARE.match(line) or _LABELLED.match(line) or _SAG.match(line)
    return match["number"].rstrip(".") if match else None


def is_labelled(line: str) -> bool:
    """A labelled case number names itself, wherever it stands."""
    return line[:1] in _INITIALS and (_LABELLED.match(line) or _SAG.match(line)) is not None
