"""the list of nationals at 100,000: stored "youngest in the family" and household kinds, live
indexes for every filter

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:10:00

``national.household_youngest`` is the latest birth date among the live members of the live
households a person belongs to (themself included). "A woman travelling with minors" is then
one indexed comparison with today's cut-off, instead of a join over every household membership
(about 280 ms at 100,000 people). Triggers keep it right whatever writes the memberships, the
birth dates or the deletions: the services, a list import, a bundle merge.
``national.household_kinds`` says whether the person is in a live family (1), tour group (2),
both (3) or neither (0), for the list's household filter. Both are derived, kept by each case
file for itself, and never travel in bundles.

Partial indexes over the live records (``deleted_at IS NULL``) let each filter of the list be
counted from an index and each page be read after the last one (keyset paging), so a deep page
costs what the first one does. They replace the indexes over all records on the birth date and
the sort name, which led SQLite to sort thousands of rows for a page.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The latest birth date among the live members of the live households of national ``{who}``.
_YOUNGEST = """(SELECT max(c.birth_date)
    FROM household_member AS m
    JOIN household AS h ON h.id = m.household_id AND h.deleted_at IS NULL
    JOIN household_member AS k ON k.household_id = m.household_id AND k.deleted_at IS NULL
    JOIN national AS c ON c.id = k.national_id AND c.deleted_at IS NULL
    WHERE m.national_id = {who} AND m.deleted_at IS NULL)"""

# The kinds of live households national ``{who}`` is a live member of: 1 a family, 2 a tour
# group, 3 both, 0 none.
_KINDS = """(SELECT coalesce(max(h.kind = 'family'), 0)
        + 2 * coalesce(max(h.kind = 'tour_group'), 0)
    FROM household_member AS m
    JOIN household AS h ON h.id = m.household_id AND h.deleted_at IS NULL
    WHERE m.national_id = {who} AND m.deleted_at IS NULL)"""


def _refresh(households: str, people: str = "NULL") -> str:
    """An UPDATE recomputing everyone ever in ``households`` (a SQL list) and ``people``,
    writing only the rows whose values change."""
    youngest, kinds = _YOUNGEST.format(who="national.id"), _KINDS.format(who="national.id")
    return (
        f"UPDATE national SET household_youngest = {youngest}, household_kinds = {kinds} "
        f"WHERE (id IN (SELECT national_id FROM household_member WHERE household_id IN "
        f"({households})) OR id IN ({people})) "
        f"AND (household_youngest IS NOT {youngest} OR household_kinds IS NOT {kinds});"
    )


_HOUSEHOLDS_OF = "SELECT household_id FROM household_member WHERE national_id = {who}"

# While a row is in ``derived_paused``, the triggers leave the derived columns alone: a bulk load
# (consuldesk.store.derived.paused) computes them once for all it added, instead of once a row.
_UNLESS_PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM derived_paused) "

TRIGGERS = {
    "household_youngest_member_ai": (
        "AFTER INSERT ON household_member "
        + _UNLESS_PAUSED
        + "BEGIN "
        + _refresh("new.household_id", "new.national_id")
        + " END"
    ),
    "household_youngest_member_au": (
        "AFTER UPDATE OF household_id, national_id, deleted_at ON household_member "
        + _UNLESS_PAUSED
        + "BEGIN "
        + _refresh("old.household_id, new.household_id", "old.national_id, new.national_id")
        + " END"
    ),
    "household_youngest_member_ad": (
        "AFTER DELETE ON household_member "
        + _UNLESS_PAUSED
        + "BEGIN "
        + _refresh("old.household_id", "old.national_id")
        + " END"
    ),
    "household_youngest_household_ai": (
        "AFTER INSERT ON household " + _UNLESS_PAUSED + "BEGIN " + _refresh("new.id") + " END"
    ),
    "household_youngest_household_au": (
        "AFTER UPDATE OF deleted_at, kind ON household "
        + _UNLESS_PAUSED
        + "BEGIN "
        + _refresh("new.id")
        + " END"
    ),
    "household_youngest_national_ai": (
        "AFTER INSERT ON national "
        + _UNLESS_PAUSED
        + "BEGIN "
        + _refresh(_HOUSEHOLDS_OF.format(who="new.id"))
        + " END"
    ),
    "household_youngest_national_au": (
        "AFTER UPDATE OF birth_date, deleted_at ON national "
        + _UNLESS_PAUSED
        + "BEGIN "
        + _refresh(_HOUSEHOLDS_OF.format(who="new.id"), "new.id")
        + " END"
    ),
}

#: (name, columns, condition): every filter of the list counted and paged from an index.
LIVE = "deleted_at IS NULL"
INDEXES = (
    ("ix_national_live_name", ("sort_name", "seq"), LIVE),
    ("ix_national_live_born", ("birth_date", "sort_name", "seq"), LIVE),
    ("ix_national_live_city", ("city", "sort_name", "seq"), LIVE),
    ("ix_national_live_status", ("presence_status", "sort_name", "seq"), LIVE),
    ("ix_national_live_country", ("host_country", "city", "sort_name", "seq"), LIVE),
    (
        "ix_national_live_medical",
        ("sort_name", "seq"),
        f"{LIVE} AND medical_condition IS NOT NULL AND medical_condition <> ''",
    ),
    (
        "ix_national_live_mobility",
        ("sort_name", "seq"),
        f"{LIVE} AND mobility_needs IS NOT NULL AND mobility_needs <> ''",
    ),
    ("ix_national_live_pregnant", ("sort_name", "seq"), f"{LIVE} AND pregnant = 1"),
    ("ix_national_live_households", ("household_kinds", "sort_name", "seq"), LIVE),
    (
        "ix_national_live_women",
        ("household_youngest", "birth_date", "sort_name", "seq"),
        f"{LIVE} AND sex = 'F'",
    ),
)


def upgrade() -> None:
    # A plain ALTER TABLE: a batch copy of the table would drop the search triggers.
    op.add_column("national", sa.Column("household_youngest", sa.Date(), nullable=True))
    op.add_column(
        "national",
        sa.Column("household_kinds", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute("CREATE TABLE derived_paused (id INTEGER PRIMARY KEY)")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "UPDATE national SET household_youngest = "
        + _YOUNGEST.format(who="national.id")
        + ", household_kinds = "
        + _KINDS.format(who="national.id")
        + " WHERE id IN (SELECT national_id FROM household_member)"
    )
    for name, columns, where in INDEXES:
        op.create_index(name, "national", list(columns), sqlite_where=sa.text(where))
    op.drop_index("ix_national_birth_date", table_name="national")
    op.drop_index("ix_national_sort_name", table_name="national")
    _needs_review_index(["sort_name", "seq"])


def _needs_review_index(columns: list[str]) -> None:
    op.drop_index("ix_national_needs_review", table_name="national")
    op.create_index(
        "ix_national_needs_review",
        "national",
        columns,
        sqlite_where=sa.text("review IS NOT NULL AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    _needs_review_index(["sort_name"])
    op.create_index("ix_national_sort_name", "national", ["sort_name"])
    op.create_index("ix_national_birth_date", "national", ["birth_date"])
    for name, _columns, _where in INDEXES:
        op.drop_index(name, table_name="national")
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS derived_paused")
    op.drop_column("national", "household_kinds")
    op.drop_column("national", "household_youngest")
