"""Danish full-text search: search_documents, indexed by a tsvector with a GIN index on
PostgreSQL and by an FTS5 table kept in step by triggers on SQLite.

Documents ingested before this revision have no search rows: their parser version is
cleared, so that the next ``referat ingest`` of the same files stores them again.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# FTS5 tokenizes the stored lemmas; remove_diacritics 0 keeps å from becoming a.
FTS5_TOKENIZER = "unicode61 remove_diacritics 0"


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("agenda_item_id", sa.String(), nullable=False),
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("body_id", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('AgendaItem', 'Decision')", name=op.f("ck_search_documents_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_search_documents_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_search_documents_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        for column in ("agenda_item_id", "meeting_id", "body_id", "date"):
            batch_op.create_index(batch_op.f(f"ix_search_documents_{column}"), [column])
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("search_documents", sa.Column("tsv", postgresql.TSVECTOR(), nullable=False))
        op.create_index(
            "ix_search_documents_tsv", "search_documents", ["tsv"], postgresql_using="gin"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_documents', "
            f"content_rowid='rowid', tokenize='{FTS5_TOKENIZER}')"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
            "INSERT INTO search_fts(rowid, tokens) VALUES (new.rowid, new.tokens); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, tokens) "
            "VALUES ('delete', old.rowid, old.tokens); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, tokens) "
            "VALUES ('delete', old.rowid, old.tokens); "
            "INSERT INTO search_fts(rowid, tokens) VALUES (new.rowid, new.tokens); END"
        )
    op.execute("UPDATE documents SET parser_version = ''")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
