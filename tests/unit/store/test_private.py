"""What ConsulDesk writes is its owner's only: files 600, folders 700, whatever the umask."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.services.files import atomic_text_file, write_bytes_atomically
from consuldesk.services.lists import export_list
from consuldesk.store.db import copy_database
from consuldesk.store.keyring import copy_keyring
from consuldesk.store.paths import data_dir
from consuldesk.store.private import make_private
from tests.disks import read_only_tmpfs

pytestmark = pytest.mark.skipif(os.name == "nt", reason="modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask 022", "umask 000"])
def loose_umask(request):
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def test_a_new_case_file_its_folder_and_its_log_are_private(tmp_path, loose_umask):
    folder = tmp_path / "data" / "ConsulDesk"
    path = folder / "AE-ABU.consuldesk"
    desk = create_casefile(
        path, post_code="AE-ABU", post_name="Abu Dhabi", host_country="AE", officer="Officer"
    )
    try:
        with desk.casefile.write("Officer") as tx:  # a write: the WAL exists now
            tx.insert_nationals([{"surname_cyr": "Әбілова", "given_names_cyr": "Гүлнұр"}])
        assert mode(path) == 0o600
        assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
        assert mode(Path(f"{path}-wal")) == 0o600
    finally:
        desk.close()


def test_an_old_case_file_becomes_private_when_opened_and_read_only_stays_read_only(
    desk, tmp_path, loose_umask
):
    path = desk.casefile.path
    desk.close()
    os.chmod(path, 0o644)
    open_casefile(path, "Officer").close()
    assert mode(path) == 0o600
    os.chmod(path, 0o444)
    make_private(path)
    assert mode(path) == 0o400  # only the others' bits go: not made writable


def test_backups_exports_and_written_files_are_private(desk, tmp_path, loose_umask):
    backup = copy_database(desk.casefile.path, tmp_path / "copy.consuldesk")
    assert mode(backup) == 0o600
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"list{suffix}"
        export_list(desk, out)
        assert mode(out) == 0o600, suffix
    with atomic_text_file(tmp_path / "a.txt") as fh:
        fh.write("Қасымова")
    assert mode(tmp_path / "a.txt") == 0o600
    assert mode(write_bytes_atomically(tmp_path / "b.bin", b"x")) == 0o600


def test_review_files_and_manifests_are_private(desk, tmp_path, loose_umask):
    from consuldesk.reports.manifest import render_manifest
    from tests.unit.reports.test_manifest import _data, _many
    from tests.unit.services.test_review import import_doubtful

    import_doubtful(desk, tmp_path)
    reviews = list(tmp_path.glob("*review*"))
    assert reviews and all(mode(p) == 0o600 for p in reviews)
    pdf = render_manifest(_data(_many(3)), tmp_path / "m.pdf")
    assert mode(pdf) == 0o600


def test_the_default_data_folder_is_made_private_and_a_chosen_one_is_left(
    tmp_path, monkeypatch, loose_umask
):
    import platformdirs

    default = tmp_path / "share" / "ConsulDesk"
    default.mkdir(parents=True, mode=0o755)
    os.chmod(default, 0o755)
    monkeypatch.delenv("CONSULDESK_DATA_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *_a, **_k: str(default))
    assert data_dir() == default and mode(default) == 0o700
    chosen = tmp_path / "stick"
    chosen.mkdir(mode=0o755)
    os.chmod(chosen, 0o755)
    assert data_dir(chosen) == chosen and mode(chosen) == 0o755  # the officer's folder


def test_the_cli_writes_privately_and_gives_the_umask_back(tmp_path, loose_umask, capsys):
    from consuldesk.cli import main

    path = tmp_path / "cli.consuldesk"
    code = main(["--case-file", str(path), "--officer", "Officer", "demo", "--count", "20"])
    assert code == 0, capsys.readouterr().err
    assert mode(path) == 0o600
    current = os.umask(0)
    os.umask(current)
    assert current == loose_umask


def test_a_copy_that_fails_on_a_write_protected_disk_reports_its_own_error(tmp_path):
    """The cleanup of the half-written copy fails there too (EROFS): its error must not take
    the place of the copy's, nor leave the copy's temporary file named instead of it."""
    source = tmp_path / "ring"
    source.write_text("{}", encoding="utf-8")
    with read_only_tmpfs(tmp_path, {}) as stick, pytest.raises(OSError) as raised:
        copy_keyring(source, stick / "case.keyring")
    assert raised.value.errno == errno.EROFS
    assert raised.value.__context__ is None  # not raised while handling the copy's own error
