"""``parse_minutes``: minutes or agenda text in, typed records out.

A document is recognised by its parts, not by one template: the agenda item headings
of one layout family (``layouts.items``) split it into a head and its items; the head
gives the header, the preamble's labelled facts and the table of contents; each item is
split at its section and decision headings. What each layout looks like is data in
``api/loaders/layouts``; this module only puts the parts together. Whatever is odd but
readable becomes a warning naming its line; text that is not minutes raises
MinutesFormatError.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from api.loaders.dates import find_time, local_datetime, make_date, parse_meeting_time
from api.loaders.layouts import closed, furniture, transcript
from api.loaders.layouts.cases import case_number, is_labelled
from api.loaders.layouts.decisions import decision_heading
from api.loaders.layouts.headers import Header, kind_word, read_header
from api.loaders.layouts.items import (
    ABSENCE_TITLES,
    BODY_ABBREVIATIONS,
    FAMILIES,
    TITLE_ABBREVIATION,
    ItemHeading,
    item_heading,
)
from api.loaders.layouts.labels import Fact, label, split_labels, starts_a_label
from api.loaders.layouts.people import people
from api.loaders.layouts.sections import (
    ATTACHMENT_HEADINGS,
    LONGEST_HEADING,
    SECTION_HEADINGS,
)
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

# Stored with every document: a new version re-parses content already ingested.
# 2: the letterhead's organization; 3: wrapped contents titles; 4: the layouts of other
# agenda systems (headers, labels, item headings, case numbers, quoted decisions).
PARSER_VERSION = "4"

_WRAPPED_TITLE = 40  # a title this short did not wrap onto the next line
_UNREAD_WARNINGS = 20  # then one line says there are more
_LONGEST_TITLE = 250  # a contents title longer than this swallowed its neighbours
_CONFIRM_WINDOW = 4  # lines after a heading that may confirm it as an item's
_CASE_ABOVE = 2  # lines above a heading where its case number may stand
_TITLE_ABOVE = 3  # lines of a title above "Sag nr. N"
_TOC_ENTRY = re.compile(r"^(.+?)\s*\.{2,}\s*(\d{1,4})$")
_TOC_COLUMNS = re.compile(r"^(.+?)\s+(\d{1,4})$")
_MD_TABLE_FRAME = re.compile(r"^\|[\s|:-]*\|?$")
_ATTACHMENT_EXTENSION = re.compile(
    r"\.(pdf|docx?|docm|dotx|xlsx?|xlsm|pptx?|odt|ods|odp|rtf|txt|csv|msg|eml|html?|xml"
    r"|jpe?g|png|gif|tiff?|zip|mp3|mp4|mov)$",
    re.IGNORECASE,
)
_STARTED_AT = re.compile(
    r"\bmødet\s+(?:startede|begyndte|blev\s+åbnet|åbnedes|start)\b[^.]*?\bkl\.?\s*\d", re.I
)
_RESTATED = re.compile(r"^(?:Dagsordenspunkt|Punkt)\s+(\d{1,4})\s*:\s*(.*)$", re.IGNORECASE)
_RECOMMENDS = re.compile(r"^[A-ZÆØÅ][\w ,&.-]{1,60}\s+indstiller\s*(?:,|:|$|,?\s+at\b)")
# First characters of a line that may be an item heading, decoration included.
_ITEM_INITIALS = frozenset("PpSNA•·▪0123456789#*_ \t")
_DECORATION = frozenset(" \t#*_")
_LIST_LINE = re.compile(r"^\s*(?:[•·▪*-]\s*)?\d{1,3}[.)]\s")
_GLUED_INITIALS = frozenset("IUTa \t")
# A file's name alone on a line: "udkast_planstrategi_2020.pdf".
_FILE_NAME = re.compile(rf"^\S+{_ATTACHMENT_EXTENSION.pattern}", re.IGNORECASE)
_SOURCE_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def parse_minutes(text: str, *, source: str) -> Minutes:
    """Parse minutes (REFERAT) or an agenda (DAGSORDEN).

    Pure: no I/O. ``source`` names the document in errors and warnings, and gives the
    date when the document has lost it (a file name with YYYY-MM-DD).
    """
    return _checked(text, source).parse()


def explain_minutes(
    text: str, *, source: str
) -> tuple[list[tuple[int, str, str, str]], MinutesFormatError | None]:
    """How each line was read: (line number, part, rule, text) in line order, for the
    person who adds the next layout; and the error that refused the document, if any."""
    parser = _checked(text, source, explain=True)
    try:
        parser.parse()
    except MinutesFormatError as error:
        return parser.explained(), error
    return parser.explained(), None


def _checked(text: str, source: str, *, explain: bool = False) -> _Parser:
    text = normalise_text(text)
    if "\x00" in text:
        raise MinutesFormatError(source, text.count("\n", 0, text.find("\x00")) + 1, "binary data")
    if not text.strip():
        raise MinutesFormatError(source, 1, "empty document")
    return _Parser(text, source, explain=explain)


@dataclass(frozen=True, slots=True)
class _Heading:
    """What a heading line inside an item opens."""

    kind: SectionKind | None  # None for decisions and attachments
    text: str
    decision: tuple[str | None, dt.date | None] | None = None  # the deciding body, date
    inline: str = ""  # text after the heading's colon, on its own line
    rule: str = "section heading"


# Text between an item's case number and its first heading.
_LOOSE_TEXT = _Heading(SectionKind.OTHER, "", rule="text before any heading")


@dataclass(frozen=True, slots=True)
class _Start:
    """Where an agenda item begins."""

    start: int  # its first line: the heading, or a case number or title above it
    heading: int
    number: int
    title: str
    family: str
    case_number: str | None = None  # printed above the heading


@dataclass
class _Head:
    """What the lines before the first agenda item say about the meeting."""

    header: Header | None = None  # the phrase that names the document
    kind: DocumentKind | None = None
    body: str | None = None
    date: dt.date | None = None
    date_line: int = 0
    time: dt.time | None = None
    place: str | None = None
    participants: tuple[Participant, ...] | None = None
    absentees: tuple[Participant, ...] | None = None
    organization: str | None = None
    first_fact: int | None = None
    parts: list[str] = field(default_factory=list)  # kind, body and date as written
    toc: list[tuple[int | None, str, int | None, bool]] = field(default_factory=list)
    toc_line: int = 0
    toc_end: int = -1  # the last line of the contents


@dataclass(slots=True)
class _Value:
    """A label's value as it is read, line by line."""

    fact: Fact
    name: str  # the label as written
    at: int
    values: list[str]
    alone: bool  # the label stood alone: its value is on the lines below


