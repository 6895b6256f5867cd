"""Records as JSON: for ``referat parse`` and the golden files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any

from api.loaders.records import Minutes

# Fields added after the golden files were reviewed, left out while empty so that the
# records of a document that does not have them read as they always did.
_OMITTED_WHEN_EMPTY = frozenset({"party"})


def minutes_to_dict(minutes: Minutes) -> dict[str, Any]:
    result: dict[str, Any] = _plain(minutes)
    return result


def minutes_to_json(minutes: Minutes) -> str:
    """Stable, human-readable JSON: Danish letters kept as they are, two-space indent."""
    return json.dumps(minutes_to_dict(minutes), ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.name in _OMITTED_WHEN_EMPTY and getattr(value, f.name) is None)
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
