"""The typed records a minutes or agenda document parses into.

Plain frozen dataclasses: nothing here knows about the database, so the parser can be
tested, fuzzed and benchmarked on its own.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class DocumentKind(enum.Enum):
    MINUTES = "MINUTES"  # REFERAT
    AGENDA = "AGENDA"  # DAGSORDEN


class SectionKind(enum.Enum):
    BACKGROUND = "BACKGROUND"  # Baggrund
    RECOMMENDATION = "RECOMMENDATION"  # Indstilling
    PRESENTATION = "PRESENTATION"  # Sagsfremstilling
    ECONOMY = "ECONOMY"  # Økonomi
    OTHER = "OTHER"  # any other standard heading, kept verbatim


class DecisionOutcome(enum.Enum):
    APPROVED = "APPROVED"
    RECOMMENDED = "RECOMMENDED"  # recommended to the body that decides ("Anbefales")
    POSTPONED = "POSTPONED"
    NOTED = "NOTED"
    DISCUSSED = "DISCUSSED"
    REFERRED = "REFERRED"
    REJECTED = "REJECTED"
    OTHER = "OTHER"


class OrganizationKind(enum.Enum):
    MUNICIPALITY = "MUNICIPALITY"  # kommune
    REGION = "REGION"  # region
    OTHER = "OTHER"


class ChangeAction(enum.Enum):
    """What happened to an entity, in the change feed (the ``changes`` table)."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"  # a tombstone: node(id:) answers null from then on


class MinutesFormatError(ValueError):
    """The input is not minutes or an agenda: empty, binary, junk, or without a header."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}: line {line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason

    def __reduce__(self) -> tuple[type[MinutesFormatError], tuple[str, int, str]]:
        # Keeps the error picklable across process pools despite the custom signature.
        return (type(self), (self.source, self.line, self.reason))


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    role: str | None = None  # "Formand", "sekretær", "Suppleant for Brian Møller (A)"
    party: str | None = None  # the list letter: "A", "Ø", "UP", "Løsgænger"


@dataclass(frozen=True, slots=True)
class Section:
    kind: SectionKind
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Decision:
    body: str
    date: dt.date
    text: str
    outcome: DecisionOutcome


@dataclass(frozen=True, slots=True)
class Attachment:
    title: str
    file_extension: str | None


@dataclass(frozen=True, slots=True)
class AgendaItem:
    number: int
    title: str
    case_number: str | None
    is_closed: bool
    page: int | None
    sections: tuple[Section, ...]
    decisions: tuple[Decision, ...]
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class Minutes:
    source: str
    kind: DocumentKind
    title: str  # the header line as written, without decoration
    organization: str | None  # as the document's letterhead names it, if it does
    body: str
    date: dt.date
    starts_at: dt.datetime | None
    location: str | None
    participants: tuple[Participant, ...]
    absentees: tuple[Participant, ...]
    items: tuple[AgendaItem, ...]
    warnings: tuple[str, ...]
