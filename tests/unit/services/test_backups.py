"""Backups beside the case file: taken before imports and by hand, listed with what they hold,
restored with the current file kept."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from consuldesk.cli import main
from consuldesk.services import backups, nationals
from consuldesk.services.casefile import open_casefile
from consuldesk.services.errors import ServiceError
from tests.factories import person


def names(desk) -> set[str]:
    return {r.name for r in nationals.find_nationals(desk, limit=100).rows}


def test_a_backup_is_a_private_copy_named_by_why(desk):
    nationals.register_national(desk, person())
    path = backups.take_backup(desk, "by hand")
    assert path.parent == backups.backup_folder(desk.casefile.path)
    assert path.name.endswith("-by-hand.consuldesk")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (row,) = backups.list_backups(desk.casefile.path)
    assert row.sound and row.nationals == 1 and row.reason == "by-hand"
    assert row.taken_at is not None


def test_only_the_newest_are_kept(desk, monkeypatch):
    monkeypatch.setattr(backups, "KEEP", 3)
    made = [backups.take_backup(desk, f"n{i}") for i in range(5)]
    kept = {r.path for r in backups.list_backups(desk.casefile.path)}
    assert kept == set(made[-3:])


def test_a_damaged_backup_is_listed_as_such_and_never_restored(desk):
    good = backups.take_backup(desk, "good")
    bad = good.with_name(good.name.replace("good", "bad"))
    data = bytearray(good.read_bytes())
    data[4096 : 4096 * 3] = os.urandom(4096 * 2)  # pages in the middle, the header intact
    bad.write_bytes(bytes(data))
    row = backups.inspect_backup(bad)
    assert not row.sound and row.problem
    before = desk.casefile.path.read_bytes()
    with pytest.raises(ServiceError) as err:
        backups.restore_backup(desk.casefile.path, bad)
    assert err.value.code == "backup.unsound"
    assert desk.casefile.path.read_bytes() == before


def test_restoring_brings_the_copy_back_and_keeps_the_file_as_it_was(desk):
    nationals.register_national(desk, person())
    copy = backups.take_backup(desk, "before-list")
    nationals.register_national(desk, person(surname_cyr="Омарова", given_names_cyr="Алия"))
    path = desk.casefile.path
    desk.close()
    kept = backups.restore_backup(path, copy)
    assert not os.path.exists(f"{path}-wal")  # the old log would damage the restored file
    restored = open_casefile(path, "Officer")
    try:
        assert names(restored) == {"Қасымова Әйгерім"}
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        restored.close()
    assert "before-restore" in kept.name and backups.inspect_backup(kept).nationals == 2


def test_a_list_import_takes_a_backup_first(desk, tmp_path):
    from tests.unit.services.test_review import import_doubtful

    import_doubtful(desk, tmp_path)
    (row,) = backups.list_backups(desk.casefile.path)
    assert row.reason.startswith("before-import-") and row.nationals == 0


def test_the_cli_lists_restores_and_refuses_while_a_window_has_the_file(desk, capsys):
    path = desk.casefile.path
    nationals.register_national(desk, person())
    desk.close()
    base = ["--case-file", str(path)]
    assert main([*base, "backup"]) == 0
    name = capsys.readouterr().out.strip().rsplit("/", 1)[-1]
    assert main([*base, "backups"]) == 0
    assert "1 nationals" in capsys.readouterr().out
    lock = path.with_name(path.name + ".window-lock")
    lock.write_text(f"{os.getpid()}\npython3\nhost\n", encoding="utf-8")
    assert main([*base, "restore", name, "--yes"]) == 4
    assert "open in a ConsulDesk window" in capsys.readouterr().err
    lock.unlink()
    assert main([*base, "restore", name]) == 2  # not a terminal: --yes is needed
    assert main([*base, "restore", name, "--yes"]) == 0
    assert "Restored" in capsys.readouterr().out
    assert main([*base, "restore", "no-such.consuldesk", "--yes"]) == 3


def test_a_damaged_case_file_is_restored_and_kept_as_found(desk):
    nationals.register_national(desk, person())
    copy = backups.take_backup(desk, "good")
    path = desk.casefile.path
    desk.close()
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 4] = os.urandom(4096 * 3)  # what a failing disk leaves
    path.write_bytes(bytes(data))
    kept = backups.restore_backup(path, copy)
    assert kept.exists() and kept.read_bytes()[4096:8192] == bytes(data[4096:8192])
    restored = open_casefile(path, "Officer")
    try:
        assert names(restored) == {"Қасымова Әйгерім"}
    finally:
        restored.close()
