"""Document ingestion: text → records (here) → rows (``store``)."""

from api.loaders.parser import PARSER_VERSION, explain_minutes, parse_minutes
from api.loaders.reading import decode_document, normalise_text, read_document
from api.loaders.records import (
    AgendaItem,
    Attachment,
    Decision,
    DecisionOutcome,
    DocumentKind,
    Minutes,
    MinutesFormatError,
    Participant,
    Section,
    SectionKind,
)
from api.loaders.serialize import minutes_to_dict, minutes_to_json

__all__ = [
    "PARSER_VERSION",
    "AgendaItem",
    "Attachment",
    "Decision",
    "DecisionOutcome",
    "DocumentKind",
    "Minutes",
    "MinutesFormatError",
    "Participant",
    "Section",
    "SectionKind",
    "decode_document",
    "explain_minutes",
    "minutes_to_dict",
    "minutes_to_json",
    "normalise_text",
    "parse_minutes",
    "read_document",
]
