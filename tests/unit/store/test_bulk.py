"""Bulk writes: the writer thread, indexes set aside during large loads, Tx.insert_nationals."""

from __future__ import annotations

import contextlib
import sqlite3
import threading

import pytest
from sqlalchemy import text

from consuldesk.services import nationals
from consuldesk.store import bulk


@pytest.fixture
def connection():
    con = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, name TEXT)")
    con.execute("CREATE UNIQUE INDEX uq_t_code ON t (code) WHERE code IS NOT NULL")
    con.execute("CREATE INDEX ix_t_name ON t (name)")
    yield con
    con.close()


def indexes(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]


def test_insert_sql_takes_many_rows_in_one_statement(connection):
    sql = bulk.insert_sql("t", ("id", "code"), 3)
    assert sql == "INSERT INTO t (id, code) VALUES (?, ?), (?, ?), (?, ?)"
    connection.execute(sql, [1, "a", 2, "b", 3, "c"])
    assert connection.execute("SELECT count(*) FROM t").fetchone() == (3,)
    assert bulk.rows_per_statement(connection, 36) == bulk.ROWS_PER_STATEMENT


def test_the_writer_runs_statements_in_order_in_another_thread(connection):
    seen: list[str] = []
    connection.create_function(
        "where_am_i", 0, lambda: seen.append(threading.current_thread().name)
    )
    with bulk.BulkWriter(connection) as writer:
        for i in range(20):
            writer.execute("INSERT INTO t (id, name) VALUES (?, where_am_i())", [i])
    assert [r[0] for r in connection.execute("SELECT id FROM t ORDER BY rowid")] == list(range(20))
    assert set(seen) == {"bulk-writer"}


def test_a_failed_statement_stops_the_writer_and_is_raised(connection):
    writer = bulk.BulkWriter(connection)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            writer.execute("INSERT INTO t (id, code) VALUES (?, ?)", [1, "a"])
            writer.execute("INSERT INTO t (id, code) VALUES (?, ?)", [2, "a"])  # same code
            for i in range(3, 100):  # raised by a later execute, or else by close
                writer.execute("INSERT INTO t (id, code) VALUES (?, ?)", [i, str(i)])
            writer.close()
    finally:
        with contextlib.suppress(sqlite3.IntegrityError):
            writer.close()
    assert connection.execute("SELECT max(id) FROM t").fetchone() == (1,)  # nothing after it


def test_the_callers_error_wins_and_the_writer_is_stopped(connection):
    with pytest.raises(RuntimeError, match="cancelled"), bulk.BulkWriter(connection) as writer:
        writer.execute("INSERT INTO t (id, code) VALUES (1, 'a')", [])
        writer.execute("INSERT INTO t (id, code) VALUES (2, 'a')", [])  # fails in the thread
        raise RuntimeError("cancelled")
    assert not [t for t in threading.enumerate() if t.name == "bulk-writer"]


def test_small_loads_keep_the_indexes(connection):
    before = indexes(connection)
    with bulk.indexes_set_aside(connection, "t", adding=bulk.REBUILD_INDEXES_FROM - 1, holding=0):
        assert indexes(connection) == before
    with bulk.indexes_set_aside(connection, "t", adding=20_000, holding=50_000):
        assert indexes(connection) == before  # small against what the table holds


def test_large_loads_build_the_indexes_again_and_check_them(connection):
    before = sorted(indexes(connection))
    connection.execute("BEGIN")
    with bulk.indexes_set_aside(connection, "t", adding=20_000, holding=0):
        assert indexes(connection) == []
        connection.executemany("INSERT INTO t (code) VALUES (?)", [(str(i),) for i in range(100)])
    assert sorted(indexes(connection)) == before
    query = "EXPLAIN QUERY PLAN SELECT id FROM t WHERE name = 'x'"
    assert "ix_t_name" in " ".join(str(r) for r in connection.execute(query))

    with (
        pytest.raises(sqlite3.IntegrityError),
        bulk.indexes_set_aside(connection, "t", adding=20_000, holding=0),
    ):
        connection.execute("INSERT INTO t (code) VALUES ('1')")  # a second '1'
    connection.execute("ROLLBACK")
    assert sorted(indexes(connection)) == before


def test_insert_nationals_takes_an_iterable_with_its_count(desk, monkeypatch):
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 7)  # several statements for 30 rows
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)  # and the indexes set aside
    done: list[int] = []
    rows = ({"surname_cyr": f"Әлиев{'а' * i}", "phones": ["+77012345678"]} for i in range(30))
    with desk.casefile.write("x") as tx:
        ids = tx.insert_nationals(rows, count=30, audited=False, progress=done.append)
    assert len(set(ids)) == 30 and done[-1] == 30 and done == sorted(done)
    assert [r.surname_cyr for r in nationals.search(desk, "Әлиев", limit=50).rows][:1] == ["Әлиев"]
    assert len(nationals.search(desk, "701234", limit=50).rows) == 30
    with desk.casefile.read() as session:
        count = session.execute(
            text("SELECT count(*) FROM audit_event WHERE table_name='national'")
        )
        assert count.scalar() == 0  # the caller audits them
        names = session.execute(text("SELECT name FROM sqlite_master WHERE type='index'")).all()
    assert "uq_national_iin_live" in {n for (n,) in names}


def test_insert_nationals_stopped_by_its_progress_writes_nothing(desk, monkeypatch):
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 5)

    def cancel(done: int) -> None:
        if done >= 10:
            raise RuntimeError("cancelled")

    rows = [{"surname_cyr": "Әлиев", "phones": []} for _ in range(30)]
    with pytest.raises(RuntimeError), desk.casefile.write("x") as tx:
        tx.insert_nationals(rows, progress=cancel)
    assert nationals.count_nationals(desk) == 0
    with pytest.raises(ValueError, match="expected 3 rows"), desk.casefile.write("x") as tx:
        tx.insert_nationals(iter(rows[:2]), count=3)
    assert nationals.count_nationals(desk) == 0
