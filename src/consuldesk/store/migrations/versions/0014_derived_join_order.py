"""the household triggers join in a fixed order

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 13:30:00

The triggers of revision 0010 recompute ``national.household_youngest`` with a join of the
person's memberships, their households, the households' members and those members' records.
SQLite 3.53 (SQLCipher's, which case files now run on) planned that join from the national
table's name index outwards when it had no statistics: a scan of every live person for each
row a trigger touched, so loading 100,000 memberships row by row took many minutes instead of
seconds. ``CROSS JOIN`` fixes the order SQLite must follow (membership, household, members,
their records: each step an index lookup). The triggers are otherwise the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = import_module("consuldesk.store.migrations.versions.0010_list_indexes").TRIGGERS


def _fixed_order(body: str) -> str:
    for table in ("household AS h", "household_member AS k", "national AS c"):
        body = body.replace(f"JOIN {table}", f"CROSS JOIN {table}")
    return body


def upgrade() -> None:
    for name, body in _BEFORE.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {_fixed_order(body)}")


def downgrade() -> None:
    for name, body in _BEFORE.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")
