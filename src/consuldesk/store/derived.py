"""Columns of ``national`` the case file derives from households, kept by triggers.

``household_youngest`` (the latest birth date among the live members of a person's live
households) and ``household_kinds`` (1 in a family, 2 in a tour group, 3 both, 0 neither) let the
list filter "woman travelling with minors" and by household from an index (migration 0010).
Triggers on ``national``, ``household`` and ``household_member`` keep them whatever writes: the
services, a list import, a bundle merge.

A bulk load pauses the triggers (:func:`paused`) and computes the columns once for everything
it added: per row, the triggers cost about 2 s of a 100,000-record bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from consuldesk.store import cipher

#: The tables whose rows the derived columns depend on.
SOURCES = frozenset({"national", "household", "household_member"})

_YOUNGEST = """(SELECT max(c.birth_date)
    FROM household_member AS m
    CROSS JOIN household AS h ON h.id = m.household_id AND h.deleted_at IS NULL
    CROSS JOIN household_member AS k ON k.household_id = m.household_id AND k.deleted_at IS NULL
    CROSS JOIN national AS c ON c.id = k.national_id AND c.deleted_at IS NULL
    WHERE m.national_id = national.id AND m.deleted_at IS NULL)"""
_KINDS = """(SELECT coalesce(max(h.kind = 'family'), 0)
        + 2 * coalesce(max(h.kind = 'tour_group'), 0)
    FROM household_member AS m
    CROSS JOIN household AS h ON h.id = m.household_id AND h.deleted_at IS NULL
    WHERE m.national_id = national.id AND m.deleted_at IS NULL)"""

# Everyone ever in the households of :households (a JSON list of ids), and the people of
# :people (likewise), computed again; only the rows whose values change are written.
_REFRESH = f"""
UPDATE national SET household_youngest = {_YOUNGEST}, household_kinds = {_KINDS}
WHERE (id IN (SELECT national_id FROM household_member
              WHERE household_id IN (SELECT value FROM json_each(:households)))
       OR id IN (SELECT value FROM json_each(:people)))
  AND (household_youngest IS NOT {_YOUNGEST} OR household_kinds IS NOT {_KINDS})
"""
_HOUSEHOLDS_OF = (
    "SELECT DISTINCT household_id FROM household_member "
    "WHERE national_id IN (SELECT value FROM json_each(?))"
)


def refresh(connection: cipher.Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Compute the derived columns again for everyone ``rows`` (just written to ``table``)
    can touch."""
    if table == "household_member":
        households = {r["household_id"] for r in rows}
        people = {r["national_id"] for r in rows}
    elif table == "household":
        households, people = {r["id"] for r in rows}, set()
    elif table == "national":
        people = {r["id"] for r in rows}
        found = connection.execute(_HOUSEHOLDS_OF, (json.dumps(sorted(people)),))
        households = {h for (h,) in found}
    else:
        return
    connection.execute(
        _REFRESH,
        {"households": json.dumps(sorted(households)), "people": json.dumps(sorted(people))},
    )


@contextmanager
def paused(
    connection: cipher.Connection, table: str, rows: Sequence[dict[str, Any]]
) -> Iterator[None]:
    """Leave the derived columns to one computation after the block, for ``rows`` written to
    ``table`` inside it (a bulk insert): the triggers stand aside meanwhile. Inside the caller's
    transaction: a rollback undoes the pause with the rows."""
    if table not in SOURCES:
        yield
        return
    connection.execute("INSERT OR IGNORE INTO derived_paused (id) VALUES (1)")
    try:
        yield
    finally:
        connection.execute("DELETE FROM derived_paused")
    refresh(connection, table, rows)


@contextmanager
def paused_for_new_nationals(connection: cipher.Connection, first_seq: int) -> Iterator[None]:
    """Leave the derived columns of nationals inserted inside the block (``seq >= first_seq``)
    to one computation after it. A new record belongs to no household until a membership names
    it, so the insert trigger would only find nothing, once per row (about 2 s for 100,000
    records); afterwards, only the new records a membership already names are computed.
    Inside the caller's transaction: a rollback undoes the pause with the rows. Inside a pause
    already made (:func:`paused`), that pause is left to end where it was made."""
    outer = connection.execute("SELECT 1 FROM derived_paused").fetchone() is not None
    if not outer:
        connection.execute("INSERT INTO derived_paused (id) VALUES (1)")
    try:
        yield
    finally:
        if not outer:
            connection.execute("DELETE FROM derived_paused")
    named = connection.execute(
        "SELECT DISTINCT national_id FROM household_member "
        "WHERE national_id IN (SELECT id FROM national WHERE seq >= ?)",
        (first_seq,),
    ).fetchall()
    if named:
        refresh(connection, "national", [{"id": national_id} for (national_id,) in named])
