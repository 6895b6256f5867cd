"""``referat remove``: a meeting withdrawn, with everything under it, leaving tombstones.

A meeting is named by its id, or by the file it was stored from. A stored file's name is
relative to the directory its ingest was given (api.loaders.ingest.source_name), which
is not known afterwards, so a path finds the document stored from the same bytes when
the file is still there, else the document whose stored name is the path or its end
(``/srv/referater/2023/referat.pdf`` finds ``2023/referat.pdf``), the longest such name.
A name that several organizations' documents share names no one meeting: the id does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from api import models
from api.loaders import changes, locks
from api.loaders.records import ChangeAction
from api.loaders.store import delete_content

_MEETINGS: sa.Table = models.Meeting.__table__  # type: ignore[attr-defined]
_DOCUMENTS: sa.Table = models.Document.__table__  # type: ignore[attr-defined]


class NotStored(LookupError):
    """What was named is not one stored meeting; the message is one line naming it."""


def find_meetings(connection: sa.Connection, target: str) -> list[str]:
    """The meetings ``target`` names: a meeting id, or a file (see the module's text)."""
    if connection.execute(sa.select(_MEETINGS.c.id).where(_MEETINGS.c.id == target)).first():
        return [target]
    path = Path(target)
    if path.is_file():
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        same = sa.select(_DOCUMENTS.c.meeting_id).where(_DOCUMENTS.c.sha256 == sha256)
        found = sorted(connection.execute(same).scalars())
        if found:
            return found
    parts = PurePosixPath(target.replace("\\", "/")).parts
    names = ["/".join(parts[start:]) for start in range(len(parts))]  # longest first
    stored = sa.select(_DOCUMENTS.c.source_path, _DOCUMENTS.c.meeting_id).where(
        _DOCUMENTS.c.source_path.in_(names)
    )
    by_name: dict[str, list[str]] = {}
    for name, meeting in connection.execute(stored):
        by_name.setdefault(name, []).append(meeting)
    for name in names:
        if name in by_name:
            meetings = sorted(by_name[name])
            if len(meetings) > 1:
                raise NotStored(
                    f"{target}: {len(meetings)} stored documents are named {name!r} "
                    f"({', '.join(meetings)}): give the meeting id"
                )
            return meetings
    raise NotStored(f"{target}: no meeting with this id, and no document stored from this file")


def remove_meeting(
    connection: sa.Connection, meeting_id: str, now: dt.datetime | None = None
) -> list[changes.Change]:
    """Delete the meeting and everything under it (items, sections, decisions,
    attachments, participations, its document, its search documents) in the caller's
    transaction, and write their tombstones; the changes written. A case that no item
    refers to any more goes too (api.loaders.changes)."""
    found = connection.execute(
        sa.select(_MEETINGS.c.body_id, _MEETINGS.c.date).where(_MEETINGS.c.id == meeting_id)
    ).first()
    if found is None:
        raise NotStored(f"{meeting_id}: no meeting with this id")
    if connection.dialect.name == "postgresql":
        # An ingest that stores this body's meetings of that day waits, as ingests
        # wait for each other (api.loaders.store._begin_write).
        key = locks.key(locks.meeting(found.body_id, found.date))
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")
        still = sa.select(_MEETINGS.c.id).where(_MEETINGS.c.id == meeting_id)
        if connection.execute(still).first() is None:
            raise NotStored(f"{meeting_id}: no meeting with this id")
    before = changes.stored_content(connection, [meeting_id])
    delete_content(connection, meeting_id)
    connection.execute(_MEETINGS.delete().where(_MEETINGS.c.id == meeting_id))
    deleted, _ = changes.compare(before, changes.EMPTY)
    pending = changes.Pending(
        changes=[*deleted, changes.Change("Meeting", meeting_id, ChangeAction.DELETED)],
        cases=set(before.cases),
    )
    return changes.write(connection, pending, now or dt.datetime.now(dt.UTC))
