"""Bulk writes: many rows into one table inside an open transaction, as fast as SQLite allows.

- :class:`BulkWriter` executes statements on the transaction's connection in a thread of its
  own, in order. SQLite releases the GIL while it executes a statement, so a statement that
  inserts hundreds of rows (:func:`insert_sql`) runs while Python prepares the next batch.
  ``executemany`` in such a thread would not overlap: it takes the GIL back for every row and
  waits for the preparing thread to let go of it each time.
- :func:`indexes_set_aside` drops a table's secondary indexes during a load that is large
  against what the table holds and builds them again afterwards: one sorted build per index
  instead of a scattered insert per row (about 1 s less for 100,000 nationals).

Only :class:`~consuldesk.store.db.Tx` uses these, inside its transaction: a rollback undoes the
rows and the dropped indexes alike.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from types import TracebackType
from typing import Any

#: Rows per INSERT statement: large enough that one statement keeps SQLite busy for a few
#: milliseconds, small enough to stay far below SQLite's limit on parameters.
ROWS_PER_STATEMENT = 500
#: A load this large (and at least half as large as what the table holds) rebuilds the indexes.
REBUILD_INDEXES_FROM = 10_000
_Job = tuple[str, Sequence[Any]]


def rows_per_statement(connection: sqlite3.Connection, width: int) -> int:
    """How many rows of ``width`` columns one INSERT statement takes on ``connection``."""
    limit = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(ROWS_PER_STATEMENT, limit // width))


@lru_cache(maxsize=64)
def insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    """``INSERT INTO table (columns) VALUES (?, …), (?, …) …`` for ``rows`` rows."""
    one = f"({', '.join('?' * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}"


class BulkWriter:
    """Executes statements on a connection in a thread of its own, in the order given.

    The caller must not use the connection until :meth:`close` returns (leaving the ``with``
    block closes). The first statement that fails stops the writer; its error is raised by the
    next :meth:`execute` or by :meth:`close`. If the caller fails first, closing waits for the
    statements already given and raises nothing of its own.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._cursor = connection.cursor()
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    self._cursor.execute(*job)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        """Queue a statement (waits while four are queued already).

        Raises:
            sqlite3.Error: an earlier statement failed.
        """
        if self._error is not None:
            raise self._error
        self._jobs.put((sql, params))

    def close(self) -> None:
        """Wait for every statement queued.

        Raises:
            sqlite3.Error: a statement failed.
        """
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
            self._cursor.close()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        with contextlib.suppress(BaseException):  # the caller's own error is the one to raise
            self.close()


@contextmanager
def indexes_set_aside(
    connection: sqlite3.Connection, table: str, *, adding: int, holding: int
) -> Iterator[None]:
    """Drop ``table``'s secondary indexes while ``adding`` rows go in, then build them again,
    when that is cheaper: the load is large and at least half as large as the ``holding`` rows
    already there. Otherwise the rows go into the indexes as they are inserted.

    Indexes that enforce a constraint of the table itself (its primary key and ``UNIQUE``
    columns) stay; unique indexes created apart (partial ones such as "one live record per
    IIN") are dropped and built again, and building them checks their rows as inserting would.
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
