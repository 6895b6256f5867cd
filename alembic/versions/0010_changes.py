"""The change feed: a ``changes`` table of every entity created, updated or deleted.

``seq`` is the feed's cursor and comes from the database: an AUTOINCREMENT rowid on
SQLite (never reused, even after the highest row goes), a BIGSERIAL on PostgreSQL.
Writers take it in commit order (api.loaders.changes).

What the database already holds goes into the feed as CREATED, so that a mirror that
reads the feed from its start gets the whole archive, not only what comes after this
migration: meetings, their items and decisions at their meeting's ``updated_at``, the
shared entities (organizations, bodies, persons, and the cases an item refers to: a
case no item refers to answers null, api.queries._cases) at the time of the migration.

Revision ID: 0010
Revises: 0009
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.utc import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIONS = "'CREATED', 'UPDATED', 'DELETED'"
_TYPES = "'Organization', 'Body', 'Meeting', 'AgendaItem', 'Decision', 'Case', 'Person'"

# (type, the SELECT of its ids and times), parents before children, as ingest writes them.
_EXISTING = (
    ("Organization", "SELECT id, :now AS at FROM organizations"),
    ("Body", "SELECT id, :now AS at FROM bodies"),
    ("Person", "SELECT id, :now AS at FROM persons"),
    (
        "Case",
        "SELECT id, :now AS at FROM cases c "
        "WHERE EXISTS (SELECT 1 FROM agenda_items i WHERE i.case_id = c.id)",
    ),
    ("Meeting", "SELECT id, updated_at AS at FROM meetings"),
    (
        "AgendaItem",
        "SELECT i.id, m.updated_at AS at FROM agenda_items i "
        "JOIN meetings m ON m.id = i.meeting_id",
    ),
    (
        "Decision",
        "SELECT d.id, m.updated_at AS at FROM decisions d "
        "JOIN agenda_items i ON i.id = d.agenda_item_id JOIN meetings m ON m.id = i.meeting_id",
    ),
)


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"action IN ({_ACTIONS})", name=op.f("ck_changes_action_valid")),
        sa.CheckConstraint(f"type IN ({_TYPES})", name=op.f("ck_changes_type_valid")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_changes_at"), "changes", ["at"])
    op.create_index("ix_changes_id_seq", "changes", ["id", "seq"])
    # The migration's own time, stored as every other timestamp is (api.utc).
    now = sa.bindparam("now", dt.datetime.now(dt.UTC), type_=UTCDateTime())
    for type_name, rows in _EXISTING:
        statement = sa.text(
            "INSERT INTO changes (type, id, action, at) "
            f"SELECT '{type_name}', e.id, 'CREATED', e.at FROM ({rows}) e ORDER BY e.id"
        )
        op.get_bind().execute(statement.bindparams(now) if ":now" in rows else statement)


def downgrade() -> None:
    op.drop_index("ix_changes_id_seq", table_name="changes")
    op.drop_index(op.f("ix_changes_at"), table_name="changes")
    op.drop_table("changes")
