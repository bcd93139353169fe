"""Bulk loading: many rows into one table inside an open transaction.

:func:`indexes_set_aside` drops a table's secondary indexes during a load that is large against
what the table holds and builds them again afterwards: one sorted build per index instead of a
scattered insert per row (about 1 s less for 100,000 nationals into an empty case file). Only
:class:`~consuldesk.store.db.Tx` uses it, inside its transaction: a rollback undoes the rows and
the dropped indexes alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from consuldesk.store import cipher

#: A load this large (and at least half as large as what the table holds) rebuilds the indexes.
REBUILD_INDEXES_FROM = 10_000


@contextmanager
def indexes_set_aside(
    connection: cipher.Connection, table: str, *, adding: int, holding: int
) -> Iterator[None]:
    """Drop ``table``'s secondary indexes while ``adding`` rows go in, then build them again,
    when that is cheaper: the load is large and at least half as large as the ``holding`` rows
    already there. Otherwise the rows go into the indexes as they are inserted.

    Indexes that enforce a constraint of the table itself (its primary key and ``UNIQUE``
    columns) stay; unique indexes created apart (partial ones such as "one live record per
    IIN") are dropped and built again, and building them checks their rows as inserting would.
    If the block fails, the indexes are not built again: the caller rolls back.
    """
    if adding < REBUILD_INDEXES_FROM or 2 * adding < holding:
        yield
        return
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (table,),
    ).fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        connection.execute(sql)
