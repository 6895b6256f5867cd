"""``html_to_text``: an agenda portal's page as the lines the minutes parser reads.

lxml parses the page (any HTML a browser accepts) and the DOM is walked once: headings
and paragraphs become lines of their own with a blank line after them, list items and
other blocks become lines, ``<br>`` breaks a line, and a table becomes one
``| a | b | c |`` row per ``<tr>``, the form of the text parser's tables and contents.
What a portal wraps around the minutes is dropped: scripts, styles, navigation, forms,
cookie banners, and its furniture ("Udskriv", "Til toppen", "Fold alle ud").
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from api.loaders.layouts.furniture import FURNITURE_LINES
from api.loaders.records import MinutesFormatError

# Elements whose content is never the minutes'.
_DROPPED = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "footer", "aside", "form",
        "button", "select", "textarea", "iframe", "svg", "object", "embed", "head",
    }
)  # fmt: skip
# Whose class, id or role says so: banners, menus, breadcrumbs, sharing and print bars.
_DROPPED_MARKS = re.compile(
    r"cookie|consent|gdpr|banner|breadcrumb|navbar|menu|skip-?link|share|social|toolbar",
    re.IGNORECASE,
)
_DROPPED_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "dialog", "menu"})
# A paragraph: a line, then a blank line.
_PARAGRAPHS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote",
        "pre", "section", "article", "main", "header", "figure", "address", "hr",
    }
)  # fmt: skip
# A line of its own.
_LINES = frozenset({"div", "li", "dt", "dd", "caption", "figcaption", "tr", "br", "summary"})
_CELLS = frozenset({"td", "th"})
# HTML's white space: a no-break space is text, not a place to break or collapse.
_SPACES = re.compile(r"[ \t\n\r\f]+")
_ASCII_SPACE = " \t\n\r\f"
_BULLET = re.compile(r"^(?:- |\d+\. )")


def html_to_text(data: bytes, *, source: str) -> str:
    """The page's text as lines; MinutesFormatError when it holds no text at all."""
    # huge_tree: libxml2 otherwise drops what lies more than 256 elements deep.
    parser = lxml.html.HTMLParser(
        encoding=_encoding(data), remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise MinutesFormatError(source, 1, f"unreadable HTML: {exc}") from None
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":  # what lies beyond it is gone
            reason = f"unreadable HTML: elements nested too deep ({error.message.strip()})"
            raise MinutesFormatError(source, error.line, reason)
    writer = _Writer()
    skipping = 0  # depth inside a dropped element
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if event == "start":
            if skipping or _dropped(element, tag):
                skipping += 1
                continue
            writer.open(tag)
            if element.text:
                writer.text(element.text)
            continue
        if skipping:
            skipping -= 1
            if skipping == 0 and element.tail:
                writer.text(element.tail)
            continue
        writer.close(tag)
        if element.tail:
            writer.text(element.tail)
    return writer.result()


def _encoding(data: bytes) -> str:
    """UTF-8 when the bytes are UTF-8, as most pages are whatever they declare; else the
    page's own declaration, else Windows' Western encoding."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        declared = re.search(rb"charset\s*=\s*[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
        return declared[1].decode("ascii") if declared else "cp1252"
    return "utf-8"


def _dropped(element: lxml.html.HtmlElement, tag: str) -> bool:
    if tag in _DROPPED:
        return True
    if tag == "header" and not any(
        ancestor.tag in ("main", "article") for ancestor in element.iterancestors()
    ):
        return True  # the site's header, not a document's
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if element.get("role", "").lower() in _DROPPED_ROLES:
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(marks.strip()) and _DROPPED_MARKS.search(marks) is not None


class _Writer:
    """Collects the page's lines: inline text joins up until a block ends it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.inline: list[str] = []
        self.pre = 0
        self.row: list[str] | None = None  # the cells of the table row being read
        self.lists: list[list[int]] = []  # for each open list: [is ordered, items so far]

    def text(self, text: str) -> None:
        self.inline.append(text if self.pre else _SPACES.sub(" ", text))

    def open(self, tag: str) -> None:
        if tag == "pre":
            self.pre += 1
        if tag in _CELLS:
            self.cell(stray=True)
        elif tag in _PARAGRAPHS:
            self.paragraph()
        elif tag in _LINES:
            self.line()
        if tag == "tr":
            self.row = []
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            ordered, number = self.lists[-1]
            self.inline.append(f"{number}. " if ordered else "- ")

    def close(self, tag: str) -> None:
        if tag in _CELLS:
            self.cell()
        elif tag == "tr":
            self.cell(stray=True)
            cells, self.row = self.row or [], None
            if any(cells):
                self.lines.append("| " + " | ".join(cells) + " |")
        elif tag in _PARAGRAPHS:
            self.paragraph()
        elif tag in _LINES:
            self.line()
        if tag == "pre":
            self.pre -= 1
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()

    def cell(self, *, stray: bool = False) -> None:
        """The text read since the last cell is a cell; ``stray`` text between cells is
        one only when there is some."""
        if self.row is None:
            return
        text = _SPACES.sub(" ", "".join(self.inline)).strip(_ASCII_SPACE).replace("|", "/")
        self.inline = []
        if text or not stray:
            self.row.append(text)

    def line(self) -> None:
        if self.row is not None:
            return  # a block inside a table cell stays in the cell
        text = "".join(self.inline)
        self.inline = []
        for raw in text.split("\n") if self.pre else [text]:
            line = raw.rstrip(_ASCII_SPACE) if self.pre else raw.strip(_ASCII_SPACE)
            words = _BULLET.sub("", line).strip()  # what a list item says
            if words and words.casefold().rstrip(":") not in FURNITURE_LINES:
                self.lines.append(line)

    def paragraph(self) -> None:
        self.line()
        if self.row is None and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def result(self) -> str:
        self.paragraph()
        return "\n".join(self.lines).strip("\n") + "\n"
