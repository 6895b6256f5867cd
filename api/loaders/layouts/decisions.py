"""Decision headings: this meeting's, and earlier bodies' decisions quoted in an item.

"Beslutning Direktionen den 25-11-2019", "Beslutning i Økonomiudvalget den 1. oktober
2018:", "Beslutning" or "Beslutning:" alone (this meeting's body and date), "Beslutning
den :" (a PDF that lost both), "Økonomiudvalgets beslutning i mødet den 31. marts 2020",
and quoted: "Økonomiudvalget, 18. september 2019, pkt. 153:" then its text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from api.loaders.dates import WEEKDAYS, find_date


@dataclass(frozen=True, slots=True)
class DecisionHeading:
    body: str | None  # None: this meeting's body
    date: dt.date | None  # None: this meeting's date
    text: str  # text on the heading's own line, after its colon
    rule: str


# Words a deciding body's name holds; a quoted decision must name a body.
BODY_WORDS = (
    "udvalg", "råd", "bestyrelse", "direktion", "forum", "nævn", "komité", "ledelse",
    "chefgruppe", "styregruppe", "forsamling", "borgmester", "regionsråd",
)  # fmt: skip
_BARE = re.compile(r"^beslutning(?:\s+(?:den|d\.))?\s*(?::\s*(?P<text>.*))?$", re.IGNORECASE)
_TRAILING_DEN = re.compile(
    rf"[\s,]*(?:(?:{'|'.join(WEEKDAYS)})\s+)?(?:den|d\.)?\s*$", re.IGNORECASE
)
_AFTER_DATE = re.compile(
    r"^\s*(?P<item>,?\s*(?:pkt|punkt|sag|sag\s+nr)\.?\s*\d+)?\s*(?P<colon>:?)\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_GENITIVE = re.compile(
    r"^(?P<body>.+?)s\s+beslutning(?:\s+(?:i|på)\s+(?:mødet|møde))?$", re.IGNORECASE
)
_UNDATED_GENITIVE = re.compile(r"^(?P<body>.+?)s\s+beslutning\s*:?$", re.IGNORECASE)
_LONGEST = 160


def decision_heading(line: str) -> DecisionHeading | None:
    if not line:
        return None
    folded = line[:10].casefold()
    if len(line) > _LONGEST:  # only "Beslutning: <its text>" runs on
        bare = _BARE.match(line) if folded.startswith("beslutning") else None
        return DecisionHeading(None, None, (bare["text"] or "").strip(), "bare") if bare else None
    if folded.startswith("beslutning"):
        bare = _BARE.match(line)
        if bare is not None:
            return DecisionHeading(None, None, (bare["text"] or "").strip(), "bare")
        dated = _dated(line[len("beslutning") :], require_colon=False)
        if dated is not None:
            body, date, text, _ = dated
            body = re.sub(r"^\s*i\s+", "", body)
            if body and _is_name(body):
                return DecisionHeading(body, date, text, "dated")
        return None
    undated = _UNDATED_GENITIVE.match(line)
    if undated is not None and _names_a_body(undated["body"]) and _is_name(undated["body"]):
        # "REGIONSRÅDETS BESLUTNING", "Forretningsudvalgets beslutning:"
        return DecisionHeading(undated["body"], None, "", "genitive")
    # A quoted decision ends in a colon; "<Body>s beslutning …" names itself.
    if not line[0].isupper() or not (line[-1] == ":" or "eslutning" in line):
        return None
    dated = _dated(line, require_colon=True)
    if dated is None:
        return None
    body, date, text, cites_item = dated
    genitive = _GENITIVE.match(body)
    if genitive is not None and _is_name(genitive["body"]):
        return DecisionHeading(genitive["body"], date, text, "genitive")
    # "Social og Sundhed, 6. januar 2020, pkt. 123:" names its item; without that the
    # name must be a body's ("Økonomiudvalget den 3. maj 2021:").
    if (
        "beslutning" not in body.casefold()
        and _is_name(body)
        and (cites_item or _names_a_body(body))
    ):
        return DecisionHeading(body, date, text, "quoted")
    return None


def _dated(line: str, *, require_colon: bool) -> tuple[str, dt.date, str, bool] | None:
    date, match = find_date(line)
    if date is None or match is None:
        return None
    after = _AFTER_DATE.match(line[match.end() :])
    if after is None:
        return None
    if after["text"] and not after["colon"]:
        return None
    body = _body_before(line, match)
    if require_colon and not after["colon"] and not _GENITIVE.match(body):
        return None
    return body, date, after["text"].strip(), bool(after["item"])


def _body_before(line: str, match: re.Match[str]) -> str:
    return _TRAILING_DEN.sub("", line[: match.start()]).strip(" ,-–:")


def _is_name(text: str) -> bool:
    return bool(text) and len(text.split()) <= 9 and text[0].isupper()


def _names_a_body(text: str) -> bool:
    folded = text.casefold()
    return any(word in folded for word in BODY_WORDS)
