"""The CSV columns of each export: one row an entity, flat columns named as GraphQL names
the field (a related entity's field is the relation's name and the field's: meetingId,
meetingDate, agendaItemTitle; an organization's or body's name is the column without
Id). Values are those of the JSON Lines export, as text: lists joined with "; ", true
and false, dates and times in ISO 8601, nothing as an empty cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Record = dict[str, Any]  # a record as its JSON: GraphQL's names, JSON's values
Column = tuple[str, Callable[[Record], Any]]
LIST_SEPARATOR = "; "


def _joined(values: list[Any]) -> str:
    return LIST_SEPARATOR.join(str(value) for value in values)


def _sections(item: Record) -> str:
    """An item's sections in one cell: each its heading, a line break and its text;
    sections apart by a blank line, as in the minutes."""
    return "\n\n".join(f"{s['heading']}\n{s['text']}" for s in item["sections"])


MEETINGS: tuple[Column, ...] = (
    ("id", lambda r: r["id"]),
    ("organizationId", lambda r: r["organization"]["id"]),
    ("organization", lambda r: r["organization"]["name"]),
    ("bodyId", lambda r: r["body"]["id"]),
    ("body", lambda r: r["body"]["name"]),
    ("kind", lambda r: r["kind"]),
    ("title", lambda r: r["title"]),
    ("date", lambda r: r["date"]),
    ("startsAt", lambda r: r["startsAt"]),
    ("location", lambda r: r["location"]),
    ("participants", lambda r: _joined([p["person"]["name"] for p in r["participants"]])),
    ("participantIds", lambda r: _joined([p["person"]["id"] for p in r["participants"]])),
    ("absentees", lambda r: _joined([p["name"] for p in r["absentees"]])),
    ("absenteeIds", lambda r: _joined([p["id"] for p in r["absentees"]])),
    ("agendaItemCount", lambda r: len(r["agendaItems"])),
    ("sourceFile", lambda r: r["sourceFile"]),
    ("sourceSha256", lambda r: r["sourceSha256"]),
    ("ingestedAt", lambda r: r["ingestedAt"]),
    ("updatedAt", lambda r: r["updatedAt"]),
)

# The meeting an agenda item or decision belongs to.
_MEETING: tuple[Column, ...] = (
    ("meetingId", lambda m: m["id"]),
    ("meetingDate", lambda m: m["date"]),
    ("meetingBodyId", lambda m: m["body"]["id"]),
    ("meetingBody", lambda m: m["body"]["name"]),
    ("organizationId", lambda m: m["organization"]["id"]),
    ("organization", lambda m: m["organization"]["name"]),
)

AGENDA_ITEMS: tuple[Column, ...] = (
    ("id", lambda r: r["id"]),
    *((name, lambda r, cell=cell: cell(r["meeting"])) for name, cell in _MEETING),
    ("number", lambda r: r["number"]),
    ("title", lambda r: r["title"]),
    ("caseNumber", lambda r: r["caseNumber"]),
    ("caseId", lambda r: r["case"]["id"] if r["case"] else None),
    ("isClosed", lambda r: r["isClosed"]),
    ("page", lambda r: r["page"]),
    ("sections", _sections),
    ("decisionIds", lambda r: _joined([d["id"] for d in r["decisions"]])),
    ("outcomes", lambda r: _joined([d["outcome"] for d in r["decisions"]])),
    ("attachments", lambda r: _joined([a["title"] for a in r["attachments"]])),
)

DECISIONS: tuple[Column, ...] = (
    ("id", lambda r: r["id"]),
    ("agendaItemId", lambda r: r["agendaItem"]["id"]),
    ("agendaItemNumber", lambda r: r["agendaItem"]["number"]),
    ("agendaItemTitle", lambda r: r["agendaItem"]["title"]),
    ("caseNumber", lambda r: r["agendaItem"]["caseNumber"]),
    *((name, lambda r, cell=cell: cell(r["agendaItem"]["meeting"])) for name, cell in _MEETING),
    ("body", lambda r: r["body"]),
    ("date", lambda r: r["date"]),
    ("outcome", lambda r: r["outcome"]),
    ("text", lambda r: r["text"]),
)
