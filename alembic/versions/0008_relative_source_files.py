"""Source files are named relative to the path ingest was given, never by an absolute path.

``Meeting.sourceFile`` published the path each file was reached by, as given to ``referat
ingest`` (``/srv/referater/2023/referat.pdf``): where the server keeps its files, for
anyone to read. Ingest now stores a file's path relative to the directory given
(``2023/referat.pdf``), or its own name when the file itself was given. Where an older
run's directory began cannot be told from the stored paths, so this revision cuts every
stored value that is an absolute path (POSIX or Windows), or that climbs out with
``..``, to the file's base name (``referat.pdf``), in ``meetings.source_file`` and
``documents.source_path`` alike. Relative values (``seeds/001.txt``) stay: they name no
place on the server.

Collisions: many files may now have one name (every ``referat.pdf``). Nothing is unique
by it, and ids never depended on it. Ingest uses the name for one thing: to know the
file that a meeting came from when that file now gives another start time (or, the
same bytes, another organization), so that its old meeting is replaced rather than kept
beside the new one; it does so only among meetings of one body and day (api.loaders.
store._stored_meetings). A base name left here matches what a later ingest names a file
only when the file lies at the top of the directory given; for one deeper down that
gives another start time after this revision, the old meeting stays beside the new one
once (delete it by hand, or ingest into a fresh database). Unchanged documents are
still skipped by their content, and a changed document of the same meeting still
replaces it in place, by id. The alternative, guessing each run's directory from the
paths' longest common prefix, would keep more names right but publish the part of a
path below a guessed root (``home/alice/...``) when the guess is wrong.

The downgrade leaves the names as they are: the absolute paths are gone, and revision
0007 reads the names as well as it read paths.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    sa.table("meetings", sa.column("id"), sa.column("source_file")),
    sa.table("documents", sa.column("meeting_id"), sa.column("source_path")),
)
_CHUNK = 10_000


def base_name(value: str) -> str:
    """``value`` as a name that tells nothing of the server: its last part when it is an
    absolute path or climbs out with ``..``; otherwise itself."""
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(value)
        if path.anchor or ".." in path.parts:
            return path.name or value
    return value


def upgrade() -> None:
    bind = op.get_bind()
    for table in _COLUMNS:
        key, column = table.c
        changed = [
            {"key": row[0], "name": base_name(row[1])}
            for row in bind.execute(sa.select(key, column))
            if base_name(row[1]) != row[1]
        ]
        update = (
            table.update()
            .where(key == sa.bindparam("key"))
            .values({column.name: sa.bindparam("name")})
        )
        for start in range(0, len(changed), _CHUNK):
            bind.execute(update, changed[start : start + _CHUNK])


def downgrade() -> None:
    pass
