"""Minutes as agenda systems print them: a seed's records rendered as a PDF with
reportlab. A4; a running header with the municipality and the meeting and a footer
"Side N af M" on every page; the header and preamble on page 1 and a table of contents
with dot leaders and right-aligned page numbers; a page per item; bold headings; the
text set in a proportional font, wrapped at the margin; tables as tables."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from tests.portal import indented, meeting_date, people

_FONTS = Path(reportlab.__file__).parent / "fonts"  # Bitstream Vera ships with reportlab
pdfmetrics.registerFont(TTFont("Vera", str(_FONTS / "Vera.ttf")))
pdfmetrics.registerFont(TTFont("Vera-Bold", str(_FONTS / "VeraBd.ttf")))
MUNICIPALITY = "Høje-Taastrup Kommune"

_BODY = ParagraphStyle("body", fontName="Vera", fontSize=10, leading=13)
_FIRST = ParagraphStyle("first", parent=_BODY, spaceBefore=7)
_TITLE = ParagraphStyle("title", fontName="Vera-Bold", fontSize=14, leading=18, spaceAfter=8)
_ITEM = ParagraphStyle("item", fontName="Vera-Bold", fontSize=12, leading=15, spaceAfter=4)
_HEADING = ParagraphStyle("heading", fontName="Vera-Bold", fontSize=10.5, leading=14,
                          spaceBefore=10)  # fmt: skip
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=9, leading=11)


def printed_pdf(records: dict[str, Any]) -> bytes:
    """The PDF of a document whose records (as in tests/golden) are ``records``."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
        topMargin=28 * mm, bottomMargin=25 * mm, title=records["title"],
    )  # fmt: skip
    meeting = f"{records['body']} {dt.date.fromisoformat(records['date']):%d-%m-%Y}"

    def canvas(*args: Any, **kwargs: Any) -> Canvas:
        return _NumberedCanvas(meeting, *args, **kwargs)

    document.build(_story(records), canvasmaker=canvas)
    return out.getvalue()


def _story(records: dict[str, Any]) -> list[Any]:
    story: list[Any] = [Paragraph(escape(records["title"]), _TITLE)]
    fields = [("Mødedato", meeting_date(records)), ("Mødested", records["location"])]
    fields += [("Mødedeltagere", people(records["participants"]))]
    if records["absentees"]:
        fields.append(("Afbud", people(records["absentees"])))
    for label, value in fields:
        if value:
            story.append(Paragraph(f"<b>{label}</b> {escape(value)}", _FIRST))
    story.append(Paragraph("Indholdsfortegnelse", _HEADING))
    story.append(_contents(records["items"]))
    for item in records["items"]:
        story.append(PageBreak())
        story.append(Paragraph(escape(f"Punkt {item['number']}: {item['title']}"), _ITEM))
        if item["case_number"]:
            story.append(Paragraph(escape(item["case_number"]), _BODY))
        for section in item["sections"]:
            if section["heading"]:
                story.append(Paragraph(escape(section["heading"]), _HEADING))
            story += _text(section["text"])
        for decision in item["decisions"]:
            day = dt.date.fromisoformat(decision["date"])
            heading = f"Beslutning {decision['body']} den {day:%d-%m-%Y}"
            story.append(Paragraph(escape(heading), _HEADING))
            story += _text(decision["text"])
        if item["attachments"]:
            story.append(Paragraph("Bilag", _HEADING))
            for attachment in item["attachments"]:
                name = attachment["title"]
                if attachment["file_extension"]:
                    name += "." + attachment["file_extension"]
                story.append(Paragraph(escape(name), _FIRST))
    return story


def _contents(items: list[dict[str, Any]]) -> Table:
    rows = []
    page = 1
    for item in items:  # a closed item's page is not in its records
        page = item["page"] or page + 1
        rows.append([Paragraph(escape(item["title"]) + " " + "." * 8, _CELL), str(page)])
    table = Table(rows, colWidths=[140 * mm, 20 * mm])
    table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT"),
                               ("FONTNAME", (0, 0), (-1, -1), "Vera"),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))  # fmt: skip
    return table


def _text(text: str) -> list[Any]:
    """A paragraph of the records a block: its first line after a gap, its other lines
    (a list, an address) under it; tables as tables, a paragraph of lines kept whole."""
    flowables: list[Any] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.split("\n")
        if all(" | " in line for line in lines):
            # Cells wrap within their column, as in a word processor's table.
            rows = [[Paragraph(escape(c), _CELL) for c in line.split(" | ")] for line in lines]
            table = Table(rows, spaceBefore=7)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "grey"),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
            flowables.append(table)
            continue
        block = [
            Paragraph(indented(line), _FIRST if number == 0 else _BODY)
            for number, line in enumerate(lines)
        ]
        flowables.append(KeepTogether(block) if len(block) > 1 else block[0])
    return flowables


class _NumberedCanvas(Canvas):
    """Draws the running header and "Side N af M" once the page count is known."""

    def __init__(self, meeting: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self.pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, state in enumerate(self.pages, start=1):
            self.__dict__.update(state)
            width, height = A4
            self.setFont("Vera", 9)
            self.drawString(25 * mm, height - 16 * mm, MUNICIPALITY)
            self.drawRightString(width - 25 * mm, height - 16 * mm, self.meeting)
            self.drawCentredString(width / 2, 12 * mm, f"Side {number} af {len(self.pages)}")
            super().showPage()
        super().save()
