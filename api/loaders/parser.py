"""``parse_minutes``: minutes or agenda text in, typed records out.

One pass over the lines finds the header, the preamble (date, place, participants, table
of contents) and the agenda items; each item is then split at its standard headings.
Whatever is odd but readable becomes a warning naming its line; only text that is not
minutes at all raises MinutesFormatError.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from api.loaders.dates import NUMERIC_DATE, local_datetime, make_date, parse_meeting_time
from api.loaders.organizations import letterhead_organization
from api.loaders.outcome import classify_outcome
from api.loaders.reading import normalise_text
from api.loaders.records import (
    AgendaItem,
    Attachment,
    Decision,
    DocumentKind,
    Minutes,
    MinutesFormatError,
    Participant,
    Section,
    SectionKind,
)
from api.loaders.text import clean_block, clean_line, structural

_HEADER = re.compile(
    rf"^(REFERAT|DAGSORDEN)\s+(.+?)\s+(?:d\.|den)\s*{NUMERIC_DATE}$", re.IGNORECASE
)
_HEADER_SEARCH_LINES = 50
_ITEM = re.compile(r"^Punkt\s+(\d{1,4})\s*:\s*(.*)$", re.IGNORECASE)
_ITEM_CANDIDATE = re.compile(r"unkt\s+\d")  # a literal prefix is searched fast
# Greedy body: backtracking from the line end to the date is shorter than growing a lazy
# match from the start; a body name never ends in "den DD-MM-YYYY".
_DECISION = re.compile(
    rf"^[Bb]eslutning(?:\s+i)?\s+(.+)\s+(?:[Dd]en|[Dd]\.)\s*{NUMERIC_DATE}\s*:?$"
)
_CASE_NUMBER = re.compile(
    r"^(?:(?:sagsnr|sags?\s*nr|j\.\s*nr|journalnr|arkivsag)\.?\s*:?\s*)?(\d{2}/\d{1,7})$",
    re.IGNORECASE,
)
_PREAMBLE_KEY = re.compile(
    r"^(Mødedato|Mødested|Mødedeltagere|Deltagere|Afbud|Fraværende)\b\s*:?\s*(.*)$",
    re.IGNORECASE,
)
_TOC_ENTRY = re.compile(r"^(.+?)\s*\.{2,}\s*(\d{1,4})$")
_TOC_COLUMNS = re.compile(r"^(.+?)\s+(\d{1,4})$")
_ROLE = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
_ATTACHMENT_EXTENSION = re.compile(
    r"\.(pdf|docx?|docm|dotx|xlsx?|xlsm|pptx?|odt|ods|odp|rtf|txt|csv|msg|eml|html?|xml"
    r"|jpe?g|png|gif|tiff?|zip|mp3|mp4|mov)$",
    re.IGNORECASE,
)
_CLOSED_TITLES = frozenset({"lukket", "lukket punkt", "lukket sag"})

SECTION_HEADINGS: dict[str, SectionKind] = {
    "baggrund": SectionKind.BACKGROUND,
    "indstilling": SectionKind.RECOMMENDATION,
    "sagsfremstilling": SectionKind.PRESENTATION,
    "økonomi": SectionKind.ECONOMY,
    # Other standard headings of Danish agenda systems; any other line, however
    # heading-like ("Tidsplan", "## Igangsætning"), is content of the current section.
    "afsnit uden overskrift": SectionKind.OTHER,
    "resumé": SectionKind.OTHER,
    "resume": SectionKind.OTHER,
    "lovgrundlag": SectionKind.OTHER,
    "retsgrundlag": SectionKind.OTHER,
    "høring": SectionKind.OTHER,
    "sagens tidligere behandling": SectionKind.OTHER,
    "tidligere beslutninger": SectionKind.OTHER,
    "supplerende sagsfremstilling": SectionKind.OTHER,
}
_ATTACHMENTS_HEADING = "bilag"


# Stored with every document: a new version re-parses content already ingested.
PARSER_VERSION = "3"  # 2: the letterhead's organization; 3: wrapped contents titles


def parse_minutes(text: str, *, source: str) -> Minutes:
    """Parse minutes (REFERAT) or an agenda (DAGSORDEN).

    Pure: no I/O. ``source`` names the document in errors and warnings.
    """
    text = normalise_text(text)
    if "\x00" in text:
        raise MinutesFormatError(source, text.count("\n", 0, text.find("\x00")) + 1, "binary data")
    if not text.strip():
        raise MinutesFormatError(source, 1, "empty document")
    return _Parser(text, source).parse()


@dataclass
class _Preamble:
    starts_at: dt.datetime | None = None
    location: str | None = None
    participants: tuple[Participant, ...] = ()
    absentees: tuple[Participant, ...] = ()
    toc: list[tuple[str, int]] = field(default_factory=list)
    toc_line: int = 0


@dataclass(frozen=True, slots=True)
class _Heading:
    """What a heading line inside an item opens."""

    kind: SectionKind | None  # None for decisions and attachments
    text: str
    decision: tuple[str, dt.date] | None = None  # the deciding body and date


# Text between an item's case number and its first heading.
_LOOSE_TEXT = _Heading(SectionKind.OTHER, "")


@dataclass(frozen=True, slots=True)
class _Meeting:
    kind: DocumentKind
    body: str
    date: dt.date


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.source = source
        self.warnings: list[str] = []

    def warn(self, index: int, message: str) -> None:
        self.warnings.append(f"line {index + 1}: {message}")

    def parse(self) -> Minutes:
        header_index, kind, body, date, title, organization = self._header()
        meeting = _Meeting(kind, body, date)
        item_starts = self._item_starts(header_index + 1)
        first_item = item_starts[0][0] if item_starts else len(self.lines)
        preamble = self._preamble(header_index + 1, first_item, body, date)
        items = []
        bounds = [start for start, _ in item_starts] + [len(self.lines)]
        for (start, match), end in zip(item_starts, bounds[1:], strict=True):
            items.append(self._item(start, end, match, meeting))
        self._check_numbering(item_starts, items)
        items = self._apply_toc(items, preamble)
        if not items:
            self.warn(header_index, "no agenda items ('Punkt N: …') found")
        return Minutes(
            source=self.source,
            kind=kind,
            title=title,
            organization=organization,
            body=body,
            date=date,
            starts_at=preamble.starts_at,
            location=preamble.location,
            participants=preamble.participants,
            absentees=preamble.absentees,
            items=tuple(items),
            warnings=tuple(self.warnings),
        )

    # -- header and preamble -------------------------------------------------------------

    def _header(self) -> tuple[int, DocumentKind, str, dt.date, str, str | None]:
        seen = 0
        first_text = None
        organization = None
        for index, line in enumerate(self.lines):
            if not line.strip():
                continue
            if first_text is None:
                first_text = index
            match = _HEADER.match(structural(line))
            if match is not None:
                date = make_date(match[3], match[4], match[5])
                if date is None:
                    raise MinutesFormatError(
                        self.source, index + 1, f"impossible date in header {line.strip()!r}"
                    )
                if seen:
                    self.warn(index, f"{seen} line(s) before the header ignored")
                kind = (
                    DocumentKind.MINUTES if match[1].upper() == "REFERAT" else DocumentKind.AGENDA
                )
                return index, kind, match[2].strip(), date, match[0], organization
            # The letterhead names the organization whose minutes these are.
            organization = organization or letterhead_organization(structural(line))
            seen += 1
            if seen >= _HEADER_SEARCH_LINES:
                break
        raise MinutesFormatError(
            self.source,
            (first_text or 0) + 1,
            "not minutes or an agenda: no header 'REFERAT <body> d. DD-MM-YYYY' "
            "or 'DAGSORDEN <body> d. DD-MM-YYYY'",
        )

    def _preamble(self, start: int, end: int, body: str, date: dt.date) -> _Preamble:
        preamble = _Preamble()
        fields: dict[str, tuple[int, str]] = {}
        key: str | None = None
        in_toc = False
        wrapped: tuple[int, str] | None = None  # a contents title's first line, pending
        for index in range(start, end):
            line = structural(self.lines[index])
            if wrapped is not None and not line:
                self._unrecognised(*wrapped)
                wrapped = None
            if not line:
                key = None
                continue
            match = _PREAMBLE_KEY.match(line)
            if match is not None:
                key = match[1].lower().replace("mødedeltagere", "deltagere")
                key = "afbud" if key == "fraværende" else key
                if key in fields:
                    self.warn(index, f"{match[1]} given twice; the second is used")
                fields[key] = (index, match[2].strip())
                in_toc = False
                continue
            if line.casefold().rstrip(":") == "indholdsfortegnelse":
                key, in_toc = None, True
                continue
            entry = self._toc_entry(line, in_toc)
            if entry is not None:
                if wrapped is not None:  # a title that wrapped onto the entry's line
                    entry, wrapped = (f"{wrapped[1]} {entry[0]}", entry[1]), None
                if not preamble.toc:
                    preamble.toc_line = index
                preamble.toc.append(entry)
                key = None
                continue
            if in_toc and _MD_TABLE_FRAME.match(line):
                continue
            if in_toc and key is None:
                wrapped = (wrapped[0], f"{wrapped[1]} {line}") if wrapped else (index, line)
                continue
            if key is not None:
                # A wrapped value: "Anya Krogh" / "Manghezi" is one name.
                at, value = fields[key]
                joiner = "" if value.endswith("-") else " "
                fields[key] = (at, f"{value}{joiner}{line}" if value else line)
                continue
            self._unrecognised(index, line)
        if wrapped is not None:
            self._unrecognised(*wrapped)
        if "mødedato" in fields:
            at, value = fields["mødedato"]
            day, time, problems = parse_meeting_time(value)
            for problem in problems:
                self.warn(at, problem)
            if day is not None and day != date:
                self.warn(at, f"Mødedato {day.isoformat()} differs from the header's {date}")
            if time is not None:
                preamble.starts_at = local_datetime(day or date, time)
        else:
            self.warn(start - 1, "no Mødedato line: the start time is unknown")
        if "mødested" in fields:
            preamble.location = fields["mødested"][1] or None
        if "deltagere" in fields:
            preamble.participants = _people(fields["deltagere"][1])
        if "afbud" in fields:
            preamble.absentees = _people(fields["afbud"][1])
        return preamble

    def _unrecognised(self, index: int, line: str) -> None:
        self.warn(index, f"unrecognised line before the first agenda item: {line[:60]!r}")

    @staticmethod
    def _toc_entry(line: str, in_toc: bool) -> tuple[str, int] | None:
        tabbed = "\t" in line or line.startswith("|")
        if "." not in line and not (in_toc and tabbed):
            return None
        if line.startswith("|"):
            line = " ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
        line = line.replace("\t", " ").strip()
        match = _TOC_ENTRY.match(line)
        if match is None and in_toc and tabbed:
            match = _TOC_COLUMNS.match(line)
        if match is None:
            return None
        return match[1].strip(), int(match[2])

    # -- items ---------------------------------------------------------------------------

    def _item_starts(self, start: int) -> list[tuple[int, re.Match[str]]]:
        """Lines that open an agenda item, found by a literal search over the text."""
        starts: list[tuple[int, re.Match[str]]] = []
        text = self.text
        position, index = 0, 0
        for found in _ITEM_CANDIDATE.finditer(text):
            index += text.count("\n", position, found.start())
            position = found.start()
            if index < start:
                continue
            match = _ITEM.match(structural(self.lines[index]))
            if match is not None and (not starts or starts[-1][0] != index):
                starts.append((index, match))
        return starts

    def _item(self, start: int, end: int, match: re.Match[str], meeting: _Meeting) -> AgendaItem:
        number = int(match[1])
        title = match[2].strip()
        index = start + 1
        # A long title wraps onto the lines right below it, before any blank line.
        while index < end and (line := structural(self.lines[index])):
            if _CASE_NUMBER.match(line) or _heading(line, meeting) is not None:
                break
            title = f"{title} {line}".strip()
            index += 1
        if not title:
            self.warn(start, f"agenda item {number} has no title")
        case_number = None
        while index < end and not self.lines[index].strip():
            index += 1
        if index < end and (case := _CASE_NUMBER.match(structural(self.lines[index]))):
            case_number = case[1]
            index += 1
        else:
            self.warn(start, f"agenda item {number} has no case number")
        if title.casefold() in _CLOSED_TITLES:
            if any(line.strip() for line in self.lines[index:end]):
                self.warn(start, f"closed agenda item {number}: its content was left out")
            return AgendaItem(number, title, case_number, True, None, (), (), ())
        sections: list[Section] = []
        decisions: list[Decision] = []
        attachments: list[Attachment] = []
        for heading, text, heading_line in self._blocks(index, end, meeting):
            if heading.decision is not None:
                if text := clean_block(text):
                    body_name, day = heading.decision
                    decisions.append(Decision(body_name, day, text, classify_outcome(text)))
                elif meeting.kind is DocumentKind.MINUTES:
                    self.warn(heading_line, f"agenda item {number}: empty decision left out")
            elif heading.kind is None:
                attachments.extend(_attachments(text))
            else:
                if heading is _LOOSE_TEXT:
                    self.warn(
                        heading_line,
                        f"agenda item {number}: text before its first heading kept as OTHER",
                    )
                sections.append(Section(heading.kind, heading.text, clean_block(text)))
        return AgendaItem(
            number=number,
            title=title,
            case_number=case_number,
            is_closed=False,
            page=None,
            sections=tuple(sections),
            decisions=tuple(decisions),
            attachments=tuple(attachments),
        )

    def _blocks(self, start: int, end: int, meeting: _Meeting) -> list[tuple[_Heading, str, int]]:
        """The item split at its headings: (heading, raw text below it, heading line).

        Cheap first-character tests pick the few lines that could be headings, so that
        only those are matched in earnest.
        """
        lines = self.lines
        found: list[tuple[_Heading, int]] = []
        for index in range(start, end):
            line = lines[index]
            # Headings are short, but for decisions and decorated lines ("Beslutning
            # Udvalget for Teknik og Miljø den 02-10-2022", "### **Baggrund**").
            length = len(line)
            if (length <= _LONGEST_HEADING + 2 and line[:1] in _HEADING_INITIALS) or (
                length < 160 and line[:1] in _LONG_HEADING_INITIALS
            ):
                heading = _heading(structural(line), meeting)
                if heading is not None:
                    found.append((heading, index))
        blocks = []
        first = found[0][1] if found else end
        loose = "\n".join(lines[start:first])
        if loose.strip():
            first_text = next(i for i in range(start, first) if lines[i].strip())
            blocks.append((_LOOSE_TEXT, loose, first_text))
        ends = [index for _, index in found[1:]] + [end]
        for (heading, index), block_end in zip(found, ends, strict=False):
            blocks.append((heading, "\n".join(lines[index + 1 : block_end]), index))
        return blocks

    def _check_numbering(
        self, starts: list[tuple[int, re.Match[str]]], items: list[AgendaItem]
    ) -> None:
        seen: dict[int, int] = {}
        for (index, _), item in zip(starts, items, strict=True):
            if item.number in seen:
                raise MinutesFormatError(
                    self.source,
                    index + 1,
                    f"agenda item {item.number} appears twice (first at line {seen[item.number]})",
                )
            seen[item.number] = index + 1
        numbers = [item.number for item in items]
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            shown = ", ".join(map(str, numbers[:20]))
            self.warn(starts[0][0], f"agenda items out of sequence: {shown}")

    def _apply_toc(self, items: list[AgendaItem], preamble: _Preamble) -> list[AgendaItem]:
        toc = preamble.toc
        if not toc:
            return items
        if len(toc) == len(items):
            pages: list[int | None] = [page for _, page in toc]
        else:
            self.warn(
                preamble.toc_line,
                f"table of contents lists {len(toc)} entries but the document has "
                f"{len(items)} agenda items; pages matched by title",
            )
            pages = _pages_by_title(items, toc)
        return [
            item if item.is_closed else _with_page(item, page)
            for item, page in zip(items, pages, strict=True)
        ]


_MD_TABLE_FRAME = re.compile(r"^\|[\s|:-]*\|?$")
_LONGEST_HEADING = max(map(len, SECTION_HEADINGS))
_LONG_HEADING_INITIALS = frozenset(" \t#*_Bb")
# The first characters a heading line can have, Markdown decoration and indent included.
_HEADING_INITIALS = frozenset(" \t#*_Bb" + "".join(h[0] + h[0].upper() for h in SECTION_HEADINGS))


def _heading(line: str, meeting: _Meeting) -> _Heading | None:
    """What a structural line opens, if it is a heading inside an item."""
    if not line or len(line) > 120:
        return None
    key = line.rstrip(":").strip()
    folded = key.casefold()
    if folded in SECTION_HEADINGS:
        return _Heading(SECTION_HEADINGS[folded], key)
    if folded == _ATTACHMENTS_HEADING:
        return _Heading(None, key)
    if folded == "beslutning":
        # A bare heading in minutes is the decision of this meeting's body.
        return _Heading(None, key, (meeting.body, meeting.date))
    if folded.startswith("beslutning"):
        match = _DECISION.match(key)
        if match is not None and (day := make_date(match[2], match[3], match[4])):
            return _Heading(None, key, (match[1].strip(), day))
    return None


def _with_page(item: AgendaItem, page: int | None) -> AgendaItem:
    return AgendaItem(
        item.number,
        item.title,
        item.case_number,
        item.is_closed,
        page,
        item.sections,
        item.decisions,
        item.attachments,
    )


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+", "", title.casefold())


def _pages_by_title(items: list[AgendaItem], toc: list[tuple[str, int]]) -> list[int | None]:
    """Match items to entries in order by title, skipping entries that match nothing."""
    pages: list[int | None] = []
    position = 0
    for item in items:
        key = _title_key(item.title)
        for offset in range(position, len(toc)):
            if _title_key(toc[offset][0]) == key:
                pages.append(toc[offset][1])
                position = offset + 1
                break
        else:
            pages.append(None)
    return pages


def _people(value: str) -> tuple[Participant, ...]:
    """Names separated by commas (or a final "og"), each with an optional "(role)"."""
    people = []
    for part in _split_names(value):
        name = part.strip().rstrip(".").strip()
        if not name:
            continue
        match = _ROLE.match(name)
        if match is not None and match[1]:
            people.append(Participant(match[1].strip(), match[2].strip() or None))
        else:
            people.append(Participant(name, None))
    return tuple(people)


def _split_names(value: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in value:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char in ",;" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if parts and " og " in parts[-1] and "(" not in parts[-1]:
        parts[-1:] = parts[-1].split(" og ")
    return parts


def _attachments(text: str) -> list[Attachment]:
    attachments = []
    for raw in text.split("\n"):
        for line in clean_line(raw):
            name = line.strip().removeprefix("- ").strip()
            if not name:
                continue
            match = _ATTACHMENT_EXTENSION.search(name)
            if match is None:
                attachments.append(Attachment(name, None))
            else:
                attachments.append(Attachment(name[: match.start()], match[1].lower()))
    return attachments
