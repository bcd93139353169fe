"""Encryption at rest, officer accounts, roles and the login, on real case files."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from consuldesk.services import access
from consuldesk.services.backups import backup_folder, take_backup
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.services.errors import ServiceError
from consuldesk.services.lists import import_list
from consuldesk.services.nationals import (
    NationalFilter,
    delete_national,
    find_nationals,
    register_national,
)
from consuldesk.store import cipher
from consuldesk.store.errors import CaseFileError
from consuldesk.store.keyring import KeyringError, keyring_path, read_keyring
from tests.factories import person

PASS = "bright river at dawn"
SECRET_NAME = "Әбдірахманқызы"
SECRET_PASSPORT = "N56668261"


def make(tmp_path, passphrase=PASS, officer="Айгүл Сейітова"):
    return create_casefile(
        tmp_path / "IR-THR.consuldesk",
        post_code="IR-THR",
        post_name="Embassy in Tehran",
        host_country="IR",
        officer=officer,
        passphrase=passphrase,
    )


def register(desk, surname=SECRET_NAME, passport=SECRET_PASSPORT):
    return register_national(
        desk,
        person(
            surname_cyr=surname, given_names_cyr="Гүлнар", passport_no=passport, surname_lat=None
        ),
    ).row


def test_an_encrypted_case_file_reveals_no_name_passport_or_diagnosis(tmp_path):
    desk = make(tmp_path)
    register(desk)
    path = desk.path
    desk.close()
    raw = path.read_bytes()
    assert not raw.startswith(cipher.SQLITE_HEADER)
    for secret in (SECRET_NAME, SECRET_PASSPORT, "alembic_version", "Tehran"):
        assert secret.encode("utf-8") not in raw
    strings = subprocess.run(["strings", str(path)], capture_output=True, text=True).stdout
    assert SECRET_PASSPORT not in strings
    # The keyring beside it holds no name either, and is private.
    ring_text = keyring_path(path).read_text()
    assert "Айгүл" not in ring_text and "Сейітова" not in ring_text.lower()
    assert os.stat(keyring_path(path)).st_mode & 0o077 == 0


def test_the_right_passphrase_opens_it_and_search_still_finds_people(tmp_path):
    desk = make(tmp_path)
    register(desk)
    path = desk.path
    desk.close()
    again = open_casefile(path, "айгүл  сейітова", PASS)  # any case, any spacing
    try:
        assert again.officer == "Айгүл Сейітова" and again.role == "head"
        assert again.encrypted
        assert [
            n.surname_cyr for n in find_nationals(again, NationalFilter(query="8261")).rows
        ] == [SECRET_NAME]
        assert [
            n.surname_cyr for n in find_nationals(again, NationalFilter(query="абдірахман")).rows
        ] == [SECRET_NAME]
    finally:
        again.close()


def test_a_wrong_passphrase_or_unknown_officer_is_named_and_nothing_opens(tmp_path):
    desk = make(tmp_path)
    path = desk.path
    desk.close()
    with pytest.raises(KeyringError) as wrong:
        open_casefile(path, "Айгүл Сейітова", "wrong passphrase here")
    assert wrong.value.code == "keyring.wrong_passphrase"
    with pytest.raises(KeyringError) as nobody:
        open_casefile(path, "Иван Петров", PASS)
    assert nobody.value.code == "keyring.no_officer"
    with pytest.raises(CaseFileError) as no_pass:
        open_casefile(path, "Айгүл Сейітова")
    assert no_pass.value.code == "casefile.encrypted"


def test_a_lost_keyring_is_named_and_the_recovery_key_opens_the_file(tmp_path):
    desk = make(tmp_path)
    register(desk)
    recovery = access.recovery_key(desk, PASS)
    path = desk.path
    desk.close()
    keyring_path(path).unlink()
    with pytest.raises(KeyringError) as missing:
        open_casefile(path, "Айгүл Сейітова", PASS)
    assert missing.value.code == "keyring.missing"
    typed = recovery.lower().replace("-", " ")  # as read aloud over the phone
    recovered = access.open_with_recovery(path, typed, "Айгүл Сейітова")
    try:
        access.reset_passphrase(recovered, "Айгүл Сейітова", "a new long passphrase")
    finally:
        recovered.close()
    again = open_casefile(path, "Айгүл Сейітова", "a new long passphrase")
    again.close()


def test_a_mistyped_recovery_key_is_caught_by_its_checksum(tmp_path):
    desk = make(tmp_path)
    recovery = access.recovery_key(desk, PASS)
    path = desk.path
    desk.close()
    groups = recovery.split("-")
    groups[3] = groups[3][::-1] if groups[3][::-1] != groups[3] else "AAAAA"
    with pytest.raises(KeyringError) as bad:
        access.open_with_recovery(path, "-".join(groups), "X")
    assert bad.value.code == "keyring.recovery_malformed"
    other = make(tmp_path / "other")
    other_recovery = access.recovery_key(other, PASS)
    other.close()
    with pytest.raises(KeyringError) as foreign:
        access.open_with_recovery(path, other_recovery, "X")
    assert foreign.value.code == "keyring.recovery_wrong"


def test_passphrase_change_keeps_the_file_and_the_old_one_stops_working(tmp_path):
    desk = make(tmp_path)
    register(desk)
    salt = desk.path.read_bytes()[:16]  # SQLCipher's salt: the same data key
    with pytest.raises(KeyringError):
        access.change_passphrase(desk, "not my passphrase", "another long one")
    access.change_passphrase(desk, PASS, "another long one")
    path = desk.path
    desk.close()
    assert path.read_bytes()[:16] == salt  # not re-encrypted: only the slot changed
    with pytest.raises(KeyringError):
        open_casefile(path, "Айгүл Сейітова", PASS)
    open_casefile(path, "Айгүл Сейітова", "another long one").close()


def test_roles_limit_what_officers_may_do_and_logins_are_audited(tmp_path):
    from consuldesk.services.lists import export_list

    head = make(tmp_path)
    person = register(head)
    access.add_officer(head, "Viewer Vika", "viewer", "viewer passphrase")
    access.add_officer(head, "Officer Oleg", "officer", "officer passphrase")
    path = head.path
    head.close()

    viewer = open_casefile(path, "viewer vika", "viewer passphrase")
    try:
        assert viewer.role == "viewer"
        with pytest.raises(ServiceError) as refused:
            register(viewer, "Иванов", "N1234567")
        assert refused.value.code == "role.denied" and refused.value.params["power"] == "change"
        with pytest.raises(ServiceError):
            export_list(viewer, tmp_path / "all.csv")
        assert not (tmp_path / "all.csv").exists()
        # An import refused to the role writes nothing, not even the backup taken before one.
        listed = tmp_path / "one.csv"
        listed.write_text("Фамилия;Имя\nИванов;Иван\n", encoding="utf-8")
        with pytest.raises(ServiceError) as no_import:
            import_list(viewer, listed)
        assert no_import.value.code == "role.denied"
        assert not backup_folder(path).exists() or not list(backup_folder(path).iterdir())
    finally:
        viewer.close()

    officer = open_casefile(path, "Officer Oleg", "officer passphrase")
    try:
        register(officer, "Иванов", "N1234567")
        with pytest.raises(ServiceError) as no_delete:
            delete_national(officer, person.id)
        assert no_delete.value.params["power"] == "delete"
        with pytest.raises(ServiceError):
            access.add_officer(officer, "Someone", "head", "long passphrase x")
    finally:
        officer.close()

    head = open_casefile(path, "Айгүл Сейітова", PASS)
    try:
        delete_national(head, person.id)
        from sqlmodel import select

        from consuldesk.store.models import AuditEvent

        with head.casefile.read() as session:
            logins = session.exec(
                select(AuditEvent.officer).where(AuditEvent.action == "login")
            ).all()
        assert sorted(logins) == ["Officer Oleg", "Viewer Vika", "Айгүл Сейітова"]
        names = {r.name: r for r in access.list_officers(head)}
        assert names["Viewer Vika"].last_login_at is not None
    finally:
        head.close()


def test_a_closed_account_no_longer_opens_and_the_last_head_stays(tmp_path):
    head = make(tmp_path)
    access.add_officer(head, "Oleg", "officer", "officer passphrase")
    with pytest.raises(ServiceError) as last:
        access.set_role(head, "Айгүл Сейітова", "officer")
    assert last.value.code == "account.last_head"
    with pytest.raises(ServiceError) as itself:
        access.disable_officer(head, "Айгүл Сейітова")
    assert itself.value.code == "account.self"
    access.disable_officer(head, "oleg")
    rows = {r.name: r for r in access.list_officers(head)}
    assert rows["Oleg"].disabled_at is not None and not rows["Oleg"].has_passphrase
    path = head.path
    head.close()
    with pytest.raises(KeyringError) as closed:
        open_casefile(path, "Oleg", "officer passphrase")
    assert closed.value.code == "keyring.no_officer"


def test_a_plain_case_file_is_encrypted_safely_with_its_backups(tmp_path):
    from consuldesk.services.backups import list_backups, take_backup

    plain = create_casefile(
        tmp_path / "IL.consuldesk",
        post_code="IL-TLV",
        post_name="Embassy in Tel Aviv",
        host_country="IL",
        officer="clerk",
    )
    register(plain)
    take_backup(plain, "manual")
    path = plain.path
    plain.close()
    counts = cipher.table_counts(path, None)

    recovery = access.encrypt_casefile(path, "Head Hana", PASS)

    assert not path.read_bytes().startswith(cipher.SQLITE_HEADER)
    assert SECRET_NAME.encode() not in path.read_bytes()
    assert not list(tmp_path.glob(".*encrypting*"))
    for backup in (tmp_path / "IL.consuldesk.backups").glob("*.consuldesk"):
        assert SECRET_PASSPORT.encode() not in backup.read_bytes()
    desk = open_casefile(path, "Head Hana", PASS)
    try:
        assert desk.role == "head"
        after = cipher.table_counts(path, desk.casefile.key)
        assert after["national"] == counts["national"] == 1
        [backup] = list_backups(path, key=desk.casefile.key)
        assert backup.sound and backup.nationals == 1
    finally:
        desk.close()
    access.open_with_recovery(path, recovery, "Head Hana").close()


def test_encrypting_an_encrypted_file_is_refused_and_changes_nothing(tmp_path):
    desk = make(tmp_path)
    path = desk.path
    desk.close()
    before = path.read_bytes()
    with pytest.raises(CaseFileError) as refused:
        access.encrypt_casefile(path, "x", PASS)
    assert refused.value.code == "casefile.encrypted"
    assert path.read_bytes() == before


def test_a_short_passphrase_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ServiceError) as short:
        make(tmp_path, passphrase="short")
    assert short.value.code == "account.passphrase_short"
    assert list(tmp_path.iterdir()) == []


def test_the_keyring_keeps_the_cost_it_was_made_with(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSULDESK_KDF_MEMORY_KIB")
    desk = make(tmp_path)
    path = desk.path
    desk.close()
    [slot] = read_keyring(keyring_path(path)).slots
    assert slot.memory_kib == 64 * 1024 and slot.iterations == 3


def test_backups_of_an_encrypted_file_are_encrypted_and_restore_with_the_login(tmp_path):
    from consuldesk.services.backups import list_backups, restore_backup, take_backup

    desk = make(tmp_path)
    register(desk)
    backup = take_backup(desk, "manual")
    register(desk, "Иванов", "N7654321")
    key = desk.casefile.key
    path = desk.path
    desk.close()
    raw = backup.read_bytes()
    assert not raw.startswith(cipher.SQLITE_HEADER) and SECRET_PASSPORT.encode() not in raw
    assert keyring_path(backup.parent / "case").exists()  # the keyring is kept there too
    [listed] = list_backups(path, key=key)
    assert listed.sound and listed.nationals == 1
    [unreadable] = list_backups(path)  # without the key, nothing is read
    assert not unreadable.sound
    key_again = access.data_key(path, "Айгүл Сейітова", PASS)  # the file is not opened
    assert key_again == key
    restore_backup(path, backup, key_again)
    again = open_casefile(path, "Айгүл Сейітова", PASS)
    try:
        found = find_nationals(again, NationalFilter()).rows
        assert [n.surname_cyr for n in found] == [SECRET_NAME]
    finally:
        again.close()


def test_a_changed_passphrase_or_closed_account_opens_no_backup_either(tmp_path):
    """The backups folder keeps a copy of the keyring beside the backups: put beside any of
    them, it must know only the passphrases that open the case file now."""
    desk = make(tmp_path)
    register(desk)
    access.add_officer(desk, "Oleg", "officer", "officer passphrase")
    backup = take_backup(desk, "by hand")
    access.change_passphrase(desk, PASS, "another long one")
    access.disable_officer(desk, "Oleg")
    desk.close()

    def open_backup_with(officer, passphrase):
        stolen = tmp_path / "stolen"
        stolen.mkdir(exist_ok=True)
        shutil.copyfile(backup, stolen / "w.consuldesk")
        shutil.copyfile(keyring_path(backup.parent / "case"), keyring_path(stolen / "w.consuldesk"))
        return open_casefile(stolen / "w.consuldesk", officer, passphrase)

    with pytest.raises(KeyringError) as old:
        open_backup_with("Айгүл Сейітова", PASS)
    assert old.value.code == "keyring.wrong_passphrase"
    with pytest.raises(KeyringError) as closed:
        open_backup_with("Oleg", "officer passphrase")
    assert closed.value.code == "keyring.no_officer"
    opened = open_backup_with("Айгүл Сейітова", "another long one")
    assert [n.surname_cyr for n in find_nationals(opened, NationalFilter(query="8261")).rows] == [
        SECRET_NAME
    ]
    opened.close()


def _commit_fails(desk, monkeypatch):
    """The case file's next write transaction fails as it ends (a read-only file, a full disk
    or a lock found at the commit), after everything inside it ran."""
    import contextlib

    real = desk.casefile.write

    @contextlib.contextmanager
    def failing(*args, **kwargs):
        with real(*args, **kwargs) as tx:
            yield tx
            raise CaseFileError("casefile.disk_full", desk.path)

    monkeypatch.setattr(desk.casefile, "write", failing)


def test_a_keyring_change_whose_commit_fails_is_taken_back(tmp_path, monkeypatch):
    """The passphrase command said the disk was full, and the keyring had the new passphrase
    already: the old one no longer opened the case file, and the trail had no word of it."""
    desk = make(tmp_path)
    backup = take_backup(desk, "by hand")  # a keyring copy beside it, kept in step
    copy = keyring_path(backup.parent / "case")
    before = copy.read_bytes()
    path = desk.path
    _commit_fails(desk, monkeypatch)
    with pytest.raises(CaseFileError):
        access.change_passphrase(desk, PASS, "another long one")
    with pytest.raises(CaseFileError):
        access.add_officer(desk, "Олег Петров", "officer", "a first passphrase")
    monkeypatch.undo()
    desk.close()
    open_casefile(path, "Айгүл Сейітова", PASS).close()  # still the passphrase
    with pytest.raises(KeyringError):
        open_casefile(path, "Айгүл Сейітова", "another long one")
    with pytest.raises(KeyringError):
        open_casefile(path, "Олег Петров", "a first passphrase")  # no account, no slot
    assert read_keyring(copy) == read_keyring(keyring_path(path)) and copy.read_bytes() == before
