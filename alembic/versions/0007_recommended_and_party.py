"""A decision may be RECOMMENDED ("Anbefales", "Indstilles godkendt": passed on to the
body that decides), and a participation keeps the participant's party list letter
("A", "Ø", "UP", "Løsgænger") apart from the role.

The stored decisions are classified again from their text by the rules ingest has when
this runs (api/loaders/outcome.py itself, not a copy), so a stored "Anbefales." reads
RECOMMENDED as an ingest of its document now gives, without the source files. Stored
participations get no party: only parsing the documents again can tell it.

The downgrade makes every RECOMMENDED decision APPROVED, the nearest outcome revision
0006 has, and drops the parties.

Revision ID: 0007
Revises: 0006
"""

import itertools
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.loaders.outcome import classify_outcome

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as of this revision, written out: the records' enum may grow after it.
_OUTCOMES_0006 = ("APPROVED", "POSTPONED", "NOTED", "DISCUSSED", "REFERRED", "REJECTED", "OTHER")
_OUTCOMES_0007 = (
    "APPROVED",
    "RECOMMENDED",
    "POSTPONED",
    "NOTED",
    "DISCUSSED",
    "REFERRED",
    "REJECTED",
    "OTHER",
)
_decisions = sa.table("decisions", sa.column("id"), sa.column("text"), sa.column("outcome"))
# An archive's decisions run to millions: read and updated in chunks.
_CHUNK = 10_000


def _outcome_valid(outcomes: tuple[str, ...]) -> str:
    return "outcome IN ({})".format(", ".join(f"'{outcome}'" for outcome in outcomes))


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(op.f("ck_decisions_outcome_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_decisions_outcome_valid"), _outcome_valid(_OUTCOMES_0007)
        )
    with op.batch_alter_table("participations") as batch:
        batch.add_column(sa.Column("party", sa.String(), nullable=True))
    _classify_again(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        _decisions.update().where(_decisions.c.outcome == "RECOMMENDED").values(outcome="APPROVED")
    )
    with op.batch_alter_table("participations") as batch:
        batch.drop_column("party")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(op.f("ck_decisions_outcome_valid"), type_="check")
        batch.create_check_constraint(
            op.f("ck_decisions_outcome_valid"), _outcome_valid(_OUTCOMES_0006)
        )


def _classify_again(bind: sa.Connection) -> None:
    """Every decision's outcome as its text gives it now; only the changed rows are
    written. An outcome the rules may have come to give since, which this revision's
    constraint does not allow, is left for the revision that allows it."""
    d = _decisions.c
    query = sa.select(d.id, d.text, d.outcome)
    # All changes are read before the first is written: PostgreSQL's server-side cursor
    # and SQLite's reading statement stay clear of the updates. They are few.
    changed = [
        {"key": key, "outcome": outcome}
        for key, text, stored in bind.execute(
            query.execution_options(stream_results=True, yield_per=_CHUNK)
        )
        if (outcome := classify_outcome(text).value) != stored and outcome in _OUTCOMES_0007
    ]
    update = (
        _decisions.update()
        .where(d.id == sa.bindparam("key"))
        .values(outcome=sa.bindparam("outcome"))
    )
    rows = iter(changed)
    while chunk := list(itertools.islice(rows, _CHUNK)):
        bind.execute(update, chunk)
