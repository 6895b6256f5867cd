"""The labels of a meeting's preamble, and which fact each one gives.

Seen in real documents: "Mødedato Tirsdag d. 23. maj 2023 kl. 09:00", "Dato: 29. januar
2020", "Mødested: Lokale 412", "Udvalg: Teknik- og Miljøudvalget", "STARTTIDSPUNKT" with
its value on the next line, "Fraværende med afbud:", "Medlemmer" with one member a line.
A label's value ends where the next label begins.
"""

from __future__ import annotations

import enum
import re


class Fact(enum.Enum):
    DATE = "date"  # the meeting's date, often with its start time
    TIME = "time"  # the start time alone
    PLACE = "place"
    BODY = "body"
    KIND = "kind"  # "MØDE: Referat"
    PARTICIPANTS = "participants"
    ABSENTEES = "absentees"
    CONTENTS = "contents"  # the list of agenda items follows
    IGNORED = "ignored"  # a label whose value Referat does not keep ("Sluttidspunkt")


LABELS: dict[str, Fact] = {
    "mødedato": Fact.DATE,
    "mødetid": Fact.DATE,
    "møde dato": Fact.DATE,
    "dato": Fact.DATE,
    "starttidspunkt": Fact.DATE,
    "mødetidspunkt": Fact.DATE,
    "mødestart": Fact.DATE,
    "tidspunkt": Fact.TIME,
    "mødested": Fact.PLACE,
    "sted": Fact.PLACE,
    "lokale": Fact.PLACE,
    "mødelokale": Fact.PLACE,
    "mødeafholdelse": Fact.PLACE,
    "udvalg": Fact.BODY,
    "forum": Fact.BODY,
    "møde": Fact.KIND,
    "mødedeltagere": Fact.PARTICIPANTS,
    "deltagere": Fact.PARTICIPANTS,
    "deltagerne var": Fact.PARTICIPANTS,
    "medlemmer": Fact.PARTICIPANTS,
    "til stede": Fact.PARTICIPANTS,
    "tilstede": Fact.PARTICIPANTS,
    "afbud": Fact.ABSENTEES,
    "fraværende": Fact.ABSENTEES,
    "fraværende med afbud": Fact.ABSENTEES,
    "ikke til stede": Fact.ABSENTEES,
    "ikke mødt": Fact.ABSENTEES,
    "indholdsfortegnelse": Fact.CONTENTS,
    "punkter": Fact.CONTENTS,
    "dagsordenspunkter": Fact.CONTENTS,
    "sager": Fact.CONTENTS,  # "Sager 129 - 138"
    "indhold": Fact.CONTENTS,
    "åbne punkter": Fact.CONTENTS,
    "åben dagsorden": Fact.CONTENTS,
    "dagsorden": Fact.CONTENTS,  # "Dagsorden:" then the items; alone, it is the kind
    "sluttidspunkt": Fact.IGNORED,
    "mødeslut": Fact.IGNORED,
    "bemærkninger": Fact.IGNORED,
    "referent": Fact.IGNORED,
    "mødeleder": Fact.IGNORED,
    "stedfortrædere": Fact.IGNORED,
    "desuden deltog": Fact.IGNORED,
    "fra administrationen": Fact.IGNORED,
}
# Written without a colon before their value in the Høje-Taastrup layout; any other
# label needs a colon, or a line to itself, so that "Dato for høring …" stays text.
_BARE_WITH_VALUE = frozenset(
    {
        "mødedato",
        "mødested",
        "mødedeltagere",
        "deltagere",
        "afbud",
        "fraværende",
        "sager",
        "indholdsfortegnelse",
    }
)
_WITH_COLON_ONLY = frozenset({"dagsorden"})
_NAMES = "|".join(re.escape(label) for label in sorted(LABELS, key=len, reverse=True))
_AT_START = re.compile(
    rf"^(?P<label>{_NAMES})(?![\wæøå])[ ]*(?P<colon>[:\t]?)\s*(?P<value>.*)$", re.IGNORECASE
)
# A line that begins with a label of some kind ("Stedfortrædere: …", "Bemærkninger<TAB>…")
# begins a value of its own, known or not.
_ANY_LABEL = re.compile(r"^[A-ZÆØÅa-zæøå][\wæøå .]{0,38}(?::|\t)")
# Another label further on in the line, after a colon: "Mødested: Byrådssalen Udvalg: …"
_INSIDE = re.compile(rf"\s(?=(?:{_NAMES}):)", re.IGNORECASE)


def label(line: str) -> tuple[Fact, str, str, bool] | None:
    """(fact, label as written, value, value follows on the next lines) for a label line."""
    match = _AT_START.match(line)
    if match is None:
        return None
    name, value = match["label"], match["value"]
    key = name.casefold()
    if key in _WITH_COLON_ONLY and not match["colon"]:
        return None
    if match["colon"] or not value:
        return LABELS[key], name, value, not value
    if key in _BARE_WITH_VALUE:
        return LABELS[key], name, value, False
    return None


def starts_a_label(line: str) -> bool:
    """Whether a line opens a labelled value, so that it cannot go on the value above."""
    return _ANY_LABEL.match(line) is not None


def split_labels(line: str) -> list[str]:
    """A line holding several "Label: value" pairs, one pair a line."""
    if line.count(":") < 2:
        return [line]
    return [part.strip() for part in _INSIDE.split(line) if part.strip()]
