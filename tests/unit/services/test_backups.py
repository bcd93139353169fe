"""Backups beside the case file: taken before imports and by hand, listed with what they hold,
restored with the current file kept."""

from __future__ import annotations

import json
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
    # One file: checking and listing it leave nothing beside it.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


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
    listed = capsys.readouterr().out
    assert name in listed and "taken by hand" in listed
    assert "people 1, families and groups 0, requests 0, hotel stays 0, trips 0" in listed
    assert main([*base, "--json", "backups"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["kind"], row["nationals"], row["trips"], row["sound"]) == ("manual", 1, 0, True)
    lock = path.with_name(path.name + ".window-lock")
    lock.write_text(f"{os.getpid()}\npython3\nhost\n", encoding="utf-8")
    assert main([*base, "restore", name, "--yes"]) == 4
    assert "open in a ConsulDesk window" in capsys.readouterr().err
    lock.unlink()
    assert main([*base, "restore", name]) == 2  # not a terminal: --yes is needed
    nationals_now = open_casefile(path, "Officer")
    nationals.register_national(nationals_now, person(surname_cyr="Омарова"))
    nationals_now.close()
    capsys.readouterr()
    assert main([*base, "restore", name, "--yes"]) == 0
    said = capsys.readouterr()
    assert "Restored" in said.out
    # The preview, before anything is replaced: now beside the backup, table by table.
    lines = said.err.splitlines()
    assert "taken by hand" in lines[0]
    assert lines[1].split()[-3:] == ["now", "in", "the", "backup"][-3:]
    people = next(line for line in lines if line.startswith("people"))
    assert people.split() == ["people", "2", "1"]
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


def test_each_backup_says_why_it_was_taken():
    cases = {
        "scheduled": ("scheduled", ""),
        "by-hand": ("manual", ""),
        "before-import-list_2026": ("import", "list_2026"),
        "before-AE-ABU-n000012": ("merge", "AE-ABU #12"),
        "before-upgrade-0009": ("upgrade", "0009"),
        "before-restore": ("restore", ""),
        "before-restore-as-found": ("restore", "as-found"),
        "good": ("other", "good"),
    }
    for reason, expected in cases.items():
        assert backups.reason_kind(reason) == expected, reason


def test_a_copy_taken_before_an_upgrade_outlives_many_imports(desk, monkeypatch):
    from consuldesk.store import db

    monkeypatch.setattr(backups, "KEEP", 3)
    path = desk.casefile.path
    upgrade = db._backup(path, "0009")
    made = [backups.take_backup(desk, f"before-import-l{i}") for i in range(5)]
    listed = {r.path: r for r in backups.list_backups(path)}
    assert set(listed) == {upgrade, *made[-3:]}
    assert listed[upgrade].kind == "upgrade" and listed[upgrade].sound
    # And only the newest few of those are kept, apart from the others.
    for rev in ("0010", "0011", "0012"):
        db._backup(path, rev)
    upgrades = [r for r in backups.list_backups(path) if r.kind == "upgrade"]
    assert [r.detail for r in upgrades] == ["0012", "0011", "0010"]
    assert len(backups.list_backups(path)) == 3 + db.UPGRADE_KEEP


def test_backups_beyond_their_size_budget_are_dropped_but_never_the_last_three(desk):
    path = desk.casefile.path
    first = backups.take_backup(desk, "n0")
    size = first.stat().st_size
    made = [first] + [backups.take_backup(desk, f"n{i}") for i in range(1, 6)]
    assert len(backups.list_backups(path, check=False)) == 6  # the disk has room
    # A budget of four backups' bytes keeps the newest four.
    newest = backups.backup_file(path, "n6", budget=4 * size + size // 2)
    kept = [r.path for r in backups.list_backups(path, check=False)]
    assert kept == [newest, *reversed(made[-3:])]
    # A budget too small for even one keeps the newest three all the same.
    again = backups.backup_file(path, "n7", budget=1)
    kept = [r.path for r in backups.list_backups(path, check=False)]
    assert kept == [again, newest, made[-1]]


def test_the_budget_follows_the_disk_or_the_setting(tmp_path, monkeypatch):
    import shutil

    free = shutil.disk_usage(tmp_path).free
    assert abs(backups.size_budget(tmp_path, 4_000) - (free + 4_000) // 2) < 1_048_576
    monkeypatch.setenv(backups.BUDGET_ENV, "1500")
    assert backups.size_budget(tmp_path, 4_000) == 1500 * 1_048_576


def test_restoring_the_oldest_backup_does_not_rotate_it_away(desk, monkeypatch):
    monkeypatch.setattr(backups, "KEEP", 3)
    nationals.register_national(desk, person())
    oldest = backups.take_backup(desk, "n0")
    for i in range(1, 3):
        backups.take_backup(desk, f"n{i}")
    path = desk.casefile.path
    desk.close()
    backups.restore_backup(path, oldest)
    assert oldest.exists()
    restored = open_casefile(path, "Officer")
    try:
        assert names(restored) == {"Қасымова Әйгерім"}
    finally:
        restored.close()


def test_what_a_restore_set_aside_is_not_pushed_out_by_backups_taken_after_it(desk, monkeypatch):
    """Ten backups by hand after a restore once removed the copy of the work it replaced."""
    monkeypatch.setenv(backups.BUDGET_ENV, "100000")  # the count decides here, not the disk
    nationals.register_national(desk, person())
    older = backups.take_backup(desk, "n0")
    nationals.register_national(desk, person(surname_cyr="Сейітова", passport_no="N7654321"))
    path = desk.casefile.path
    desk.close()
    backups.restore_backup(path, older)
    (set_aside,) = backup_folder_files(path, "before-restore")
    for _ in range(backups.KEEP + 2):
        backups.backup_file(path, backups.MANUAL)
    assert set_aside.exists()
    kept = open_casefile(set_aside, "Officer")
    try:
        assert names(kept) == {"Қасымова Әйгерім", "Сейітова Әйгерім"}
    finally:
        kept.close()
    assert len(backup_folder_files(path, backups.MANUAL)) == backups.KEEP


def backup_folder_files(casefile, reason):
    return sorted(backups.backup_folder(casefile).glob(f"*-{reason}*.consuldesk"))


def test_a_listing_without_checks_is_instant_and_the_check_fills_it_in(desk):
    nationals.register_national(desk, person())
    made = backups.take_backup(desk, "scheduled")
    (row,) = backups.list_backups(desk.casefile.path, check=False)
    assert row.path == made and not row.checked and row.size == made.stat().st_size
    full = backups.inspect_backup(made)
    assert full.checked and full.sound and full.counts == backups.Counts(nationals=1)
    assert backups.current_counts(desk) == backups.Counts(nationals=1)


def damage_audit_pages(path):
    """Overwrite the pages of the audit trail's table in a closed case file: the file still
    opens (nothing at start reads them), but SQLite's checks fail."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'audit_event'"
        ).fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = os.urandom(page_size)
    path.write_bytes(bytes(data))


def test_a_damaged_case_file_fails_the_quick_check_and_takes_no_writes(desk):
    nationals.register_national(desk, person())
    sound = backups.take_backup(desk, "scheduled")
    assert backups.quick_check(desk) == ""
    path = desk.casefile.path
    desk.close()
    damage_audit_pages(path)
    damaged = open_casefile(path, "Officer")
    try:
        problem = backups.quick_check(damaged)
        assert problem
        damaged.casefile.refuse_writes(problem)
        before = path.read_bytes()
        with pytest.raises(backups.CaseFileError) as err:
            nationals.register_national(damaged, person(surname_cyr="Омарова"))
        assert err.value.code == "casefile.write_refused"
        with pytest.raises(backups.CaseFileError):  # a copy would push a sound one out
            backups.take_backup(damaged, "scheduled")
        assert backups.newest_sound_backup(path).path == sound
    finally:
        damaged.close()
    assert path.read_bytes() == before  # not even the log was written into it on close


def test_a_copy_of_a_file_damaged_since_pushes_no_sound_backup_out(desk, monkeypatch):
    monkeypatch.setattr(backups, "KEEP", 3)
    nationals.register_national(desk, person())
    sound = [backups.take_backup(desk, backups.SCHEDULED) for _ in range(3)]
    path = desk.casefile.path
    desk.close()
    damage_audit_pages(path)
    with pytest.raises(ServiceError) as err:
        backups.backup_file(path, backups.SCHEDULED)
    assert err.value.code == "backup.source_damaged"
    # Named by its table, as an officer can read it, not SQLite's "Tree 4 page 2099".
    assert err.value.params["problem"] == "broken pages in audit_event"
    listed = backups.list_backups(path)
    assert {r.path for r in listed if r.sound} == set(sound)  # all three still there
    (copy,) = [r for r in listed if not r.sound]  # and the copy, said to be damaged
    assert copy.path.name == err.value.params["backup"]


def test_a_restore_brings_back_the_records_but_never_takes_away_the_trail(desk):
    """The records go back to the backup's; what happened after it (who registered Омарова,
    who restored) stays in the append-only trail, through a second restore too."""
    from consuldesk.services.audit import AuditFilter, find_events

    nationals.register_national(desk, person())
    copy = backups.take_backup(desk, "before-list")
    later = nationals.register_national(
        desk, person(surname_cyr="Омарова", given_names_cyr="Алия", passport_no="N7654321")
    ).row
    path = desk.casefile.path
    desk.close()
    kept = backups.restore_backup(path, copy)
    restored = open_casefile(path, "Officer")
    try:
        assert names(restored) == {"Қасымова Әйгерім"}
        backups.record_restore(restored, copy, kept)
        events = find_events(restored, AuditFilter(), limit=100).rows
        assert later.id in {e.record_id for e in events}  # the registration after the backup
        first = [e.id for e in events if e.action == "restore"]
        assert len(first) == 1
    finally:
        restored.close()
    backups.restore_backup(path, copy)  # again: the first restore's event stays too
    again = open_casefile(path, "Officer")
    try:
        ids = {e.id for e in find_events(again, AuditFilter(), limit=100).rows}
        assert set(first) <= ids
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        again.close()


def test_of_many_backups_taken_within_a_second_the_newest_are_kept(desk, monkeypatch):
    """Named "-2" … "-12" within one second, by name "-10" sorted before "-2"."""
    monkeypatch.setenv(backups.BUDGET_ENV, "100000")
    monkeypatch.setattr(backups, "KEEP", 3)
    path = desk.casefile.path
    desk.close()
    made = [backups.backup_file(path, "same-second") for _ in range(12)]
    kept = set(backups.backup_folder(path).glob("*-same-second*.consuldesk"))
    assert kept == set(made[-3:])  # the newest three, whatever their names


def test_the_case_file_itself_is_no_backup_to_restore(desk, tmp_path):
    """`restore ../IR-THR.consuldesk --yes` restored the case file onto itself ("taken —")."""
    path = desk.casefile.path
    before = path.read_bytes()
    backups_before = set(backups.backup_folder(path).glob("*"))
    for given in (path, path.parent / "." / path.name):
        with pytest.raises(ServiceError) as err:
            backups.restore_backup(path, given)
        assert err.value.code == "backup.is_casefile"
    assert path.read_bytes() == before
    assert set(backups.backup_folder(path).glob("*")) == backups_before
