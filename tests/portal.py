"""Minutes as agenda portals publish them: a seed's records rendered as an HTML page,
wrapped in what portals put around them (cookie banners, menus, scripts, print and
fold buttons). Two shapes: ``"classic"`` (headings, paragraphs, <br> lines, a contents
table) and ``"fields"`` (a label/value block of divs, collapsible items, lists)."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from api.loaders.dates import COPENHAGEN, MONTHS, WEEKDAYS

_MONTH_NAMES = {
    number: max((name for name, month in MONTHS.items() if month == number), key=len)
    for number in range(1, 13)
}
SHAPES = ("classic", "fields")

_WRAPPER = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>{title}</title>
<style>.skjult {{ display: none }} body {{ font-family: sans-serif }}</style>
<script>window.dataLayer = []; function fold() {{ return "Fold alle ud"; }}</script>
</head><body>
<div id="cookie-consent" class="cookie-banner"><p>Vi bruger cookies til statistik.</p>
<button>Accepter</button><a href="#">Nej tak til cookies</a></div>
<header class="site-header"><a href="/">Forside</a> <span>Politik og dagsordener</span></header>
<nav class="breadcrumb"><ul><li><a href="/">Forside</a></li><li>Dagsordener</li></ul></nav>
<main><div class="toolbar"><a href="#">Udskriv</a> <a href="#">Abonnér</a></div>
<p><a href="#" onclick="fold()">Fold alle ud</a></p>
{content}
<p><a href="#top">Til toppen</a></p></main>
<footer><p>Kommunen · Rådhuset · CVR 12345678</p></footer>
</body></html>
"""


def portal_page(records: dict[str, Any], shape: str) -> bytes:
    """The page of a document whose records (as in tests/golden) are ``records``."""
    content = [f"<h1>{escape(records['title'])}</h1>", *_preamble(records, shape)]
    content.append("<h2>Indholdsfortegnelse</h2><table><tbody>")
    page = 1
    for item in records["items"]:  # a closed item's page is not in its records
        page = item["page"] or page + 1
        content.append(f"<tr><td>{escape(item['title'])}</td><td>{page}</td></tr>")
    content.append("</tbody></table>")
    for item in records["items"]:
        content += _item(item, shape)
    page = _WRAPPER.format(title=escape(records["title"]), content="\n".join(content))
    return page.encode("utf-8")


def _preamble(records: dict[str, Any], shape: str) -> list[str]:
    fields = [("Mødedato", meeting_date(records))]
    if records["location"]:
        fields.append(("Mødested", records["location"]))
    if records["participants"]:
        fields.append(("Mødedeltagere", people(records["participants"])))
    if records["absentees"]:
        fields.append(("Afbud", people(records["absentees"])))
    if shape == "classic":
        return [f"<p><strong>{label}</strong> {escape(value)}</p>" for label, value in fields]
    rows = "".join(
        f'<div class="field"><span class="label">{label}</span> '
        f'<span class="value">{escape(value)}</span></div>'
        for label, value in fields
    )
    return [f'<div class="meeting-details">{rows}</div>']


def meeting_date(records: dict[str, Any]) -> str:
    day = dt.date.fromisoformat(records["date"])
    text = f"{WEEKDAYS[day.weekday()].capitalize()} d. {day.day:02d}. "
    text += f"{_MONTH_NAMES[day.month]} {day.year}"
    if records["starts_at"]:
        starts = dt.datetime.fromisoformat(records["starts_at"]).astimezone(COPENHAGEN)
        text += f" kl. {starts:%H:%M}"
    return text


def people(people: list[dict[str, Any]]) -> str:
    """Participants as the preamble lists them: "Name (role), Name"."""
    return ", ".join(p["name"] + (f" ({p['role']})" if p["role"] else "") for p in people)


def _item(item: dict[str, Any], shape: str) -> list[str]:
    heading = f"Punkt {item['number']}: {item['title']}"
    parts = [f'<section class="agenda-item"><h2>{escape(heading)}</h2>']
    if item["case_number"]:
        parts.append(f'<p class="case">{escape(item["case_number"])}</p>')
    if shape == "fields":
        parts.append('<details open><summary class="skip-link">Fold ud</summary>')
    for section in item["sections"]:
        if section["heading"]:
            parts.append(f"<h3>{escape(section['heading'])}</h3>")
        parts += _blocks(section["text"], shape)
    for decision in item["decisions"]:
        day = dt.date.fromisoformat(decision["date"])
        parts.append(f"<h3>Beslutning {escape(decision['body'])} den {day:%d-%m-%Y}</h3>")
        parts += _blocks(decision["text"], shape)
    if item["attachments"]:
        parts.append("<h3>Bilag</h3><ul>")
        for attachment in item["attachments"]:
            name = attachment["title"]
            if attachment["file_extension"]:
                name += "." + attachment["file_extension"]
            parts.append(f'<li><a href="/bilag/{escape(name)}">{escape(name)}</a></li>')
        parts.append("</ul>")
    if shape == "fields":
        parts.append("</details>")
    parts.append("</section>")
    return parts


def indented(line: str) -> str:
    """A line's own indentation as no-break spaces: HTML, and reportlab's Paragraph,
    collapse ordinary ones."""
    text = line.lstrip(" ")
    return "&#160;" * (len(line) - len(text)) + escape(text)


def _blocks(text: str, shape: str) -> list[str]:
    """A section's text: a <p> a paragraph, its lines split by <br>, tables as tables,
    and (in the "fields" shape) dashed lines as a list."""
    blocks = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.split("\n")
        if all(" | " in line for line in lines):
            rows = "".join(
                "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in line.split(" | ")) + "</tr>"
                for line in lines
            )
            blocks.append(f"<table>{rows}</table>")
        elif shape == "fields" and all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append("<p>" + "<br>\n".join(indented(line) for line in lines) + "</p>")
    return blocks