@dataclass(frozen=True, slots=True)
class _Meeting:
    kind: DocumentKind | None
    body: str
    date: dt.date


class _Parser:
    def __init__(self, text: str, source: str, *, explain: bool = False) -> None:
        lines = text.split("\n")
        self.origin: list[int] | None = None
        if transcript.is_transcript(lines):
            lines, self.origin = transcript.split_transcript(lines)
        self.lines = lines
        self.source = source
        self.warnings: list[str] = []
        # How each line was read, for ``explain_minutes``; None when nobody asks.
        self.trace: dict[int, tuple[str, str]] | None = {} if explain else None
        self.shown = list(lines) if explain else []  # the lines before furniture went
        self.family = ""  # the item headings' family the document uses
        self.unconfirmed: list[tuple[int, ItemHeading]] = []  # its headings not confirmed
        self.before: list[tuple[int, str]] = []  # lines before the header, unread
        self.unread = 0  # lines before the first item that no rule placed
        self._drop_furniture()

    # -- bookkeeping ---------------------------------------------------------------------

    def line_number(self, index: int) -> int:
        if self.origin is not None and self.origin:
            return self.origin[min(index, len(self.origin) - 1)] + 1
        return index + 1

    def warn(self, index: int, message: str) -> None:
        self.warnings.append(f"line {self.line_number(index)}: {message}")

    def note(self, index: int, part: str, rule: str) -> None:
        if self.trace is not None and index not in self.trace:
            self.trace[index] = (part, rule)

    def note_range(self, start: int, end: int, part: str, rule: str) -> None:
        if self.trace is not None:
            for index in range(start, end):
                if self.lines[index].strip():
                    self.note(index, part, rule)

    def explained(self) -> list[tuple[int, str, str, str]]:
        trace = self.trace or {}
        rows = []
        for index, line in enumerate(self.shown):
            if line.strip():
                part, rule = trace.get(index, ("unread", "no rule matched"))
                rows.append((self.line_number(index), part, rule, line.strip()))
        return rows

    def fail(self, index: int, reason: str) -> MinutesFormatError:
        return MinutesFormatError(self.source, self.line_number(index), reason)

    def _drop_furniture(self) -> None:
        """Blank out portal furniture, keeping line numbers."""
        lines = self.lines
        for index, raw in enumerate(lines):
            if not raw:
                continue
            line = raw
            if raw[0] in _GLUED_INITIALS or raw.endswith("icon"):
                line = lines[index] = furniture.without_furniture(raw)
            if len(line) <= furniture.LONGEST_LINE and furniture.is_furniture(line):
                lines[index] = ""
                self.note(index, "furniture", "portal furniture")

    # -- the document --------------------------------------------------------------------

    def parse(self) -> Minutes:
        starts = self._item_starts()
        head_end = starts[0].start if starts else len(self.lines)
        head = self._head(0, head_end)
        revised = self._with_contents(starts, head)
        if revised != starts:
            starts = revised
            first = starts[0].start if starts else len(self.lines)
            if first != head_end:  # the head ends elsewhere: read it again
                self.warnings, self.unread = [], 0
                head = self._head(0, first)
        bounds = [*[s.start for s in starts][1:], len(self.lines)] if starts else []
        meeting = self._meeting(head, starts, bounds)
        closed_from = self._closed_part(starts)
        items = [
            self._item(s, end, meeting, closed_part=s.start >= closed_from)
            for s, end in zip(starts, bounds, strict=True)
        ]
        self._check_numbering(starts, items)
        items = self._apply_toc(items, head)
        if not items:
            raise self.fail(
                head.first_fact or 0, "no agenda items found (no numbered item headings)"
            )
        self._facts_from_first_item(head, items, starts, bounds)
        kind = meeting.kind or (
            DocumentKind.MINUTES
            if any(d.body == meeting.body for item in items for d in item.decisions)
            else DocumentKind.AGENDA
        )
        starts_at = None
        if head.time is not None:
            starts_at = local_datetime(head.date or meeting.date, head.time)
        elif head.header is not None or head.first_fact is not None:
            self.warn(head.date_line, "no start time given: the start time is unknown")
        return Minutes(
            source=self.source,
            kind=kind,
            title=self._title(head, kind, meeting),
            organization=head.organization,
            body=meeting.body,
            date=meeting.date,
            starts_at=starts_at,
            location=head.place,
            participants=head.participants or (),
            absentees=head.absentees or (),
            items=tuple(items),
            warnings=tuple(self.warnings),
        )

    def _title(self, head: _Head, kind: DocumentKind, meeting: _Meeting) -> str:
        header = head.header
        if header is not None and header.kind and header.body and header.date:
            return header.text
        word = "REFERAT" if kind is DocumentKind.MINUTES else "DAGSORDEN"
        return f"{word} {meeting.body} d. {meeting.date:%d-%m-%Y}"

    def _meeting(self, head: _Head, starts: list[_Start], bounds: list[int]) -> _Meeting:
        """The meeting's body and date: from the head, else from the first decision that
        names them, else (body) from First Agenda's title prefix or (date) the file name."""
        body, date = head.body, head.date
        if body is None or date is None:
            for s, end in zip(starts, bounds, strict=True):
                found = self._first_named_decision(s.heading + 1, end)
                if found is not None:
                    index, named_body, named_date = found
                    if body is None:
                        body = named_body
                        self.warn(index, f"no body in the header; {body!r} from this decision")
                    if date is None:
                        date = named_date
                        self.warn(index, f"no date in the header; {date} from this decision")
                    break
        if body is None and starts:
            prefix = TITLE_ABBREVIATION.match(starts[0].title)
            if prefix is not None and prefix[1] in BODY_ABBREVIATIONS:
                body = BODY_ABBREVIATIONS[prefix[1]]
                self.warn(
                    starts[0].heading,
                    f"no body in the header; {body!r} from the item title's {prefix[1]!r}",
                )
        if date is None:
            found_date = _source_date(self.source)
            if found_date is not None:
                date = found_date
                self.warn(head.first_fact or 0, f"no date in the document; {date} from its name")
        at = head.first_fact or 0
        if (body is None or date is None) and head.header is None and head.first_fact is None:
            raise self.fail(
                self._first_text(),
                "not minutes or an agenda: no header (such as 'REFERAT <body> d. "
                "DD-MM-YYYY') and no agenda items",
            )
        if body is None:
            raise self.fail(at, "no body: the document does not name the committee that met")
        if date is None:
            raise self.fail(at, "no meeting date in the document or its name")
        return _Meeting(head.kind, body, date)

    def _first_text(self) -> int:
        return next((i for i, line in enumerate(self.lines) if line.strip()), 0)

    def _first_named_decision(self, start: int, end: int) -> tuple[int, str, dt.date] | None:
        for index in range(start, end):
            line = self.lines[index]
            if line and len(line) < 160:
                heading = decision_heading(structural(line))
                # An earlier body's decision quoted in an item is not this meeting's.
                if heading and heading.body and heading.date and heading.rule != "quoted":
                    return index, heading.body, heading.date
        return None

    # -- the head: header, preamble, table of contents -----------------------------------

    def _head(self, start: int, end: int) -> _Head:
        head = _Head()
        lines = self.lines
        phrase: list[tuple[int, str]] = []
        in_toc = False
        closed_part = False
        wrapped: tuple[int, str] | None = None  # a contents title's first line, pending
        value_of: _Value | None = None  # the label being read

        def flush_phrase() -> None:
            if phrase:
                for at, text in self._read_phrase(head, phrase):
                    if head.first_fact is None or at < head.first_fact:
                        self.before.append((at, text))
                    else:
                        self._unrecognised(at, text)
                phrase.clear()

        def flush_value() -> None:
            nonlocal value_of
            if value_of is not None:
                self._set_fact(head, value_of)
                value_of = None

        for index in range(start, end):
            line = structural(lines[index])
            if not line:
                flush_phrase()
                if wrapped is not None:
                    self._unrecognised(*wrapped)
                    wrapped = None
                # A label alone takes the next paragraph; a numbered list goes on.
                if (
                    value_of is not None
                    and (value_of.values or not value_of.alone)
                    and not (value_of.alone and self._list_goes_on(index, value_of.values))
                ):
                    flush_value()
                continue
            if head.first_fact is None and furniture.is_banner(line):
                self.note(index, "furniture", "cookie banner")
                continue
            for piece in split_labels(line) if ":" in line else [line]:
                if closed.starts_closed_part(piece):
                    # "Sager på lukket møde", "Lukkede punkter": the contents go on, closed.
                    flush_phrase()
                    flush_value()
                    closed_part = in_toc = True
                    self.note(index, "contents", "the closed part begins")
                    continue
                found = label(piece)
                if found is not None:
                    flush_phrase()
                    flush_value()
                    fact, name, value, alone = found
                    self.note(index, "preamble", f"label {name!r} ({fact.value})")
                    head.first_fact = index if head.first_fact is None else head.first_fact
                    in_toc = fact is Fact.CONTENTS
                    if not in_toc:
                        value_of = _Value(fact, name, index, [value] if value else [], alone)
                    continue
                if value_of is not None and starts_a_label(piece):
                    flush_value()  # "Stedfortrædere: …": another label's, unknown
                if value_of is not None:
                    value_of.values.append(piece)
                    self.note(index, "preamble", f"value of {value_of.name!r}")
                    continue
                entry = self._toc_entry(piece, in_toc)
                if (
                    entry is not None
                    and entry[0] is not None
                    and any(number == entry[0] for number, *_ in head.toc)
                ):
                    # The contents listed this number: here is its item, unconfirmed.
                    in_toc, entry = False, None
                if entry is not None:
                    number, title, page = entry
                    if wrapped is not None:  # a title that wrapped onto the entry's line
                        title, wrapped = f"{wrapped[1]} {title}", None
                    if not head.toc:
                        head.toc_line = index
                    head.toc.append((number, title, page, closed_part))
                    head.toc_end = index
                    self.note(index, "contents", "entry")
                    continue
                if in_toc and _MD_TABLE_FRAME.match(piece):
                    continue
                if in_toc:
                    wrapped = (wrapped[0], f"{wrapped[1]} {piece}") if wrapped else (index, piece)
                    self.note(index, "contents", "entry's title, wrapped")
                    continue
                phrase.append((index, piece))
        flush_phrase()
        flush_value()
        if wrapped is not None:
            self._unrecognised(*wrapped)
        for at, text in self.before:
            organization = letterhead_organization(text)
            if organization:
                head.organization = head.organization or organization
                self.note(at, "letterhead", "a municipality's or region's name")
            else:
                self.note(at, "unread", "before the header")
        if self.before and head.first_fact is not None:
            self.warn(head.first_fact, f"{len(self.before)} line(s) before the header ignored")
        return head

    def _list_goes_on(self, index: int, values: list[str]) -> bool:
        """Whether a label's numbered list continues after this blank line."""
        number = re.match(r"^(\d{1,3})[.)]\s", values[-1]) if values else None
        if number is None:
            return False
        following = next((line for line in self.lines[index:] if line.strip()), "")
        return following.strip().startswith(f"{int(number[1]) + 1}.")

    def _read_phrase(self, head: _Head, phrase: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Read consecutive lines as one header phrase, else each line as one; returns
        the lines left unread."""
        header = read_header(" ".join(text for _, text in phrase))
        if header is not None:
            self._take_header(head, header, phrase[0][0])
            for at, _ in phrase:
                self.note(at, "header", "header phrase")
            return []
        unread = []
        for at, text in phrase:
            header = read_header(text) if len(phrase) > 1 else None
            if header is None:
                unread.append((at, text))
                continue
            self._take_header(head, header, at)
            self.note(at, "header", "header phrase")
        return unread

    def _take_header(self, head: _Head, header: Header, at: int) -> None:
        if header.impossible:
            raise self.fail(at, f"impossible date in header {header.text!r}")
        if header.body and (organization := letterhead_organization(header.body)):
            # "Frederiksberg Kommune" / "Referat": the letterhead, then the kind.
            head.organization = head.organization or organization
            header = replace(header, body=None)
        head.first_fact = at if head.first_fact is None else head.first_fact
        if header.kind is not None and head.kind is None:
            head.kind = header.kind
        if header.body and head.body is None:
            head.body = header.body
        if head.header is None and (header.kind or header.body):
            head.header = header
        if header.date is not None:
            if head.date is None:
                head.date, head.date_line = header.date, at
            elif header.date != head.date:
                self.warn(at, f"date {header.date} differs from the header's {head.date}")
        if header.time is not None and head.time is None:
            head.time = header.time
        if header.place and head.place is None:
            head.place = header.place
        if header.rest:
            self.warn(at, f"text after the header's place not read: {header.rest[:60]!r}")
        if header.body is None and (header.date is None) != (header.kind is None):
            self._body_above(head, at)  # a date line, or a kind word, alone

    def _body_above(self, head: _Head, at: int) -> None:
        """A date line alone: the short line above it names the body (Rødovre)."""
        if head.body is not None:
            return
        above = next(
            (
                i
                for i in range(at - 1, -1, -1)
                if self.lines[i].strip() and not letterhead_organization(structural(self.lines[i]))
            ),
            None,
        )
        if above is None:
            return
        text = structural(self.lines[above])
        if 1 <= len(text.split()) <= 6 and text[:1].isupper() and read_header(text) is None:
            head.body = text
            self.before = [(i, t) for i, t in self.before if i != above]
            self.warnings = [w for w in self.warnings if not w.endswith(repr(text[:60]))]
            self.note(above, "header", "the body's name above the date line")

    def _set_fact(self, head: _Head, value_of: _Value) -> None:
        fact, at, values = value_of.fact, value_of.at, value_of.values
        listed = value_of.alone and len(values) > 1  # one name a line
        joined = ""
        for part in map(str.strip, values):  # "Anya Krogh" / "Manghezi" is one name
            joined = f"{joined}{'' if joined.endswith('-') else ' '}{part}" if joined else part
        value = "\n".join(values) if listed else joined
        if fact is Fact.DATE:
            day, time, problems = parse_meeting_time(joined, value_of.name)
            for problem in problems:
                if not problem.startswith("no date") or time is None:
                    self.warn(at, problem)
            if day is not None:
                if head.date is None:
                    head.date, head.date_line = day, at
                elif day != head.date:
                    differs = f"{day.isoformat()} differs from the header's {head.date}"
                    self.warn(at, f"{value_of.name} {differs}")
            if time is not None and head.time is None:
                head.time = time
        elif fact is Fact.TIME:
            time, _ = find_time(joined)
            if time is None:
                self.warn(at, f"no time in {joined!r}")
            elif head.time is None:
                head.time = time
        elif fact is Fact.PLACE:
            head.place = head.place or joined or None
        elif fact is Fact.BODY:
            head.body = head.body or joined or None
        elif fact is Fact.KIND:
            head.kind = head.kind or kind_word(joined)
        elif fact is Fact.PARTICIPANTS:
            found = people(value, one_per_line=listed)
            head.participants = found if head.participants is None else head.participants
        elif fact is Fact.ABSENTEES:
            found = people(value, one_per_line=listed)
            head.absentees = found if head.absentees is None else head.absentees

    def _unrecognised(self, index: int, line: str) -> None:
        self.note(index, "unread", "unrecognised line before the first agenda item")
        self.unread += 1
        if self.unread <= _UNREAD_WARNINGS:
            self.warn(index, f"unrecognised line before the first agenda item: {line[:60]!r}")
        elif self.unread == _UNREAD_WARNINGS + 1:
            self.warn(index, "more unrecognised lines before the first agenda item not listed")

    @staticmethod
    def _toc_entry(line: str, in_toc: bool) -> tuple[int | None, str, int | None] | None:
        """A contents entry: "Title.....3", "Title<TAB>3", "| Title | 3 |", "49. Title"."""
        numbered = item_heading(line) if in_toc else None
        if numbered is not None and numbered.title:
            title, page = numbered.title, None
            dotted = _TOC_ENTRY.match(title) or (
                _TOC_COLUMNS.match(title.replace("\t", " ")) if "\t" in title else None
            )
            if dotted is not None:
                title, page = dotted[1].strip(), int(dotted[2])
            return numbered.number, title, page
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
        return None, match[1].strip(), int(match[2])

    # -- where the items are -------------------------------------------------------------

    def _item_starts(self) -> list[_Start]:
        """The agenda items' first lines, in the document's one family of headings."""
        lines = self.lines
        candidates: list[tuple[int, ItemHeading]] = []
        indents: dict[int, int] = {}
        for index, line in enumerate(lines):
            if line and line[0] in _ITEM_INITIALS and len(line) < 400:
                heading = item_heading(structural(line))
                if heading is not None:
                    candidates.append((index, heading))
                    indents[index] = len(line) - len(line.lstrip())
        for family in FAMILIES:
            found = [(i, h) for i, h in candidates if h.family == family]
            confirmed = [(i, h) for i, h in found if self._confirmed(i, h, found)]
            if confirmed:
                # Headings stand at the document's margin; a numbered line indented
                # further is a list inside an item.
                margin = min(indents[i] for i, _ in confirmed)
                confirmed = [(i, h) for i, h in confirmed if indents[i] <= margin]
                self.family = family
                self.unconfirmed = [
                    (i, h)
                    for i, h in found
                    if (i, h) not in confirmed and indents[i] <= margin and not self._in_list(i)
                ]
                confirmed = self._with_gaps_filled(confirmed)
                return self._increasing([self._start(i, h) for i, h in confirmed])
        self.family = "case"
        # None confirmed by what follows: the contents may still confirm them.
        margin = min(indents.values(), default=0)
        self.unconfirmed = [(i, h) for i, h in candidates if indents[i] <= margin]
        return self._case_starts()

    def _with_gaps_filled(
        self, confirmed: list[tuple[int, ItemHeading]]
    ) -> list[tuple[int, ItemHeading]]:
        """An unconfirmed heading whose number lies between two confirmed ones' (item 3
        between 2 and 4, say, whose text runs on without a heading) is an item too."""
        kept = list(confirmed)
        for index, heading in self.unconfirmed:
            before = [(i, h) for i, h in confirmed if i < index]
            after = [(i, h) for i, h in confirmed if i > index]
            if (
                before
                and after
                and before[-1][1].number < heading.number < after[0][1].number
                and not heading.title[:1].islower()
            ):
                kept.append((index, heading))
        self.unconfirmed = [u for u in self.unconfirmed if u not in kept]
        return sorted(kept)

    def _in_list(self, index: int) -> bool:
        """A numbered line right next to another numbered line is a list's."""
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(self.lines) and _LIST_LINE.match(self.lines[neighbour]):
                return True
        return False

    def _confirmed(
        self, index: int, heading: ItemHeading, family: list[tuple[int, ItemHeading]]
    ) -> bool:
        if heading.certain:
            return True
        if heading.title[:1].islower() or self._in_list(index):
            return False
        others = {i for i, _ in family}
        seen = 0
        for following in range(index + 1, len(self.lines)):
            if following in others:
                return False
            line = structural(self.lines[following])
            if not line:
                continue
            if case_number(line) or _heading(line) is not None:
                return True
            if heading.title and _same_title(line, heading.title):
                continue
            seen += 1
            if seen >= _CONFIRM_WINDOW:
                return False
        return False

    def _start(self, index: int, heading: ItemHeading) -> _Start:
        title, start = heading.title, index
        if heading.family == "sag-nr":  # the title stands above "Sag nr. N"
            above: list[str] = []
            for i in range(index - 1, max(index - 1 - _TITLE_ABOVE, -1), -1):
                text = structural(self.lines[i])
                if not text or _heading(text) is not None:
                    break
                above.insert(0, text)
                start = i
            title = " ".join(above)
        case = None
        seen = 0
        for i in range(start - 1, -1, -1):
            text = structural(self.lines[i])
            if not text:
                continue
            if is_labelled(text):
                case, start = case_number(text), i
                break
            seen += 1
            if seen >= _CASE_ABOVE:
                break
        return _Start(start, index, heading.number, title, heading.family, case)

    def _increasing(self, starts: list[_Start]) -> list[_Start]:
        """Item numbers grow through a document: a smaller number is a numbered line of
        the item before ("1. dagsorden godkendes"), unless the heading is certain."""
        kept: list[_Start] = []
        for s in starts:
            if kept and s.number <= kept[-1].number and s.family != "punkt":
                self.note(s.heading, "text", "numbered line, not an item (number too small)")
                continue
            kept.append(s)
        return kept

    def _case_starts(self) -> list[_Start]:
        """No headings (a portal page whose titles were lost): each labelled case
        number opens an untitled item (Aabenraa: "Sagsid.: 20/33839")."""
        starts: list[_Start] = []
        for index, line in enumerate(self.lines):
            text = structural(line)
            if text and is_labelled(text):
                starts.append(_Start(index, index, len(starts) + 1, "", "case", case_number(text)))
        return starts

    def _with_contents(self, starts: list[_Start], head: _Head) -> list[_Start]:
        """The headings as the numbered table of contents has them: a heading whose
        number the contents give another title is a numbered line of an item; one that
        repeats an entry after the contents is an item, confirmed or not."""
        listed = {number: title for number, title, _, _ in head.toc if number is not None}
        if not listed:
            return starts
        kept = [
            s
            for s in starts
            if not s.title or s.number not in listed or _titles_agree(s.title, listed[s.number])
        ]
        extra = [
            self._start(i, h)
            for i, h in self.unconfirmed
            if i > head.toc_end and h.number in listed and _titles_agree(h.title, listed[h.number])
        ]
        if len(kept) == len(starts) and not extra:
            return starts
        if extra and self.family == "case":  # the contents found headings after all
            families = {s.family for s in extra}
            self.family = families.pop() if len(families) == 1 else self.family
            kept = [s for s in kept if s.family != "case"]
        return self._increasing(sorted(kept + extra, key=lambda s: s.heading))

    def _closed_part(self, starts: list[_Start]) -> int:
        """The line from which every item is closed ("LUKKET MØDE"), if any."""
        first = starts[0].start if starts else len(self.lines)
        for index in range(first, len(self.lines)):
            line = self.lines[index]
            if line and len(line) < 40 and closed.starts_closed_part(structural(line)):
                self.note(index, "items", "closed part begins")
                return index
        return len(self.lines)

    # -- one item ------------------------------------------------------------------------

    def _item(self, s: _Start, end: int, meeting: _Meeting, *, closed_part: bool) -> AgendaItem:
        number, title = s.number, s.title
        self.note(s.heading, f"item {number}", f"heading ({s.family})")
        if s.start != s.heading:
            self.note_range(s.start, s.heading, f"item {number}", "title or case above heading")
        index = s.heading + 1
        closed_line = False
        if not title and s.family == "punkt":  # "Pkt. 12", the title on a line below
            while index < end and not self.lines[index].strip():
                index += 1
        if s.family != "case":
            # A long title wraps onto the lines right below it, before any blank line.
            while index < end and (line := structural(self.lines[index])):
                if case_number(line) or _heading(line) is not None:
                    break
                if title and closed.is_closed_title(line) and len(line) < 40:
                    closed_line = True  # "Lukket punkt" under the heading
                    self.note(index, f"item {number}", "closed")
                    index += 1
                    break
                if title and len(title) < _WRAPPED_TITLE:
                    break  # a short title did not wrap: this is the item's text
                title = f"{title} {line}".strip()
                self.note(index, f"item {number}", "title, wrapped")
                index += 1
        case = s.case_number
        while index < end and not self.lines[index].strip():
            index += 1
        if case is None and index < end and (found := case_number(structural(self.lines[index]))):
            case = found
            self.note(index, f"item {number}", "case number")
            index += 1
        is_closed = closed_part or closed_line or closed.is_closed_title(title)
        if is_closed:
            if any(line.strip() for line in self.lines[index:end]):
                self.warn(s.heading, f"closed agenda item {number}: its content was left out")
                self.note_range(index, end, f"item {number}", "closed: left out")
            return AgendaItem(number, title, case, True, None, (), (), ())
        sections: list[Section] = []
        decisions: list[Decision] = []
        attachments: list[Attachment] = []
        blocks = self._blocks(index, end, number, title)
        if blocks and blocks[0][0] is _LOOSE_TEXT:
            loose = blocks[0][1]
            if case is None:
                loose, case = self._case_in(loose, blocks[0][2], number)
            # A portal's link to a file, above the item's first heading.
            files = [line for line in loose.split("\n") if _FILE_NAME.match(line.strip())]
            if files:
                attachments.extend(_attachments("\n".join(files)))
                loose = "\n".join(line for line in loose.split("\n") if line not in files)
            blocks[0] = (_LOOSE_TEXT, loose, blocks[0][2])
        for position, (heading, raw, heading_line) in enumerate(blocks):
            if heading.decision is not None:
                if text := clean_block(raw):
                    named_body, day = heading.decision
                    body_name = _body_named(named_body, meeting.body)
                    if day is None and body_name != meeting.body:
                        self.warn(
                            heading_line,
                            f"agenda item {number}: {body_name}'s decision has no date; "
                            "this meeting's is used",
                        )
                    decisions.append(
                        Decision(body_name, day or meeting.date, text, classify_outcome(text))
                    )
                elif not _next_is_decision(blocks, position) and meeting.kind is not (
                    DocumentKind.AGENDA
                ):
                    self.warn(heading_line, f"agenda item {number}: empty decision left out")
            elif heading.kind is None:
                attachments.extend(_attachments(raw))
            else:
                text = clean_block(raw)
                if heading is _LOOSE_TEXT:
                    if not text:
                        continue
                    self.warn(
                        heading_line,
                        f"agenda item {number}: text before its first heading kept as OTHER",
                    )
                sections.append(Section(heading.kind, heading.text, text))
        if not title:
            self.warn(s.heading, f"agenda item {number} has no title")
        if case is None and self.family in ("punkt", "case"):
            self.warn(s.heading, f"agenda item {number} has no case number")
        return AgendaItem(
            number=number,
            title=title,
            case_number=case,
            is_closed=False,
            page=None,
            sections=tuple(sections),
            decisions=tuple(decisions),
            attachments=tuple(attachments),
        )

    def _case_in(self, text: str, at: int, number: int) -> tuple[str, str | None]:
        """A labelled case number in the text before an item's first heading."""
        lines = text.split("\n")
        for offset, line in enumerate(lines):
            if is_labelled(structural(line)):
                self.note(at + offset, f"item {number}", "case number")
                return "\n".join(lines[:offset] + lines[offset + 1 :]), case_number(
                    structural(line)
                )
        return text, None

    def _blocks(
        self, start: int, end: int, number: int, title: str
    ) -> list[tuple[_Heading, str, int]]:
        """The item split at its headings: (heading, raw text below it, heading line).

        Lines that restate the item's title (portals print it twice) are left out, and a
        "<unit> indstiller, at …" paragraph outside any Indstilling is the recommendation.
        """
        lines = self.lines
        found: list[tuple[_Heading, int]] = []
        dropped: set[int] = set()
        kinds_seen: set[SectionKind] = set()
        for index in range(start, end):
            line = lines[index]
            if not line:
                continue
            text = structural(line) if line[0] in _DECORATION or "**" in line else line
            heading = _heading(text) if _may_be_heading(text) else None
            if heading is not None:
                found.append((heading, index))
                if heading.kind is not None:
                    kinds_seen.add(heading.kind)
                self.note(index, f"item {number}", heading.rule)
                continue
            restated = _RESTATED.match(text) if text[:1] in "DdPp" else None
            if (restated and int(restated[1]) == number) or (
                title and not found and _same_title(text, title)
            ):
                dropped.add(index)
                self.note(index, f"item {number}", "title restated")
            elif (
                "indstiller" in text
                and _RECOMMENDS.match(text)
                and SectionKind.RECOMMENDATION not in kinds_seen
                and not (found and found[-1][0].decision is not None)
            ):
                found.append(
                    (
                        _Heading(
                            SectionKind.RECOMMENDATION,
                            "Indstilling",
                            inline=text,
                            rule="recommendation without heading",
                        ),
                        index,
                    )
                )
                kinds_seen.add(SectionKind.RECOMMENDATION)
                self.note(index, f"item {number}", "recommendation without heading")
        blocks = []
        first = found[0][1] if found else end
        loose = [lines[i] for i in range(start, first) if i not in dropped]
        if "".join(loose).strip():
            first_text = next(
                i for i in range(start, first) if lines[i].strip() and i not in dropped
            )
            blocks.append((_LOOSE_TEXT, "\n".join(loose), first_text))
            self.note_range(start, first, f"item {number}", "text before any heading")
        ends = [index for _, index in found[1:]] + [end]
        for (heading, index), block_end in zip(found, ends, strict=False):
            body = [lines[i] for i in range(index + 1, block_end) if i not in dropped]
            if heading.inline:
                body.insert(0, heading.inline)
            where = heading.text or "decision"
            self.note_range(index + 1, block_end, f"item {number}", f"text of {where}")
            blocks.append((heading, "\n".join(body), index))
        return blocks

    def _check_numbering(self, starts: list[_Start], items: list[AgendaItem]) -> None:
        seen: dict[int, int] = {}
        for s, item in zip(starts, items, strict=True):
            if item.number in seen:
                raise self.fail(
                    s.heading,
                    f"agenda item {item.number} appears twice (first at line {seen[item.number]})",
                )
            seen[item.number] = self.line_number(s.heading)
        numbers = [item.number for item in items]
        if numbers != sorted(numbers):
            shown = ", ".join(map(str, numbers[:20]))
            self.warn(starts[0].heading, f"agenda items out of sequence: {shown}")

    def _apply_toc(self, items: list[AgendaItem], head: _Head) -> list[AgendaItem]:
        toc = head.toc
        if not toc:
            return items
        numbered = [entry for entry in toc if entry[0] is not None]
        if numbered:
            return self._numbered_toc(items, numbered, head)
        if len(toc) == len(items):
            pages: list[int | None] = [page for _, _, page, _ in toc]
        else:
            self.warn(
                head.toc_line,
                f"table of contents lists {len(toc)} entries but the document has "
                f"{len(items)} agenda items; pages matched by title",
            )
            pages = _pages_by_title(items, [(title, page) for _, title, page, _ in toc])
        return [
            item if item.is_closed else replace(item, page=page)
            for item, page in zip(items, pages, strict=True)
        ]

    def _numbered_toc(
        self,
        items: list[AgendaItem],
        toc: list[tuple[int | None, str, int | None, bool]],
        head: _Head,
    ) -> list[AgendaItem]:
        """Pages by number (where the titles agree), and items the contents list but
        the document does not hold (an opening, or a page that lost them)."""
        by_number = {item.number: item for item in items}
        result = list(items)
        listed: set[int] = set()
        for number, title, page, listed_closed in toc:
            assert number is not None
            if number in listed:
                continue
            listed.add(number)
            item = by_number.get(number)
            if item is not None:
                at = result.index(item)
                if listed_closed and not item.is_closed:
                    # Listed under "Lukkede punkter": its content is not for the public.
                    self.warn(head.toc_line, f"agenda item {number} is closed by the contents")
                    result[at] = AgendaItem(
                        number, item.title, item.case_number, True, None, (), (), ()
                    )
                elif page is not None and not item.is_closed and _same_title(item.title, title):
                    result[at] = replace(item, page=page)
                continue
            is_closed = listed_closed or closed.is_closed_title(title)
            self.warn(head.toc_line, f"agenda item {number} is listed in the contents only")
            if len(title) > _LONGEST_TITLE:
                self.warn(
                    head.toc_line,
                    f"agenda item {number}: its contents title runs {len(title)} characters "
                    "and may hold the titles after it (the contents lost their numbers)",
                )
            result.append(AgendaItem(number, title, None, is_closed, None, (), (), ()))
        return sorted(result, key=lambda item: item.number)

    def _facts_from_first_item(
        self, head: _Head, items: list[AgendaItem], starts: list[_Start], bounds: list[int]
    ) -> None:
        """Facts some layouts print inside the first items: an item "Fraværende" whose
        decision names the absentees; "Fraværende med afbud:", "Deltagerne var:" and
        "Mødet startede kl. 15.30" in the first item's decision (København)."""
        if head.absentees is None:
            for item in items[:3]:
                if item.title.casefold().rstrip(":.") in ABSENCE_TITLES and item.decisions:
                    head.absentees = people(item.decisions[0].text.split("\n\n")[0])
                    break
        if not starts:
            return
        first, end = starts[0], bounds[0]
        want_people = head.participants is None or head.absentees is None
        index = first.heading + 1
        while index < end and (want_people or head.time is None):
            text = structural(self.lines[index])
            found = label(text) if text else None
            if found is not None and found[0] in (Fact.PARTICIPANTS, Fact.ABSENTEES):
                fact, _, value, follows = found
                values, index = self._label_value(index, end, value, follows)
                if (fact is Fact.PARTICIPANTS and head.participants is None) or (
                    fact is Fact.ABSENTEES and head.absentees is None
                ):
                    self._set_fact(head, _Value(fact, found[1], index, values, follows))
                    self.note(index, "preamble", f"label inside item {first.number}")
                continue
            started = _STARTED_AT.search(text) if head.time is None and text else None
            if started is not None:
                head.time, _ = find_time(text[started.start() :])
            index += 1

    def _label_value(
        self, index: int, end: int, value: str, follows: bool
    ) -> tuple[list[str], int]:
        """A label's value inside an item: on its line, or the next paragraph (a
        numbered list going on over blank lines)."""
        if not follows:
            return [value], index + 1
        values: list[str] = []
        index += 1
        while index < end and not self.lines[index].strip():
            index += 1
        while index < end:
            line = structural(self.lines[index])
            if line:
                values.append(line)
                index += 1
                continue
            if self._list_goes_on(index, values):
                index += 1
                continue
            break
        return values, index


