"""Search walks documents newest first: on SQLite the rowids of search_documents (and so
of the FTS5 index) follow their dates (api.search.order); on PostgreSQL an index on
(date, id) replaces the one on date.

Revision ID: 0003
Revises: 0002
"""

import datetime as dt
from collections.abc import Sequence

from alembic import op
from api.search.order import day_key

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain index operations: a batch (table copy) would drop SQLite's FTS5 triggers.
    op.drop_index("ix_search_documents_date", table_name="search_documents")
    op.create_index("ix_search_documents_date_id", "search_documents", ["date", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        return
    # Renumber existing documents. Old rowids count from 1, new ones start at DAY times
    # an ordinal day, so the two ranges never meet; the update trigger moves each
    # document's FTS5 entry along with it.
    rows = bind.exec_driver_sql(
        "SELECT rowid, date FROM search_documents ORDER BY date, rowid"
    ).fetchall()
    moves: list[tuple[int, int]] = []
    day, place = None, 0
    for rowid, date in rows:
        place = place + 1 if date == day else 0
        day = date
        moves.append((day_key(dt.date.fromisoformat(date)) + place, rowid))
    if moves:
        bind.exec_driver_sql("UPDATE search_documents SET rowid = ? WHERE rowid = ?", moves)


def downgrade() -> None:
    # The date-ordered rowids are valid rowids too: nothing to undo on SQLite.
    op.drop_index("ix_search_documents_date_id", table_name="search_documents")
    op.create_index("ix_search_documents_date", "search_documents", ["date"])
