"""``pdf_to_text``: a PDF as agenda systems print minutes, as the lines the parser reads.

pypdfium2 (PDFium) gives each page's text runs with their boxes; runs on one baseline
make a line, joined by a tab where a gap parts them (table cells, a contents entry and
its page number). Then the page layout is undone:

- running headers and footers, the lines at the same height with the same words (page
  numbers aside) on at least half the pages, are dropped; the first page's header is
  kept once, before everything, as the letterhead it is (it names the organization);
- a line that was broken only because the next word did not fit is joined to the next,
  across pages too, and a word hyphenated at the line's end is joined again;
- a larger gap than the document's usual line spacing ends a paragraph (a blank line);
- lines broken by their author, lists and tables keep their lines.

PDFium is not thread-safe, so documents are read under one lock.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import statistics
import threading
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from api.loaders.records import MinutesFormatError

_PDFIUM = threading.Lock()
_CELL_GAP = 1.0  # a gap wider than the font size parts two cells
_TOUCH = 0.2  # runs closer than this share a word ("<" and the address after it)
_WORD_GAP = 0.5  # a gap this wide parts two words even where no space is read
_PARAGRAPH_GAP = 1.35  # times the usual distance between baselines
_ROW_GAP = 1.2  # times the distance between a table's last two rows: its rows are even
_CELL_LEADING = 1.35  # times the font size: the lines of one cell are no further apart
_ALIGNED = 3.0  # points between a cell's start and a line's part under it
_MARGIN = 0.12  # running headers and footers lie in this share of the page's top and bottom
_HYPHEN = "\x02"  # PDFium's mark of a hyphen at the end of a line
_HYPHEN_MARKS = frozenset({"\x02", "\ufffe"})  # as its two ways of reading text give it
# "Sundheds- og omsorgsudvalget": a hyphen before these words is the author's.
_KEPT_HYPHEN_BEFORE = frozenset({"og", "eller", "samt", "til", "som"})
_DIGITS = re.compile(r"\d+")
_LIST_ITEM = re.compile(r"^(?:\d{1,3}[.)]|[-•–·*])\s")
_SAME_SIZE = 0.5  # points between the font sizes of lines set alike
_SPACE = 0.25  # a space's width, in font sizes


@dataclass
class _Line:
    page: int
    top: float  # from the top of the page, in points
    baseline: float
    left: float
    right: float
    size: float
    text: str
    first_word: float = 0.0  # the width of its first word, as printed
    cells: list[float] = field(default_factory=list)  # where each cell starts, left to right

    @property
    def key(self) -> tuple[int, str]:
        """What a running header or footer shares on every page: height and words."""
        return round(self.top / 3), _DIGITS.sub("#", self.text)


def pdf_to_text(data: bytes, *, source: str) -> str:
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise MinutesFormatError(source, 1, f"unreadable PDF: {exc}") from None
        try:
            read = [_page_lines(document, number) for number in range(len(document))]
        finally:
            document.close()
    pages = [lines for lines, _ in read]
    heights = [height for _, height in read]
    if not any(pages):
        raise MinutesFormatError(
            source, 1, "a PDF without a text layer (scanned?): Referat does not do OCR"
        )
    furniture = _running_lines(pages, heights)
    letterhead = [
        cell for line in pages[0] if line.key in furniture and line.top < heights[0] / 2
        for cell in line.text.split("\t")
    ]  # fmt: skip
    body = [line for page in pages for line in page if line.key not in furniture]
    return "\n".join([*letterhead, "", *_paragraphs(body)]).strip("\n") + "\n"


def _page_lines(document: pdfium.PdfDocument, number: int) -> tuple[list[_Line], float]:
    """The page's lines, top to bottom, and the page's height."""
    page = document[number]
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        runs = _page_runs(textpage, height)
    finally:
        textpage.close()
        page.close()
    # Runs whose middles lie within half a line of each other are on one line: glyph boxes
    # differ in depth (a "g", a page number in a table cell set lower).
    runs.sort(key=lambda run: run[0] + run[1])
    rows: list[list[_Run]] = []
    for run in runs:
        middle, depth = (run[0] + run[1]) / 2, run[1] - run[0]
        if rows:
            last = rows[-1][0]
            if abs((last[0] + last[1]) / 2 - middle) < max(depth, last[1] - last[0]) / 2:
                rows[-1].append(run)
                continue
        rows.append([run])
    return [_line(number, sorted(row, key=lambda run: run[2])) for row in rows], height


# A character read: itself, its box (left, bottom, right, top) and its index on the page.
_Char = tuple[str, float, float, float, float, int]


def _page_runs(textpage: pdfium.PdfTextPage, height: float) -> list[_Run]:
    """The page's words as runs of characters, each from its characters' own boxes.

    Character by character, not by PDFium's rectangles of text: where a generator sets
    kerned letters one by one (a browser's "Print to PDF"), a rectangle's text also
    holds its neighbours' overlapping letters ("REFERATAT"), and its rectangles can
    span several lines of a table."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count > 0 else ""
    if len(text) != count:  # characters beyond one UTF-16 unit: read one at a time
        text = "".join(textpage.get_text_range(index, 1)[:1] or " " for index in range(count))
    runs: list[_Run] = []
    word: list[_Char] = []
    low = high = tallest = 0.0  # the word's lowest and highest edges, its tallest letter

    for index, char in enumerate(text):
        if char.isspace() and char != "\xa0":
            if word:
                runs.append(_word_run(textpage, height, word))
                word = []
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        if word:
            last = word[-1]
            # The tallest letter stands for the word's size: a quote mark or a full stop
            # alone is a fraction of it.
            size = max(tallest, top - bottom, 1.0)
            # An underscore lies below its word's letters, a superscript above them.
            other_line = bottom > high + size / 2 or top < low - size / 2
            # A word ends at a space PDFium reads (its own, or one it infers from the
            # gap); glyph boxes alone would part "2" from "1" in a narrow font.
            if other_line or left - last[3] > _WORD_GAP * size or left < last[1] - size:
                runs.append(_word_run(textpage, height, word))
                word = []
        if not word:
            low, high, tallest = bottom, top, 0.0
        low, high, tallest = min(low, bottom), max(high, top), max(tallest, top - bottom)
        word.append((_HYPHEN if char in _HYPHEN_MARKS else char, left, bottom, right, top, index))
    if word:
        runs.append(_word_run(textpage, height, word))
    return runs


def _font_size(textpage: pdfium.PdfTextPage, index: int) -> float:
    """The size the character is printed at: its font's size as its text matrix scales
    it (a browser sets 16 px type through a matrix of 0.75, i.e. 12 pt)."""
    size = float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index))
    matrix = pdfium_c.FS_MATRIX()
    if pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix)):
        size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
    return size