def _body_named(named: str | None, meeting_body: str) -> str:
    """The deciding body as a decision heading names it: this meeting's when it names
    none or the same; "REGIONSRÅDET" written as a name."""
    if named is None or named.casefold() == meeting_body.casefold():
        return meeting_body
    return named.capitalize() if named.isupper() else named


def _titles_agree(heading: str, entry: str) -> bool:
    """A heading and its contents entry: the same words, or one cut short of the other."""
    a, b = _title_key(heading), _title_key(entry)
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _same_title(line: str, title: str) -> bool:
    return _title_key(line) == _title_key(title) and bool(_title_key(title))


def _next_is_decision(blocks: list[tuple[_Heading, str, int]], position: int) -> bool:
    return position + 1 < len(blocks) and blocks[position + 1][0].decision is not None


_HEADING_MAX = 160
_HEADING_WINDOW = LONGEST_HEADING + 2


def _may_be_heading(line: str) -> bool:
    """A cheap first test: most lines of an item are prose, and not one of these."""
    return (
        len(line) <= _HEADING_WINDOW
        or ":" in line[:_HEADING_WINDOW]
        or line[:1] in "Bb"
        or (len(line) <= _HEADING_MAX and (line[-1] == ":" or "eslutning" in line))
    )


def _heading(line: str) -> _Heading | None:
    """What a structural line opens, if it is a heading inside an item."""
    if not line:
        return None
    colon = line.find(":", 0, LONGEST_HEADING + 2)
    if colon > 0:  # "Beslutningskompetence: KB", "Resumé: …" (a page-per-line transcript)
        name = line[:colon].strip()
        folded = name.casefold()
        if folded in SECTION_HEADINGS:
            return _Heading(SECTION_HEADINGS[folded], name, inline=line[colon + 1 :].strip())
        if folded in ATTACHMENT_HEADINGS:
            return _Heading(None, name, inline=line[colon + 1 :].strip(), rule="attachments")
    if len(line) > _HEADING_MAX:
        return None
    key = line.rstrip(":").strip()
    folded = key.casefold()
    if len(folded) <= LONGEST_HEADING:
        if folded in SECTION_HEADINGS:
            return _Heading(SECTION_HEADINGS[folded], key)
        if folded in ATTACHMENT_HEADINGS:
            return _Heading(None, key, rule="attachments heading")
    if line[0] not in "Bb" and line[-1] != ":" and "eslutning" not in line.lower():
        return None
    decision = decision_heading(line)
    if decision is not None:
        return _Heading(
            None,
            "",
            (decision.body, decision.date),
            inline=decision.text,
            rule=f"decision heading ({decision.rule})",
        )
    return None


def _source_date(source: str) -> dt.date | None:
    match = _SOURCE_DATE.search(PurePath(source).name)
    return make_date(match[3], match[2], match[1]) if match else None


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+", "", title.casefold())


def _pages_by_title(items: list[AgendaItem], toc: list[tuple[str, int | None]]) -> list[int | None]:
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
