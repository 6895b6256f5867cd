"""PostgreSQL keeps search documents' tsvectors in the row, and drops the lemma text.

Search walks documents newest first and tests each one's tsvector. An agenda item's
tsvector is about 5 kB; past PostgreSQL's default toast target of 2 kB it went to the
TOAST table, and fetching it back cost four times the rest of the test. With a toast
target of a whole page (8160 bytes), rows up to that size stay in the heap.

The ``tokens`` column (the lemmas as text) is what SQLite's FTS5 table indexes; on
PostgreSQL the tsvector holds the same lemmas and nothing read the text, so it goes.

Existing rows are rewritten so that their tsvectors move into the heap; on a large
archive that takes a while (6.5 min for the 1.46M search documents of 100k meetings
here), and ``VACUUM search_documents`` afterwards returns the space of the old row
versions.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOAST_TUPLE_TARGET = 8160  # the largest PostgreSQL accepts: a page less its header


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_column("search_documents", "tokens")
    op.execute(f"ALTER TABLE search_documents SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")
    # A new value (tsv || '' is a copy) is toasted afresh, under the new target.
    op.execute("UPDATE search_documents SET tsv = tsv || ''::tsvector")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents RESET (toast_tuple_target)")
    # The lemma text, in order, is recoverable from the tsvector's positions (which stop
    # counting at 16383, as tsvectors do).
    op.add_column("search_documents", sa.Column("tokens", sa.Text(), nullable=True))
    op.execute(
        "UPDATE search_documents d SET tokens = coalesce((SELECT string_agg(lexeme, ' ' "
        "ORDER BY position) FROM unnest(d.tsv) u, unnest(u.positions) position), '')"
    )
    op.alter_column("search_documents", "tokens", nullable=False)
