"""``consuldesk-cli`` on encrypted case files: init, login, accounts, recovery, encryption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_CASEFILE, EXIT_OK, EXIT_USAGE, main
from consuldesk.store import cipher

SUITE = "test passphrase of the suite"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def thr(tmp_path, capsys):
    path = tmp_path / "IR-THR.consuldesk"
    code, out, err = run(
        capsys, "--case-file", str(path), "init", "--post", "IR-THR", "--name", "Тегеран"
    )
    assert code == EXIT_OK, err
    assert "encrypted" in out and "recovery-key" in out
    return path


def test_init_makes_an_encrypted_file_that_opens_only_with_the_passphrase(capsys, thr, monkeypatch):
    assert not thr.read_bytes().startswith(cipher.SQLITE_HEADER)
    assert b"IR-THR" not in thr.read_bytes()
    assert run(capsys, "--case-file", str(thr), "info")[0] == EXIT_OK
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "a wrong one, long enough")
    code, _, err = run(capsys, "--case-file", str(thr), "info")
    assert code == EXIT_BAD_INPUT and err.strip().endswith("Wrong passphrase for Test")
    assert err.count("\n") == 1
    monkeypatch.delenv("CONSULDESK_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "--case-file", str(thr), "info")
    assert code == EXIT_USAGE and "CONSULDESK_PASSPHRASE" in err


def test_a_command_that_only_reads_leaves_the_file_as_it_was_and_a_change_records_the_login(
    capsys, thr, tmp_path
):
    assert run(capsys, "--case-file", str(thr), "info")[0] == EXIT_OK  # any pending WAL settled
    before = thr.read_bytes()
    for command in (("info",), ("stats",), ("search", "Қасым"), ("audit",)):
        assert run(capsys, "--case-file", str(thr), *command)[0] == EXIT_OK
    assert thr.read_bytes() == before  # byte for byte: no login written by a reader
    listed = tmp_path / "list.csv"
    listed.write_text("Фамилия;Имя\nҚасымова;Әйгерім\n", encoding="utf-8")
    assert run(capsys, "--case-file", str(thr), "import", str(listed))[0] == EXIT_OK
    _code, out, _ = run(capsys, "--case-file", str(thr), "--json", "audit", "--kind", "logins")
    assert [(e["officer"], e["action"]) for e in json.loads(out)["events"]] == [("Test", "login")]


def test_a_lost_keyring_is_exit_4_and_recover_sets_a_new_passphrase(
    capsys, thr, tmp_path, monkeypatch
):
    out_pdf = tmp_path / "recovery.pdf"
    code, out, _ = run(capsys, "--case-file", str(thr), "recovery-key", "--out", str(out_pdf))
    assert code == EXIT_OK
    text = PdfReader(out_pdf).pages[0].extract_text()
    assert "IR-THR" in text and "Recovery key" in text and "Ключ восстановления" in text
    kk_pdf = tmp_path / "recovery-kk.pdf"
    code, _, _ = run(
        capsys, "--case-file", str(thr), "--lang", "kk", "recovery-key", "--out", str(kk_pdf)
    )
    assert code == EXIT_OK  # printed beside English in the language of the messages
    assert "Қалпына келтіру кілті" in PdfReader(kk_pdf).pages[0].extract_text()
    code, out, _ = run(capsys, "--case-file", str(thr), "--json", "recovery-key")
    recovery = json.loads(out)["recovery_key"]
    assert recovery.split("-")[0] in text
    (tmp_path / "IR-THR.consuldesk.keyring").unlink()
    code, _, err = run(capsys, "--case-file", str(thr), "info")
    assert code == EXIT_CASEFILE and "recovery key" in err
    monkeypatch.delenv("CONSULDESK_PASSPHRASE")
    monkeypatch.setenv("CONSULDESK_NEW_PASSPHRASE", "after the recovery 2026")
    code, out, err = run(capsys, "--case-file", str(thr), "recover")
    assert code == EXIT_USAGE and "$CONSULDESK_RECOVERY_KEY" in err and "passphrase" not in err
    monkeypatch.setenv("CONSULDESK_RECOVERY_KEY", recovery)
    code, out, err = run(capsys, "--case-file", str(thr), "recover")
    assert code == EXIT_OK, err
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "after the recovery 2026")
    assert run(capsys, "--case-file", str(thr), "info")[0] == EXIT_OK


def test_officers_roles_and_a_viewer_refused_a_change(capsys, thr, monkeypatch, tmp_path):
    monkeypatch.setenv("CONSULDESK_NEW_PASSPHRASE", "viewer's first one")
    code, out, err = run(
        capsys, "--case-file", str(thr), "officer", "add", "Vika", "--role", "viewer"
    )
    assert code == EXIT_OK, err
    code, out, _ = run(capsys, "--case-file", str(thr), "--json", "officers")
    assert {(o["name"], o["role"]) for o in json.loads(out)} == {
        ("Test", "head"),
        ("Vika", "viewer"),
    }
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "viewer's first one")
    code, _, err = run(
        capsys, "--case-file", str(thr), "--officer", "Vika", "export", str(tmp_path / "x.csv")
    )
    assert code == EXIT_BAD_INPUT and "viewer" in err and "exporting lists" in err
    assert not (tmp_path / "x.csv").exists()
    monkeypatch.setenv("CONSULDESK_NEW_PASSPHRASE", "vika's own passphrase")
    assert run(capsys, "--case-file", str(thr), "--officer", "Vika", "passphrase")[0] == EXIT_OK
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", SUITE)
    assert run(capsys, "--case-file", str(thr), "officer", "close", "Vika")[0] == EXIT_OK
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "vika's own passphrase")
    code, _, err = run(capsys, "--case-file", str(thr), "--officer", "Vika", "info")
    assert code == EXIT_BAD_INPUT and "no passphrase for an officer called Vika" in err


def test_encrypt_converts_a_plain_file_and_the_demo_opens_with_its_printed_login(
    capsys, tmp_path, monkeypatch
):
    from consuldesk.services.casefile import create_casefile

    plain = create_casefile(
        tmp_path / "old.consuldesk",
        post_code="IL-TLV",
        post_name="x",
        host_country="IL",
        officer="Test",
    )
    plain.close()
    path = tmp_path / "old.consuldesk"
    code, out, err = run(capsys, "--case-file", str(path), "encrypt")
    assert code == EXIT_OK, err
    assert "Recovery key" in out and not path.read_bytes().startswith(cipher.SQLITE_HEADER)
    assert run(capsys, "--case-file", str(path), "info")[0] == EXIT_OK

    monkeypatch.delenv("CONSULDESK_PASSPHRASE")
    demo = tmp_path / "demo.consuldesk"
    code, out, err = run(capsys, "--case-file", str(demo), "demo", "--count", "30")
    assert code == EXIT_OK, err
    assert "Demo" in out and "demo-passphrase" in out
    code, out, err = run(capsys, "--case-file", str(demo), "--json", "info")
    assert code == EXIT_OK, err
    assert json.loads(out)["nationals"] == 30


def test_only_a_head_restores_and_the_restored_file_says_so(capsys, thr, monkeypatch):
    assert run(capsys, "--case-file", str(thr), "backup")[0] == EXIT_OK
    code, out, _ = run(capsys, "--case-file", str(thr), "--json", "backups")
    backup = json.loads(out)[0]["path"]
    monkeypatch.setenv("CONSULDESK_NEW_PASSPHRASE", "viewer's first one")
    assert (
        run(capsys, "--case-file", str(thr), "officer", "add", "Vika", "--role", "viewer")[0] == 0
    )
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "viewer's first one")
    code, _, err = run(
        capsys, "--case-file", str(thr), "--officer", "Vika", "restore", backup, "--yes"
    )
    assert code == EXIT_BAD_INPUT and "restoring a backup" in err
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", SUITE)
    named = Path(backup).stem  # as `backups` lists it, without .consuldesk
    code, _, err = run(capsys, "--case-file", str(thr), "restore", named, "--yes")
    assert code == EXIT_OK, err
    code, out, _ = run(capsys, "--case-file", str(thr), "--json", "audit", "--limit", "5")
    restored = [e for e in json.loads(out)["events"] if e["action"] == "restore"]
    assert len(restored) == 1 and restored[0]["changes"]["backup"] == Path(backup).name


def test_a_lost_keyring_names_its_copy_and_the_recovery_key_brings_every_slot_back(
    capsys, thr, tmp_path, monkeypatch
):
    monkeypatch.setenv("CONSULDESK_NEW_PASSPHRASE", "oleg's first passphrase")
    assert run(capsys, "--case-file", str(thr), "officer", "add", "Oleg")[0] == EXIT_OK
    recovery = json.loads(run(capsys, "--case-file", str(thr), "--json", "recovery-key")[1])
    assert run(capsys, "--case-file", str(thr), "backup")[0] == EXIT_OK  # keeps the keyring
    (tmp_path / "IR-THR.consuldesk.keyring").unlink()
    code, _, err = run(capsys, "--case-file", str(thr), "info")
    assert code == EXIT_CASEFILE and "case.keyring" in err and "IR-THR.consuldesk.keyring" in err
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", recovery["recovery_key"])
    monkeypatch.setenv("CONSULDESK_NEW_PASSPHRASE", "after the recovery 2026")
    assert run(capsys, "--case-file", str(thr), "recover")[0] == EXIT_OK
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "oleg's first passphrase")
    code, _, err = run(capsys, "--case-file", str(thr), "--officer", "Oleg", "info")
    assert code == EXIT_OK, err  # Oleg's slot came back with the kept keyring
