"""pdf_to_text: minutes printed as agenda systems print them give the seeds' records."""

from __future__ import annotations

import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from api.loaders import MinutesFormatError, minutes_to_dict, parse_minutes
from api.loaders.pdf import pdf_to_text
from api.loaders.reading import document_text
from tests.paths import seed_goldens
from tests.printed import MUNICIPALITY, printed_pdf

GOLDENS = seed_goldens()


@cache
def printed(golden: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A seed's golden records, the records of its printed PDF, and the PDF's text."""
    expected = json.loads(golden.read_text(encoding="utf-8"))
    text = document_text(printed_pdf(expected), source="referat.pdf")
    return expected, minutes_to_dict(parse_minutes(text, source=expected["source"])), text


def texts(records: dict[str, Any]) -> list[str]:
    return [
        part["text"]
        for item in records["items"]
        for part in (*item["sections"], *item["decisions"])
    ]


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.stem)
def test_a_printed_seed_gives_the_seeds_records(golden: Path) -> None:
    """Everything as in the golden file; the texts word for word, in order (where a
    line ends where the next word would not have fitted anyway, whether the author
    broke it cannot be seen on the page: the next test holds how often that is)."""
    expected, found, _ = printed(golden)
    assert found["organization"] == MUNICIPALITY  # from the running header on page 1
    assert [w for w in found["warnings"] if "line(s) before the header" not in w] == []
    squashed = [re.sub(r"\s", "", text) for text in texts(expected)]
    assert [re.sub(r"\s", "", text) for text in texts(found)] == squashed
    for records in (expected, found):
        for item in records["items"]:
            for part in (*item["sections"], *item["decisions"]):
                part["text"] = ""
        del records["organization"], records["warnings"]
    assert found == expected


def test_lines_and_paragraphs_are_those_of_the_seeds() -> None:
    """The lines of the seeds' texts that the printed PDFs give back exactly: 1,588 of
    1,600 when this was written; the rest are breaks the page cannot tell apart, and a
    seed's own "Høje- Taastrup", which reads as Høje-Taastrup."""
    lines = found = 0
    for golden in GOLDENS:
        expected, records, _ = printed(golden)
        for want, got in zip(texts(expected), texts(records), strict=True):
            given = set(got.split("\n"))
            lines += len(want.split("\n"))
            found += sum(1 for line in want.split("\n") if line in given)
    assert found / lines >= 0.99, f"{found} of {lines}"


def test_running_headers_and_footers_are_gone_but_the_letterhead_stays() -> None:
    *_, text = printed(GOLDENS[1])
    assert text.startswith(f"{MUNICIPALITY}\nDirektionen 09-12-2019\n\nREFERAT Direktionen")
    assert text.count("Direktionen 09-12-2019\n") == 1 and "Side " not in text
    assert "\t" not in text.split("REFERAT", 1)[0]


def page(*lines: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont("Vera", 10)
    for number, line in enumerate(lines):
        canvas.drawString(72, 800 - 13 * number, line)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_words_hyphenated_at_the_line_end_are_joined_again() -> None:
    text = pdf_to_text(
        page("Vi drøftede sagsbe-", "handlingstider i Sundheds-", "og omsorgsudvalget for Høje-",
             "Taastrup, og om e-", "learning i en længere periode, og det må siges, at det gik."),
        source="x.pdf",
    )  # fmt: skip
    assert text == (
        "Vi drøftede sagsbehandlingstider i Sundheds- og omsorgsudvalget for Høje-Taastrup, "
        "og om e-learning i en længere periode, og det må siges, at det gik.\n"
    )


def test_lists_keep_their_lines() -> None:
    assert pdf_to_text(page("Direktionen:", "1. godkender", "2. drøfter"), source="x") == (
        "Direktionen:\n1. godkender\n2. drøfter\n"
    )


def test_a_scanned_or_broken_pdf_is_refused_with_its_reason() -> None:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.rect(72, 600, 200, 100, fill=1)  # a picture of a page, no text
    canvas.showPage()
    canvas.save()
    with pytest.raises(MinutesFormatError, match=r"^scan\.pdf: line 1: a PDF without a text la"):
        pdf_to_text(out.getvalue(), source="scan.pdf")
    with pytest.raises(MinutesFormatError, match=r"^bad\.pdf: line 1: unreadable PDF: "):
        pdf_to_text(b"%PDF-1.7\nnot a PDF at all", source="bad.pdf")
