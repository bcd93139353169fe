"""Bulk loads: indexes set aside during large loads, Tx.insert_nationals."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from consuldesk.services import nationals
from consuldesk.store import bulk, db


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
    monkeypatch.setattr(db, "_INSERT_CHUNK", 7)  # several statements for 30 rows
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)  # and the indexes set aside
    done: list[int] = []
    rows = ({"surname_cyr": f"Әлиев{'а' * i}", "phones": ["+77012345678"]} for i in range(30))
    with desk.casefile.write("x") as tx:
        ids = tx.insert_nationals(rows, count=30, audited=False, progress=done.append)
    assert len(set(ids)) == 30 and done == [7, 14, 21, 28, 30]
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
    monkeypatch.setattr(db, "_INSERT_CHUNK", 5)

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


def test_insert_nationals_leaves_the_household_triggers_as_they_were(desk, monkeypatch):
    """The insert trigger stands aside during a bulk insert (a new record is in no household)
    and works again after it: a family made afterwards derives its columns."""
    from datetime import date

    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services import households

    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)  # the large-load path
    rows = [
        {"surname_cyr": f"Сәрсенова{'а' * i}", "sex": "F", "birth_date": date(1980 + i, 1, 1)}
        for i in range(20)
    ]
    with desk.casefile.write("x") as tx:
        ids = tx.insert_nationals(rows, audited=False)
        paused = tx.session.execute(text("SELECT count(*) FROM derived_paused")).scalar()
    assert paused == 0  # not left paused for the next write
    households.create_household(desk, "Сәрсеновтар", HouseholdKind.FAMILY, member_ids=ids[:2])
    with desk.casefile.read() as session:
        derived = dict(session.execute(text("SELECT id, household_kinds FROM national")).all())
        youngest = session.execute(
            text("SELECT household_youngest FROM national WHERE id = :id"), {"id": ids[0]}
        ).scalar()
    assert derived[ids[0]] == derived[ids[1]] == 1 and derived[ids[2]] == 0
    assert youngest == "1981-01-01"


def test_none_and_bools_bind_as_sqlite_binds_them(tmp_path):
    """The adapters registered for None and bool (a fast path past sqlcipher3's attribute
    lookups) store NULL and 0/1, as the standard library's sqlite3 does."""
    from consuldesk.store import cipher

    con = cipher.connect(tmp_path / "t.db", None)
    con.execute("CREATE TABLE t (a, b, c)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(None, True, False), (1, None, "x")])
    assert con.execute("SELECT typeof(a), b, c, typeof(c) FROM t").fetchall() == [
        ("null", 1, 0, "integer"),
        ("integer", None, "x", "text"),
    ]
    con.close()


def test_insert_nationals_inside_a_pause_leaves_it_to_its_maker(desk, monkeypatch):
    from consuldesk.store import derived

    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)
    with desk.casefile.write("x") as tx:
        connection = tx.session.connection().connection.dbapi_connection
        with derived.paused(connection, "household", []):
            tx.insert_nationals([{"surname_cyr": f"Ақан{'а' * i}"} for i in range(12)])
            still = connection.execute("SELECT count(*) FROM derived_paused").fetchone()[0]
        after = connection.execute("SELECT count(*) FROM derived_paused").fetchone()[0]
    assert (still, after) == (1, 0)
