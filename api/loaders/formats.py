"""What kind of document a file is, told by its content: magic bytes and markup, not its
name. A file named .txt that holds a PDF is read as a PDF."""

from __future__ import annotations

import enum
import re

from api.loaders.records import MinutesFormatError


class Format(enum.Enum):
    TEXT = "text"  # plain text or Markdown
    HTML = "HTML"
    PDF = "PDF"


# The kinds that are not documents Referat reads, with what to do instead.
_NOT_READ = (
    (b"PK\x03\x04", "a ZIP or Office (docx, xlsx) file: save it as PDF"),
    (b"\xd0\xcf\x11\xe0", "an old Office (doc, xls) file: save it as PDF"),
    (b"{\\rtf", "an RTF file: save it as PDF"),
    (b"\x89PNG", "a PNG image: scanned minutes need OCR, which Referat does not do"),
    (b"\xff\xd8\xff", "a JPEG image: scanned minutes need OCR, which Referat does not do"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image: scanned minutes need OCR, which Referat does not do"),
    (b"MM\x00*", "a TIFF image: scanned minutes need OCR, which Referat does not do"),
)
# The PDF header may follow a little junk (the specification allows it in the first KB).
_PDF_WITHIN = 1024
# A page starts with markup: a doctype, an XML declaration or comment, or an HTML element
# that pages (and portals' fragments) begin with. Markdown with a stray <p> does not.
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title|link|div|section|article|main|table|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF = 4096


class UnsupportedFormat(MinutesFormatError):
    """A file of a kind Referat does not read (an image, an Office file)."""

    def __init__(self, source: str, what: str) -> None:
        super().__init__(source, 1, f"unsupported type: {what}")
        self.what = what

    def __reduce__(self) -> tuple[type[UnsupportedFormat], tuple[str, str]]:  # type: ignore[override]
        return (type(self), (self.source, self.what))


def detect_format(data: bytes, *, source: str) -> Format:
    """The format of a file's content; UnsupportedFormat for kinds that are not read."""
    head = data[:_SNIFF]
    if b"%PDF-" in head[:_PDF_WITHIN]:
        return Format.PDF
    for magic, what in _NOT_READ:
        if head.startswith(magic):
            raise UnsupportedFormat(source, what)
    if _HTML_START.match(head):
        return Format.HTML
    return Format.TEXT
