"""Alembic environment: runs against the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import consuldesk.store.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave FTS5's shadow tables out of autogenerate: migrations 0001 and 0008 create them by
    hand."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLES))


#: The search indexes (FTS5 virtual tables and their shadow tables).
FTS_TABLES = ("national_fts", "national_ids")


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # alembic CLI use by developers: sqlalchemy.url from -x or the ini
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # Batch migrations copy tables; foreign keys must be off while they do, and the pragma
        # only works outside a transaction: send it on the raw connection (no SQLAlchemy autobegin).
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=_include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        raw.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
