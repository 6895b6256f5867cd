"""SQLite: ingest fills each year's FTS5 table itself, a batch at a time; the insert
trigger of every year's table goes.

Ingest stores a batch of documents in one transaction, each under a savepoint of its
own. FTS5 flushes its pending terms to disk at every savepoint, so a trigger indexing
each row as it was inserted wrote a small segment for every document: three times the
cost of indexing the batch's rows together after its savepoints (api.loaders.store).
The triggers that take deleted and changed rows out of the index stay. Nothing is
re-indexed: the tables hold what they held.

PostgreSQL: nothing (its tsvector is a column of the row).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op
from api.search import partitions

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _years() -> list[int]:
    bind = op.get_bind()
    names = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
    return partitions.years(list(names))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    for year in _years():
        op.execute(f"DROP TRIGGER IF EXISTS {partitions.table(year)}_ai")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    for year in _years():
        op.execute(partitions.insert_trigger(year))
