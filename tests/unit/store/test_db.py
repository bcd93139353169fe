"""The case file: pragmas, migrations, refusals, audit and versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from consuldesk.domain.hlc import Timestamp
from consuldesk.services import nationals
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.store import cipher, migrate
from consuldesk.store.db import CaseFile
from consuldesk.store.errors import CaseFileError
from tests.factories import person


def test_every_connection_has_the_pragmas(desk):
    with desk.casefile.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_new_case_file_is_at_head_and_owned_by_its_post(desk):
    state = migrate.inspect_revision(desk.casefile.engine)
    assert state.current == migrate.head_revision()
    post = desk.casefile.local_post()
    assert (post.code, post.host_country) == ("AE-ABU", "AE")


def test_foreign_keys_are_enforced(desk):
    with pytest.raises(Exception, match="FOREIGN KEY"), desk.casefile.write("x") as tx:
        tx.session.execute(
            text(
                "INSERT INTO household_member (id, created_at, updated_at, origin_post, version, "
                "household_id, national_id) VALUES ('m', '2026-01-01', '2026-01-01', 'X', 'v', "
                "'no-such-household', 'no-such-national')"
            )
        )


def test_a_failed_transaction_leaves_nothing(desk):
    with pytest.raises(RuntimeError), desk.casefile.write("x") as tx:
        nationals_before = tx.session.execute(text("SELECT count(*) FROM national")).scalar()
        tx.insert_nationals([{"surname_cyr": "Әлиев", "phones": []}])
        raise RuntimeError("power cut")
    with desk.casefile.read() as session:
        assert session.execute(text("SELECT count(*) FROM national")).scalar() == nationals_before
        assert (
            session.execute(
                text("SELECT count(*) FROM audit_event WHERE table_name='national'")
            ).scalar()
            == 0
        )


def test_versions_increase_and_survive_reopening(desk, tmp_path):
    first = nationals.register_national(desk, person(iin=None))
    second = nationals.register_national(
        desk,
        person(
            surname_cyr="Өтегенов",
            sex=None,
            iin=None,
            given_names_cyr="Ғани",
            surname_lat=None,
            given_names_lat=None,
            birth_date=None,
        ),
    )
    assert Timestamp.parse(second.row.version) > Timestamp.parse(first.row.version)
    assert first.row.version.endswith(".AE-ABU")
    path = desk.path
    desk.close()
    reopened = open_casefile(path, "Other officer")
    try:
        third = nationals.register_national(
            reopened,
            person(
                surname_cyr="Іскаков",
                iin=None,
                given_names_cyr="Һадиша",
                birth_date=None,
                surname_lat=None,
                given_names_lat=None,
            ),
        )
        assert Timestamp.parse(third.row.version) > Timestamp.parse(second.row.version)
    finally:
        reopened.close()


def test_every_change_is_audited_with_old_and_new_values(desk):
    saved = nationals.register_national(desk, person())
    nationals.update_national(
        desk, saved.row.id, nationals.fields_of_row(saved.row).replace(city="Sharjah")
    )
    events = nationals.history(desk, saved.row.id)
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].changes["surname_cyr"] == [None, "Қасымова"]
    assert events[1].changes == {"city": ["Dubai", "Sharjah"]}
    assert events[1].officer == "Officer Test" and events[1].post_code == "AE-ABU"


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(CaseFileError) as info:
        CaseFile.open(tmp_path / "nope.consuldesk")
    assert info.value.code == "casefile.not_found"


def test_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.consuldesk"
    path.write_text("Қасымова, Әйгерім\n", encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        CaseFile.open(path)
    assert info.value.code == "casefile.not_sqlite"
    assert path.read_text(encoding="utf-8") == "Қасымова, Әйгерім\n"  # untouched


@pytest.mark.parametrize("tables", [["CREATE TABLE x (y)", "INSERT INTO x VALUES (1)"], []])
def test_refuses_an_unrelated_or_empty_sqlite_database_without_changing_it(tmp_path, tables):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    for statement in tables:
        con.execute(statement)
    con.execute("PRAGMA user_version = 7")  # an empty database is one page, not zero bytes
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(CaseFileError) as info:
        CaseFile.open(path)
    assert info.value.code == "casefile.not_casefile"
    # not switched to WAL, no schema added: someone else's file, byte for byte
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]


def test_refuses_a_case_file_from_a_newer_version(desk):
    path = desk.path
    desk.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    with pytest.raises(CaseFileError) as info:
        CaseFile.open(path)
    assert info.value.code == "casefile.too_new"
    assert info.value.params["revision"] == "9999_from_the_future"


def test_a_locked_case_file_is_reported_not_hung(desk, monkeypatch):
    import consuldesk.store.db as db

    path = desk.path
    blocker = cipher.connect(path, None)  # the same SQLite library: locks are per process
    blocker.isolation_level = None
    blocker.execute("BEGIN IMMEDIATE")  # another window holds the write lock
    try:
        monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
        other = CaseFile(path, db.make_engine(path))
        with pytest.raises(CaseFileError) as info, other.write("x") as tx:
            tx.insert_nationals([{"surname_cyr": "Жүнісов", "phones": []}])
        assert info.value.code == "casefile.locked"
        other.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_create_refuses_to_overwrite(desk):
    with pytest.raises(CaseFileError) as info:
        create_casefile(desk.path, post_code="X1", post_name="x", host_country=None, officer="o")
    assert info.value.code == "casefile.exists"


def test_readonly_folder_is_reported(tmp_path):
    if hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0:
        target = Path("/proc/consuldesk-cannot-be-here.consuldesk")  # root ignores permissions
    else:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
        target = folder / "x.consuldesk"
    with pytest.raises(CaseFileError) as info:
        create_casefile(
            target, post_code="QA-DOH", post_name="Doha", host_country="QA", officer="o"
        )
    assert info.value.code in {"casefile.readonly", "casefile.readonly_folder", "casefile.io_error"}
    assert not target.exists()


def test_many_rows_are_updated_at_once_as_one_by_one_would(desk):
    from sqlmodel import select

    from consuldesk.store.models import AuditEvent, Hotel, National

    with desk.casefile.write("x") as tx:
        hotels = [Hotel(name=f"Hotel {i}", beds=10) for i in range(3)]
        for h in hotels:
            tx.add(h)
    with desk.casefile.write("x") as tx:
        rows = tx.session.exec(select(Hotel).order_by(Hotel.name)).all()
        before = {h.id: h.version for h in rows}
        changed = tx.update_many(
            [
                (rows[0], {"beds": 12, "city": "Dubai"}),
                (rows[1], {"beds": 10}),  # no change: not written, not audited
                (rows[2], {"beds": 0}),
            ]
        )
        assert changed == 2
        assert rows[0].beds == 12 and rows[0].version != before[rows[0].id]  # the loaded object
        assert tx.changes.tables == {"hotel"}
        with pytest.raises(ValueError):
            tx.update_many([(tx.session.exec(select(National)).first() or National(), {})])
    with desk.casefile.read() as session:
        stored = {h.name: h for h in session.exec(select(Hotel)).all()}
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).all()
    assert (stored["Hotel 0"].beds, stored["Hotel 0"].city) == (12, "Dubai")
    assert stored["Hotel 1"].version == before[stored["Hotel 1"].id]
    assert stored["Hotel 2"].beds == 0
    assert stored["Hotel 0"].version > before[stored["Hotel 0"].id]
    changes = sorted((a.record_id, sorted(a.changes)) for a in audit)
    assert changes == sorted(
        [(stored["Hotel 0"].id, ["beds", "city"]), (stored["Hotel 2"].id, ["beds"])]
    )


def test_a_window_tells_writes_of_another_process_from_its_own(desk):
    other = open_casefile(desk.casefile.path, "Officer Two")  # another process, as the CLI is
    try:
        here = desk.casefile
        assert not here.written_elsewhere()  # learns where the count stands
        nationals.register_national(desk, person(passport_no="N10000001"))
        assert not here.written_elsewhere()  # our own write
        nationals.register_national(other, person(passport_no="N10000002"))
        assert here.written_elsewhere()
        assert not here.written_elsewhere()  # said once
        # theirs, then ours before we looked: theirs is not hidden by ours
        nationals.register_national(other, person(passport_no="N10000003"))
        nationals.register_national(desk, person(passport_no="N10000004"))
        assert here.written_elsewhere()
        assert not here.written_elsewhere()
        assert other.casefile.written_elsewhere()  # ours (N10000004), seen from there
        assert not other.casefile.written_elsewhere()
        nationals.register_national(desk, person(passport_no="N10000005"))
        assert other.casefile.written_elsewhere()
    finally:
        other.close()


@pytest.mark.parametrize("cut", [False, True])
def test_an_encrypted_file_locked_or_cut_short_is_not_called_a_wrong_key(tmp_path, cut):
    """An exclusive lock held by another program, or a file cut short, was reported as "does
    not open with this key": an officer would restore a backup when nothing was wrong, or
    doubt the key when the file was damaged."""
    import os

    made = create_casefile(
        tmp_path / "AE-ABU.consuldesk",
        post_code="AE-ABU",
        post_name="Embassy in Abu Dhabi",
        host_country="AE",
        officer="Айгүл Сейітова",
        passphrase="a long enough passphrase",
    )
    path, key = made.path, made.casefile.key
    made.close()
    if cut:
        os.truncate(path, path.stat().st_size // 2)
        with pytest.raises(CaseFileError) as info:
            open_casefile(path, "Айгүл Сейітова", "a long enough passphrase")
        assert info.value.code == "casefile.corrupt"
        return
    blocker = cipher.connect(path, key)
    blocker.isolation_level = None
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(CaseFileError) as info:
            open_casefile(path, "Айгүл Сейітова", "a long enough passphrase")
        assert info.value.code == "casefile.locked"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with pytest.raises(Exception) as wrong:  # a wrong passphrase is still named as one
        open_casefile(path, "Айгүл Сейітова", "not the passphrase at all")
    assert wrong.value.code == "keyring.wrong_passphrase"


def test_an_empty_case_file_is_named_as_empty_not_missing(tmp_path):
    """A file of 0 bytes (a copy cut short) was "There is no case file at …" while the file
    was there to see."""
    from consuldesk.messages import describe

    path = tmp_path / "AE-ABU.consuldesk"
    path.write_bytes(b"")
    with pytest.raises(CaseFileError) as info:
        open_casefile(path, "Айгүл Сейітова", "a long enough passphrase")
    assert info.value.code == "casefile.empty" and "0 bytes" in describe(info.value)
    assert path.read_bytes() == b""
    with pytest.raises(CaseFileError) as info:
        CaseFile.open(path)
    assert info.value.code == "casefile.empty"
