"""html_to_text: agenda portals' pages give the records of the same minutes as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.loaders import MinutesFormatError, minutes_to_dict, parse_minutes
from api.loaders.html import html_to_text
from api.loaders.reading import document_text
from tests.paths import seed_goldens
from tests.portal import SHAPES, portal_page

GOLDENS = seed_goldens()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.stem)
def test_a_portal_page_of_a_seed_gives_the_seeds_records(golden: Path, shape: str) -> None:
    expected = json.loads(golden.read_text(encoding="utf-8"))
    page = portal_page(expected, shape)
    records = minutes_to_dict(
        parse_minutes(document_text(page, source="side.html"), source=expected["source"])
    )
    assert records["warnings"] == []
    del records["warnings"], expected["warnings"]
    assert records == expected


def lines(html: str, encoding: str = "utf-8") -> list[str]:
    return html_to_text(html.encode(encoding), source="side.html").splitlines()


def test_portal_furniture_scripts_and_banners_are_dropped() -> None:
    golden = json.loads(GOLDENS[2].read_text(encoding="utf-8"))
    text = document_text(portal_page(golden, "classic"), source="side.html")
    for furniture in ("cookies", "Accepter", "Forside", "Udskriv", "Abonnér", "Fold alle ud",
                      "Til toppen", "CVR", "dataLayer", "font-family"):  # fmt: skip
        assert furniture not in text, furniture
    assert text.startswith("REFERAT Direktionen d. 11-11-2019\n\nMødedato Mandag d. 11.")


def test_blocks_become_lines_and_paragraphs_are_parted_by_a_blank_line() -> None:
    html = (
        "<h2>Punkt 1: Budget</h2><p>Første linje<br>anden   linje</p>"
        "<div>Et felt</div><ul><li>et</li><li><b>to</b> ting</li></ul>"
        "<ol><li>først</li><li>så</li></ol><p>Slut</p>"
    )
    assert lines(html) == [
        "Punkt 1: Budget", "", "Første linje", "anden linje", "", "Et felt", "",
        "- et", "- to ting", "", "1. først", "2. så", "", "Slut",
    ]  # fmt: skip


def test_tables_become_rows_of_cells() -> None:
    html = (
        "<table><tr><th>Område</th><th>Beløb</th></tr>"
        "<tr><td>Skole | SFO</td><td><p>1.200</p> kr.</td></tr><tr><td></td></tr></table>"
    )
    assert lines(html) == ["| Område | Beløb |", "| Skole / SFO | 1.200 kr. |"]


def test_no_break_spaces_are_text_and_pre_keeps_its_lines() -> None:
    assert lines("<p>&#160;&#160;1. punkt<br>x</p><pre>a\n  b</pre>") == [
        "\xa0\xa01. punkt", "x", "", "a", "  b"
    ]  # fmt: skip


def test_the_page_declares_its_encoding_when_it_is_not_utf8() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Mødested Rådhuset</p>'
    assert lines(html, "cp1252") == ["Mødested Rådhuset"]
    assert lines("<html><body><p>Ærø</p>", "cp1252") == ["Ærø"]  # undeclared: cp1252


def test_a_deeply_nested_page_is_walked_without_recursion() -> None:
    html = "<html><body>" + "<div>" * 2000 + "REFERAT" + "</div>" * 2000
    assert lines(html) == ["REFERAT"]


def test_a_page_nested_deeper_than_libxml2_reads_is_refused_not_cut_short() -> None:
    html = "<html><body>" + "<div>" * 5000 + "REFERAT" + "</div>" * 5000
    with pytest.raises(MinutesFormatError, match=r"^side\.html: line 1: unreadable HTML: elem"):
        lines(html)
