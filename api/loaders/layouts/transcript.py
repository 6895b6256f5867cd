"""Page-per-line transcripts: a PDF whose every page became one line of text.

Converters such as docplayer's give "1 REFERAT Byrådet Mødedato: Torsdag den Mødested:
Byrådssalen …": a page number, then the page's labels, headings and paragraphs run
together. Broken again before each label, heading and item number, such a page reads
as the parser reads any other document.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable

from api.loaders.layouts.cases import CASE_LABELS
from api.loaders.layouts.labels import LABELS
from api.loaders.layouts.sections import ATTACHMENT_HEADINGS, SECTION_HEADINGS

# A document whose typical line is this long has lost its line breaks.
_TRANSCRIPT_LINE = 250


def _names(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_BREAK_BEFORE = re.compile(
    rf"\s(?=(?:{_names(LABELS)}|{_names(SECTION_HEADINGS)}|{_names(ATTACHMENT_HEADINGS)})\s*:"
    rf"|(?:{_names(CASE_LABELS)})\.?\s*:"
    r"|Beslutning[^:\n]{0,80}:"
    r"|Indholdsfortegnelse\b|LUKKET MØDE\b"
    r"|(?<![\d.,])\d{1,3}\.\s+(?-i:[A-ZÆØÅ]))",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\d{1,4}\s+(?:Side\s+\d{1,4}\s+)?")


def is_transcript(lines: list[str]) -> bool:
    lengths = [len(line) for line in lines if line.strip()]
    return bool(lengths) and statistics.median(lengths) > _TRANSCRIPT_LINE


def split_transcript(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines broken at their labels and headings, and the source line of each."""
    out: list[str] = []
    origin: list[int] = []
    for index, page in enumerate(lines):
        for part in _BREAK_BEFORE.split(_PAGE_NUMBER.sub("", page.strip())):
            out.append(part.strip())
            origin.append(index)
        out.append("")
        origin.append(index)
    return out, origin