def _word_run(textpage: pdfium.PdfTextPage, height: float, chars: list[_Char]) -> _Run:
    left, right = chars[0][1], max(char[3] for char in chars)
    top = max(char[4] for char in chars)
    first = chars[0][5]
    size = _font_size(textpage, first) or top - chars[0][2]
    x, y = ctypes.c_double(), ctypes.c_double()
    base = y.value if pdfium_c.FPDFText_GetCharOrigin(textpage.raw, first, x, y) else chars[0][2]
    text = "".join(char[0] for char in chars)
    return (height - top, height - base, left, right, text, right - left, size)


# A run of text: its top and baseline (from the page's top), left, right, text, the width
# of its first word and its font size.
_Run = tuple[float, float, float, float, str, float, float]


def _line(page: int, runs: list[_Run]) -> _Line:
    """One line of runs, left to right; a gap wider than the font parts two cells."""
    size = max(run[6] for run in runs)
    text = runs[0][4]
    # Where the line's first word ends: in the first run with a space, or where a run
    # is followed by a gap ("<" and "https://…" can be two runs, one word).
    word_end = None if " " in runs[0][4] else runs[0][3]
    cells = [runs[0][2]]
    for before, after in itertools.pairwise(runs):
        gap = after[2] - before[3]
        touching = gap <= _TOUCH * size
        if gap > _CELL_GAP * size:
            cells.append(after[2])
        text += ("\t" if gap > _CELL_GAP * size else "" if touching else " ") + after[4]
        if word_end is not None and touching and " " not in before[4]:
            word_end = after[2] + after[5] if " " in after[4] else after[3]
    first_word = runs[0][5] if word_end is None else word_end - runs[0][2]
    top = min(run[0] for run in runs)
    baseline = max(run[1] for run in runs)
    right = max(run[3] for run in runs)
    return _Line(page, top, baseline, runs[0][2], right, size, text, first_word, cells)


def _running_lines(pages: list[list[_Line]], heights: list[float]) -> set[tuple[int, str]]:
    """The keys of the lines repeated in the margins of at least half the pages."""
    if len(pages) < 2:
        return set()
    seen: Counter[tuple[int, str]] = Counter()
    for page, height in zip(pages, heights, strict=True):
        seen.update(
            {
                line.key
                for line in page
                if line.top < height * _MARGIN or line.top > height * (1 - _MARGIN)
            }
        )
    return {key for key, count in seen.items() if count * 2 >= len(pages)}


