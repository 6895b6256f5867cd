"""Running alembic from code, and refusing to work on an unmigrated database."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class NotMigratedError(RuntimeError):
    """The database schema is not at the head revision."""


class MigrationError(RuntimeError):
    """A migration cannot go ahead; the message says why and what to do. The database is
    left as it was."""


def alembic_config(database_url: str) -> Config:
    root = Path(os.environ.get("REFERAT_PROJECT_ROOT", PROJECT_ROOT))
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head", *, organization: str | None = None) -> None:
    """``organization`` is whose minutes a database made before organizations holds
    (migration 0006); without it, REFERAT_ORGANIZATION."""
    config = alembic_config(database_url)
    config.attributes["organization"] = organization
    command.upgrade(config, revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert head is not None, "alembic/versions holds no migration"
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_migrated(engine: sa.Engine) -> None:
    """Raise NotMigratedError, with a one-line message naming the fix, unless at head."""
    url = engine.url.render_as_string(hide_password=True)
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise NotMigratedError(f"cannot open the database at {url}: {reason}") from None
    head = head_revision(url)
    if current != head:
        state = f"at revision {current}" if current else "not migrated"
        raise NotMigratedError(
            f"the database at {url} is {state} (head is {head}): run `referat migrate` first"
        )
