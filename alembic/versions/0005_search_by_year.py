"""SQLite's FTS5 index becomes one table a year (api.search.partitions): ranking and
prefixes then cost what one year's documents cost, not the whole archive's.

The single search_fts table and its triggers go; each year of stored documents gets
its table, filled from search_documents.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op
from api.search import partitions

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SINGLE_TRIGGERS = ("search_documents_ai", "search_documents_ad", "search_documents_au")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        return
    for trigger in _SINGLE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    years = bind.exec_driver_sql(
        "SELECT DISTINCT CAST(substr(date, 1, 4) AS INTEGER) FROM search_documents"
    ).scalars()
    for year in list(years):
        # The insert trigger was part of a year's table until revision 0009.
        for statement in [*partitions.create_statements(year), partitions.insert_trigger(year)]:
            op.execute(statement)
        low, high = partitions.rowids(year)
        bind.exec_driver_sql(
            f"INSERT INTO {partitions.table(year)}(rowid, tokens) "
            "SELECT rowid, tokens FROM search_documents WHERE rowid >= ? AND rowid < ?",
            (low, high),
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        return
    names = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
    for year in partitions.years(list(names)):
        for statement in partitions.drop_statements(year):
            op.execute(statement)
    # As revision 0002 made it.
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_documents', "
        f"content_rowid='rowid', tokenize='{partitions.TOKENIZER}')"
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
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
