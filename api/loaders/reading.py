"""Turning a file's bytes into clean text the parser can rely on."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from api.loaders.formats import Format, detect_format
from api.loaders.html import html_to_text
from api.loaders.pdf import pdf_to_text
from api.loaders.records import MinutesFormatError

# Bytes that never occur in text documents; a few of them mean the file is binary.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13))
_MAX_CONTROL_RATIO = 0.01
# Starts with a literal, so the engine searches for it quickly; the line check follows.
_FURNITURE = re.compile(r"Side[ \t]+\d+[ \t]+af[ \t]+\d+")
# Characters that only get in the way: soft hyphens, zero-width spaces, stray BOMs; and
# spaces that must not stop a heading or a name from matching.
_REPLACEMENTS = tuple(
    [(char, "") for char in "\xad\u200b\u200c\u200d\u2060\ufeff"]
    + [(char, " ") for char in "\xa0\u2007\u202f"]
)


def read_document(path: str | Path) -> str:
    """Read a minutes file as normalised text; raise MinutesFormatError for what cannot
    be read (UnsupportedFormat for kinds of file that are not documents)."""
    return document_text(Path(path).read_bytes(), source=str(path))


def document_text(data: bytes, *, source: str) -> str:
    """A document's text, whatever its format, ready for the parser."""
    kind = detect_format(data, source=source)
    if kind is Format.HTML:
        return normalise_text(html_to_text(data, source=source))
    if kind is Format.PDF:
        return normalise_text(pdf_to_text(data, source=source))
    return normalise_text(decode_document(data, source=source))


def decode_document(data: bytes, *, source: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252; reject binary data.
    The file's format is text (api.loaders.formats)."""
    if not data.strip():
        raise MinutesFormatError(source, 1, "empty document")
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise MinutesFormatError(
                    source, _line_of(data, exc.start), "invalid UTF-16 text"
                ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise MinutesFormatError(source, _line_of(data, nul), "binary file: contains NUL bytes")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_RATIO * len(data):
        raise MinutesFormatError(source, 1, "binary file: too many control characters")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Older exports from Windows systems are cp1252; it maps nearly every byte.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise MinutesFormatError(
            source, _line_of(data, exc.start), "neither UTF-8 nor cp1252 text"
        ) from None


def normalise_text(text: str) -> str:
    """Unify line ends and spaces and blank out page furniture.

    Line numbers stay those of the source file, so that errors and warnings point at the
    right line: furniture lines become empty instead of disappearing, and a form feed only
    starts a new line where the source had none.
    """
    # Each replacement only where its character occurs: a one-character `in` is a fast
    # scan, while a no-op replace or a two-character search costs 30 times as much.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\v" in text:
        text = text.replace("\v", "\n")
    if "\f" in text:
        # A form feed only starts a new line where the source had none.
        text = text.replace("\n\f", "\n").replace("\f\n", "\n").replace("\f", "\n")
    for char, replacement in _REPLACEMENTS:
        if char in text:
            text = text.replace(char, replacement)
    return _FURNITURE.sub(_blank_if_alone, text) if "Side" in text else text


def _blank_if_alone(match: re.Match[str]) -> str:
    """Page furniture is a whole line "Side 3 af 12"; the same words inside prose stay."""
    text = match.string
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    before = text[line_start : match.start()]
    after = text[match.end() : line_end if line_end >= 0 else len(text)]
    return "" if not before.strip(" \t") and not after.strip(" \t") else match[0]


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
