"""An export's bytes: JSON Lines (one record a line, as the API answers it) or CSV (a
header row, then one row a record; RFC 4180: CRLF between rows, a cell quoted when it
holds a comma, a quote or a line break), both UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from api.rest import models as m
from api.rest.export import columns, records

ENTITIES = ("meetings", "agenda-items", "decisions")
FORMATS = ("jsonl", "csv")
BOM = "\ufeff".encode()
MEDIA_TYPES = {
    # Not registered with IANA; the one JSON Lines' own documentation (jsonlines.org)
    # gives for .jsonl files (NDJSON's is application/x-ndjson: the same lines).
    "jsonl": "application/jsonl",
    "csv": "text/csv; charset=utf-8; header=present",  # RFC 4180's header parameter
}
# A cell that begins so is a formula to a spreadsheet: "- punkt" shows as #NAME?, and a
# document could hold =HYPERLINK(…). An apostrophe before it makes it text (OWASP's
# advice on CSV injection); the JSON Lines export has every text as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_RECORDS: dict[str, Callable[[m.Meeting], Iterable[m.Model]]] = {
    "meetings": lambda meeting: (meeting,),
    "agenda-items": records.agenda_items,
    "decisions": records.decisions,
}
_COLUMNS = {
    "meetings": columns.MEETINGS,
    "agenda-items": columns.AGENDA_ITEMS,
    "decisions": columns.DECISIONS,
}


@dataclass(frozen=True, slots=True)
class Export:
    entity: str  # one of ENTITIES
    format: str  # one of FORMATS
    bom: bool = False  # CSV only: a byte order mark first, which Excel needs to read UTF-8

    def __post_init__(self) -> None:
        if self.entity not in ENTITIES or self.format not in FORMATS:
            raise ValueError(f"no export {self.filename}")
        if self.bom and self.format != "csv":
            raise ValueError("a byte order mark is for CSV only: JSON Lines has none")

    @property
    def filename(self) -> str:
        return f"{self.entity}.{self.format}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    def head(self) -> bytes:
        """What comes before the first record: the BOM and the header row."""
        if self.format != "csv":
            return b""
        header = _csv_rows([[name for name, _ in _COLUMNS[self.entity]]])
        return (BOM if self.bom else b"") + header

    def encode(self, meetings: Sequence[m.Meeting]) -> bytes:
        """The records of a page of meetings."""
        found = [r for meeting in meetings for r in _RECORDS[self.entity](meeting)]
        if self.format == "jsonl":
            return b"".join(r.model_dump_json(by_alias=True).encode() + b"\n" for r in found)
        cells = _COLUMNS[self.entity]
        rows = []
        for record in found:
            values = record.model_dump(mode="json", by_alias=True)
            rows.append([cell(value(values)) for _, value in cells])
        return _csv_rows(rows)


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_rows(rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()
