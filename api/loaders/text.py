"""Line-level clean-up: structural lines without decoration, readable section text.

Minutes reach us converted from PDF, Word or HTML, so the same content may arrive as
plain lines, Markdown (``## **Baggrund**``), tab-separated table rows, Markdown tables or
``<p>`` fragments. Everything here is pure string work on one line or one block.
"""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_LIST_ITEM = re.compile(r"^\s*([-–•*]|\d{1,3}[.)]|[a-zæøå][.)])\s")
# Known block and inline tags only, so that text like "< 5 år" or "a<b" survives.
_TAG_NAMES = (
    r"p|br|ul|ol|li|i|b|u|em|strong|span|div|table|tbody|thead|tr|td|th|sup|sub|a|font|h[1-6]"
)
_BREAK_TAGS = re.compile(r"</?(p|br|li|tr|div|h[1-6])(\s[^>]*)?/?>", re.IGNORECASE)
_OTHER_TAGS = re.compile(rf"</?({_TAG_NAMES})(\s[^>]*)?/?>", re.IGNORECASE)
# A blank line after a hyphenated word, or between a word or comma and a lower-case word.
# The literal comes first so that the engine can search for it quickly.
_PAGE_BREAK = re.compile(
    r"\n\n(?:(?<=[^\W\d_]-\n\n)(?=\w)|(?<=[^\W\d_]\n\n|,\n\n)(?=[a-zæøåäöüé]))"
)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def structural(line: str) -> str:
    """The text of a structural line with Markdown decoration (``#``, ``**``) removed."""
    s = line.strip()
    if s.startswith(("#", "*", "_")) or "**" in s:
        s = s.lstrip("#").replace("**", "").replace("__", "").strip()
    return s


def clean_block(text: str) -> str:
    """Readable text of a section: paragraphs split by one blank line, lists and tables
    one row a line, no Markdown or HTML decoration, paragraphs cut by a page break mended."""
    lines = text.split("\n")
    # Most lines are plain prose and pass through untouched; these cheap tests (no
    # function call, no regex) find the few that need the full clean-up.
    special = [
        index
        for index, line in enumerate(lines)
        if line
        and (
            line[0] in " \t#"
            or line[-1] == " "
            or "\t" in line
            or "<" in line
            or "|" in line
            or "*" in line
            or "&" in line
        )
    ]
    if special:
        out: list[str] = []
        done = 0
        for index in special:
            out.extend(lines[done:index])
            out.extend(clean_line(lines[index]))
            done = index + 1
        out.extend(lines[done:])
        lines = out
    text = "\n".join(lines)
    while "\n\n\n" in text:  # str.replace beats a regex here by an order of magnitude
        text = text.replace("\n\n\n", "\n\n")
    text = text.strip("\n")
    return _PAGE_BREAK.sub(_mend, text)


def _mend(boundary: re.Match[str]) -> str:
    """Join two paragraphs where a page break cut a sentence between them.

    PDF conversion leaves a blank line at each page end, so "… Høje-" / "Taastrup …" or
    "… som kræver særlig opmærksomhed," / "registreres de …" arrive as two paragraphs.
    A paragraph does not end in a hyphenated word or a comma, and seldom starts in
    lower case; tables and list items are left alone.
    """
    text = boundary.string
    before = text[text.rfind("\n", 0, boundary.start()) + 1 : boundary.start()]
    after_end = text.find("\n", boundary.end())
    after = text[boundary.end() : after_end if after_end >= 0 else len(text)]
    if " | " in before or " | " in after or _LIST_ITEM.match(after):
        return boundary[0]
    return "" if before.endswith("-") else " "


def clean_line(raw: str) -> list[str]:
    """One source line as zero or more clean lines; ``[""]`` marks a paragraph break."""
    line = raw.rstrip()
    stripped = line.strip()
    if not stripped:
        return [""]
    if stripped[0] == "|" and stripped[-1] == "|" and len(stripped) > 1:
        return _markdown_table_row(stripped)
    if "\t" in line:
        return _tab_row(line)
    if "<" in line:
        pieces = _html_pieces(stripped)
        return pieces or []
    if "**" in line:
        line = _BOLD.sub(r"\1", line)
    if stripped[0] == "#":
        line = _MD_HEADING.sub("", stripped)
    if "&" in line and ";" in line:
        line = html.unescape(line)
    if line[0].isspace() and not _LIST_ITEM.match(line):
        line = line.lstrip()
    return [line]


def _markdown_table_row(row: str) -> list[str]:
    if _MD_TABLE_RULE.match(row):
        return []
    return _join_cells(row[1:-1].split("|"))


def _tab_row(line: str) -> list[str]:
    if "<" in line or "**" in line or "&" in line:
        return _join_cells(line.split("\t"))
    row = " | ".join([cell for cell in map(str.strip, line.split("\t")) if cell])
    return [row] if row else []


def _join_cells(cells: list[str]) -> list[str]:
    """Cells of one table row as ``a | b | c``; a cell holding several ``<p>`` paragraphs
    continues on lines of its own, so that no paragraph runs into another."""
    rows: list[list[str]] = [[]]
    for cell in cells:
        pieces = _html_pieces(cell) if "<" in cell else _plain_pieces(cell)
        if not pieces:
            continue
        rows[-1].append(pieces[0])
        rows.extend([piece] for piece in pieces[1:])
    return [" | ".join(row) for row in rows if row]


def _plain_pieces(cell: str) -> list[str]:
    text = _BOLD.sub(r"\1", cell.strip()) if "**" in cell else cell.strip()
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    return [text] if text else []


def _html_pieces(fragment: str) -> list[str]:
    text = _BREAK_TAGS.sub("\n", fragment)
    text = _OTHER_TAGS.sub("", text)
    text = html.unescape(text)
    pieces: list[str] = []
    for part in text.split("\n"):
        # A converted <ul> arrives as "Temaer: • Byggeri• IT": one list item a line.
        head, *bullets = part.split("•")
        head = head.strip()
        if head:
            pieces.append(_BOLD.sub(r"\1", head))
        pieces.extend(f"- {b.strip()}" for b in bullets if b.strip())
    return pieces
