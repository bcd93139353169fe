"""Schema migrations with Alembic, run programmatically (no alembic.ini needed at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the bundled migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest schema revision this ConsulDesk knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class RevisionState:
    """Where a database stands against the bundled migrations."""

    current: str | None
    head: str
    known: bool
    has_tables: bool

    @property
    def unknown(self) -> bool:
        """The database was upgraded by a newer ConsulDesk."""
        return self.current is not None and not self.known

    @property
    def needs_upgrade(self) -> bool:
        """The schema is older than this ConsulDesk's (or absent)."""
        return self.current != self.head and not self.unknown


def inspect_revision(engine: Engine) -> RevisionState:
    """Read the database's Alembic revision and compare it with the bundled scripts."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        has_tables = bool(inspect(conn).get_table_names())
    known = True
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except Exception:  # alembic raises for unknown revisions
            known = False
    head = script.get_current_head()
    assert head is not None
    return RevisionState(current, head, known, has_tables)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction."""
    command.upgrade(alembic_config(engine), revision)