def _paragraphs(lines: list[_Line]) -> list[str]:
    """The lines as text: wrapped lines joined, paragraphs parted by a blank line."""
    if not lines:
        return []
    spacing = _usual_spacing(lines, rows=False)
    # Larger type is set further apart: a heading's lines by its own size.
    body_size = Counter(round(line.size, 1) for line in lines).most_common(1)[0][0]
    row_spacing = _usual_spacing(lines, rows=True)
    # The text's right margin: tables and contents may reach further than its lines.
    right = max((line.right for line in lines if "\t" not in line.text), default=0.0)
    margin = Counter(round(line.left) for line in lines).most_common(1)[0][0]
    out = [_indented(lines[0], margin)]
    row_gap = None  # between the last two rows of the table being read
    row: _Line | None = None  # the table row being read, cells that wrap joined into it
    for previous, line in itertools.pairwise(lines):
        same_page = line.page == previous.page
        gap = line.baseline - previous.baseline
        if row is not None and same_page and _continues(row, line, gap):
            row = _merged(row, line)
            out[-1] = _indented(row, margin)
            continue
        row = line if "\t" in line.text else None
        rows = same_page and "\t" in previous.text and "\t" in line.text
        # Rows are as far apart as their cells are tall; a table ends where that grows.
        scaled = spacing * max(1.0, min(line.size, previous.size) / body_size)
        limit = (row_gap * _ROW_GAP if row_gap else row_spacing) if rows else scaled
        row_gap = gap if rows and gap <= limit else None
        if same_page and gap > limit:
            out += ["", _indented(line, margin)]
        elif _wrapped(previous, line, right):
            out[-1] = _joined(out[-1], line.text)
        elif same_page:
            out.append(_indented(line, margin))
        else:
            out += ["", _indented(line, margin)]
    return out


def _continues(row: _Line, line: _Line, gap: float) -> bool:
    """Whether ``line`` holds the further lines of cells of ``row`` that wrapped: set as
    close as lines of one cell are, each of its parts under one of the row's cells.
    Rows themselves are further apart, by their cells' padding."""
    if gap > line.size * _CELL_LEADING:
        return False
    return all(any(abs(start - cell) < _ALIGNED for cell in row.cells) for start in line.cells)


def _merged(row: _Line, line: _Line) -> _Line:
    """The row with each part of ``line`` added to the cell it lies under."""
    texts = row.text.split("\t")
    for start, more in zip(line.cells, line.text.split("\t"), strict=True):
        column = min(range(len(row.cells)), key=lambda i: abs(row.cells[i] - start))
        texts[column] = _joined(texts[column], more) if texts[column] else more
    merged = _Line(
        line.page, row.top, line.baseline, row.left, max(row.right, line.right),
        row.size, "\t".join(texts), row.first_word, row.cells,
    )  # fmt: skip
    return merged


def _indented(line: _Line, margin: float) -> str:
    """A line set in from the margin keeps that as spaces, as a list's lines are."""
    spaces = round((line.left - margin) / (_SPACE * line.size)) if line.size else 0
    return " " * min(max(spaces, 0), 8) + line.text


def _usual_spacing(lines: list[_Line], *, rows: bool) -> float:
    """The distance between baselines beyond which a paragraph (or, between ``rows`` of
    tables, a table) ends."""
    steps = [
        round(b.baseline - a.baseline, 1)
        for a, b in itertools.pairwise(lines)
        if a.page == b.page
        and b.baseline > a.baseline
        and ("\t" in a.text and "\t" in b.text) == rows
    ]
    usual = (
        Counter(steps).most_common(1)[0][0]
        if steps
        else statistics.mean(line.size for line in lines) * 1.2
    )
    return usual * _PARAGRAPH_GAP


def _wrapped(previous: _Line, line: _Line, right: float) -> bool:
    """Whether ``previous`` ended only because the next word did not fit on it."""
    if "\t" in previous.text or "\t" in line.text:
        return False
    if abs(previous.size - line.size) > _SAME_SIZE:
        return False  # a heading and the text under it
    if _LIST_ITEM.match(line.text):
        return False
    if previous.text.endswith(_HYPHEN):
        return True
    # Glyph boxes are a little narrower than the widths a typesetter reckons with, and
    # the widest line shows the margin only within a point or two: a word that comes
    # within a space of fitting did not fit.
    return previous.right + _SPACE * previous.size + line.first_word > right - _SPACE * line.size


def _joined(text: str, more: str) -> str:
    """``text`` and the line that continues it; a hyphen at the end is a word split
    there, unless a capital follows (Høje-/Taastrup), a conjunction (Sundheds-/og), or
    a single letter comes before it (e-/learning: hyphenation leaves at least two)."""
    if text.endswith(_HYPHEN):
        head, word = text[:-1], more.split(" ", 1)[0]
        fragment = head.rsplit(" ", 1)[-1]
        split_word = head[-1:].islower() and word[:1].islower() and len(fragment) > 1
        if split_word and word.rstrip(",.") not in _KEPT_HYPHEN_BEFORE:
            return head + more
        if word.rstrip(",.") in _KEPT_HYPHEN_BEFORE:
            return f"{head}- {more}"
        return f"{head}-{more}"
    return f"{text} {more}"
