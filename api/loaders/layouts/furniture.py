"""Web furniture: what agenda portals print around the minutes, never part of them."""

from __future__ import annotations

import re

# A whole line of just these words (a list bullet and a colon aside).
FURNITURE_LINES = frozenset(
    {
        "udskriv", "udskriv hele dagsordnen", "udskriv dagsorden", "udskriv punkt",
        "udskriv referat", "print", "til toppen", "til top", "tilbage til toppen",
        "fold alle ud", "fold alle sammen", "fold ud", "fold sammen", "abonnér", "abonner",
        "del", "del på facebook", "luk", "læs mere", "hent som pdf", "download",
        "gå til indhold", "application/pdf icon",
    }
)  # fmt: skip
# Longer lines are text, but for a glued link ("Indholdsfortegnelse1. Fraværende") or a
# file icon at the end ("… .pdf application/pdf icon").
LONGEST_LINE = 40
# Cookie banners, recognised only before the first agenda item: an item may well
# discuss the municipality's own cookies.
COOKIE_WORDS = ("cookie",)
_COOKIE_LINE_MAX = 400
# Link text glued to the heading after it: "Indholdsfortegnelse1. Fraværende".
_GLUED = re.compile(r"^(?:Indholdsfortegnelse|Til toppen|Udskriv)(?=\d|[A-ZÆØÅ])")
# A file link's type icon: "Bilag 1.pdf application/pdf icon", "application/pdf icon
# udkast.pdf".
_ICON = re.compile(r"\s*application/[\w.+-]+\s+icon$|^(\s*)application/[\w.+-]+\s+icon\s+", re.I)
_BULLET = re.compile(r"^[\s•·▪◦*-]+")


def is_furniture(line: str) -> bool:
    """Whether a whole line is portal furniture."""
    words = _BULLET.sub("", line).strip().rstrip(":").casefold()
    return bool(words) and words in FURNITURE_LINES


def is_banner(line: str) -> bool:
    """Whether a line before the minutes is a cookie banner's text."""
    folded = line.casefold()
    return len(line) < _COOKIE_LINE_MAX and any(word in folded for word in COOKIE_WORDS)


def without_furniture(line: str) -> str:
    """The line with glued link text and file-type icons taken off."""
    if line.lstrip()[:1] in "IUT" and (glued := _GLUED.match(line.lstrip())):
        line = line.lstrip()[glued.end() :]
    if "icon" in line:
        line = _ICON.sub(r"\1", line)
    return line
