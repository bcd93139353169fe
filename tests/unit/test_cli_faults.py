"""Every fault of the case file named, by every command, with exit 4 and no traceback.

Real faults on real files: a read-only file and a read-only folder (the command runs as the
file modes binding, as for any officer), a full disk (a small tmpfs, also
at 0 bytes free), damaged pages in the middle of the file, another writer holding the lock.
Root ignores file modes, so the read-only cases run the command in a forked child that has
given up that override (CAP_DAC_OVERRIDE); the full disk needs root to mount a tmpfs, and is
skipped, with the reason, where it cannot.
"""

from __future__ import annotations

import ctypes
import gc
import os
import random
import shutil
import sqlite3
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_CASEFILE, EXIT_OK, main
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.services.demo import seed_demo
from consuldesk.store import cipher, db
from consuldesk.store.db import CaseFile
from consuldesk.store.errors import CaseFileError
from tests.disks import read_only_tmpfs, small_tmpfs

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and mounts")

#: Commands that only read, and commands that write; ``{out}`` is a writable folder,
#: ``{list}`` a small registration list.
READING = [
    ("info",),
    ("stats",),
    ("search", "Иван"),
    ("export", "{out}/export.csv"),
    ("review",),
    ("duplicates",),
    ("evac", "list"),
    ("conflicts", "list"),
    ("sync", "status"),
    ("sitrep", "--out", "{out}/sitrep.pdf"),
]
WRITING = [
    ("import", "{list}"),
    ("evac", "new-operation", "Дубай — Маскат"),
]
LIST = "Surname,Name,Birth date\nИванов,Иван,01.02.1990\nПетрова,Анна,03.04.1985\n"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A case file with a few hundred people, closed (its WAL checkpointed)."""
    path = tmp_path_factory.mktemp("pristine") / "AE-DXB.consuldesk"
    desk = create_casefile(
        path, post_code="AE-DXB", post_name="Dubai", host_country="AE", officer="t"
    )
    seed_demo(desk, count=400)
    desk.close()
    return path


def _argv(command: tuple[str, ...], path: Path, out: Path) -> list[str]:
    listing = out / "list.csv"
    if not listing.exists():
        listing.write_text(LIST, encoding="utf-8")
        listing.chmod(0o644)
    filled = [part.format(out=out, list=listing) for part in command]
    return ["--case-file", str(path), "--officer", "t", *filled]


def run(capsys, argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err


def _drop_dac_override() -> None:
    """Make root respect file modes: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from this
    process (an ordinary user has neither anyway). Still root, so it reads its own Python."""
    if os.geteuid() != 0:
        return

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    keep = ~((1 << 1) | (1 << 2)) & 0xFFFFFFFF  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    data[0].effective &= keep
    data[0].permitted &= keep
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def run_restricted(argv: list[str], out: Path) -> tuple[int, str]:
    """``main(argv)`` in a forked child bound by file modes as any officer is (root loses
    its override of them); the child's exit code and stderr."""
    err_file = out / f"err-{random.random()}.txt"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        sys.stderr = err = err_file.open("w", encoding="utf-8")  # pytest's capture is not ours
        try:
            _drop_dac_override()
            code = main(argv)
        except BaseException:
            traceback.print_exc()
        finally:
            err.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err_file.read_text(encoding="utf-8")


def assert_named(code: int, err: str, *words: str) -> None:
    assert code == EXIT_CASEFILE, err
    assert "Traceback" not in err and "Unexpected error" not in err, err
    for word in words:
        assert word in err, err


def _count(path: Path) -> int:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM national").fetchone()[0]
    finally:
        con.close()


# -- read-only ----------------------------------------------------------------------------


def test_a_read_only_file_is_read_and_refuses_every_write(pristine, tmp_path):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    path.chmod(0o444)  # its folder is writable: SQLite can keep its journal
    for command in READING:
        code, err = run_restricted(_argv(command, path, tmp_path), tmp_path)
        assert code == EXIT_OK, (command, err)
        if command[0] in ("export", "sitrep"):  # written, and said to be unrecorded
            assert "was written, but the audit trail could not record it" in err, err
            assert "is read-only" in err, err
    before = path.read_bytes()
    for command in WRITING:
        code, err = run_restricted(_argv(command, path, tmp_path), tmp_path)
        assert_named(code, err, "is read-only", str(path))
    assert path.read_bytes() == before


def test_a_read_only_folder_is_named_by_every_command(pristine, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "c.consuldesk"
    shutil.copy(pristine, path)
    folder.chmod(0o555)  # the file could be written; its folder cannot
    try:
        for command in READING + WRITING:
            code, err = run_restricted(_argv(command, path, tmp_path), tmp_path)
            assert_named(code, err, f"The folder {folder} cannot be written to")
    finally:
        folder.chmod(0o700)


def test_a_file_that_cannot_even_be_read_says_so(pristine, tmp_path):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    path.chmod(0o000)
    code, err = run_restricted(_argv(("info",), path, tmp_path), tmp_path)
    assert_named(code, err, "You have no permission to read", str(path))


# -- full disk ----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 24 MiB tmpfs: the case file and a list fit, with little room to spare."""
    with small_tmpfs(tmp_path, "size=24m,mode=0755") as mount:
        yield mount


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until ``leave`` bytes are free."""
    with (disk / "filler").open("wb") as fh:
        while (free := shutil.disk_usage(disk).free) > leave:
            try:
                fh.write(b"\0" * min(free - leave, 1 << 20))
                fh.flush()
            except OSError:
                break


def test_at_0_bytes_free_every_command_says_the_disk_is_full(
    pristine, small_disk, tmp_path, capsys
):
    path = small_disk / "c.consuldesk"
    shutil.copy(pristine, path)
    _fill(small_disk, 0)
    assert shutil.disk_usage(small_disk).free == 0
    for command in READING + WRITING:
        code, err = run(capsys, _argv(command, path, tmp_path))
        assert_named(code, err, "is full")
        assert "damaged" not in err


def test_a_disk_filling_up_in_the_middle_of_an_import_leaves_the_file_as_it_was(
    pristine, small_disk, tmp_path, capsys
):
    path = small_disk / "c.consuldesk"
    shutil.copy(pristine, path)
    before = _count(path)
    big = tmp_path / "big.csv"
    rows = "".join(f"Фамилия{i},Имя{i},01.02.{1950 + i % 50}\n" for i in range(6_000))
    big.write_text("Surname,Name,Birth date\n" + rows, encoding="utf-8")
    # Room for the backup taken before an import and the journal's start, not for 6,000 people.
    _fill(small_disk, path.stat().st_size + (2 << 20))
    code, err = run(capsys, _argv(("import", str(big)), path, tmp_path))
    assert_named(code, err, "is full")
    (small_disk / "filler").unlink()
    assert _count(path) == before
    assert not any((small_disk / "c.consuldesk.backups").glob(".*.tmp"))
    with CaseFile.open(path) as casefile:
        casefile.check_pages(full=True)


def test_a_backup_cut_short_by_a_full_disk_leaves_no_part_of_itself(
    pristine, small_disk, tmp_path, capsys
):
    path = small_disk / "c.consuldesk"
    shutil.copy(pristine, path)
    folder = small_disk / "c.consuldesk.backups"
    folder.mkdir(mode=0o700)
    _fill(small_disk, path.stat().st_size // 2)  # room for half a copy
    code, err = run(capsys, _argv(("backup",), path, tmp_path))
    assert_named(code, err, "is full")
    assert sorted(p.name for p in folder.iterdir()) == []  # no copy, no -wal, no -shm


def test_a_case_file_that_cannot_be_created_on_a_full_disk_leaves_nothing(
    small_disk, tmp_path, capsys
):
    _fill(small_disk, 0)
    path = small_disk / "QA-DOH.consuldesk"
    code, err = run(capsys, ["--case-file", str(path), "init", "--post", "QA-DOH", "--name", "x"])
    assert_named(code, err, "is full")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_to_a_full_disk_is_refused_cleanly(pristine, small_disk, tmp_path, capfd, suffix):
    _fill(small_disk, 0)
    out = small_disk / f"export.{suffix}"
    code = main(["--case-file", str(pristine), "export", str(out)])
    gc.collect()  # openpyxl's half-written workbook must not print its errors when collected
    err = capfd.readouterr().err
    assert code != EXIT_OK and "the disk is full" in err, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


# -- damaged pages ------------------------------------------------------------------------


def damage(path: Path, seed: int = 7) -> None:
    """Overwrite one page in the middle of the file with random bytes (the header stays)."""
    size = path.stat().st_size
    rng = random.Random(seed)
    with path.open("r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(rng.randbytes(4096))


def test_damaged_pages_are_named_by_every_command_and_nothing_is_written(
    pristine, tmp_path, capsys
):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    damage(path)
    before = path.read_bytes()
    for command in WRITING:
        code, err = run(capsys, _argv(command, path, tmp_path))
        assert_named(code, err, "is damaged", "SQLite found broken pages holding", "restore")
    for command in READING:
        code, err = run(capsys, _argv(command, path, tmp_path))
        # A command may read only sound pages and succeed; if it meets the damage, it says so.
        assert code in (EXIT_OK, EXIT_CASEFILE), (command, err)
        if code != EXIT_OK:
            assert_named(code, err, "is damaged")
    assert path.read_bytes() == before


def test_a_backup_of_a_damaged_file_is_exit_4_and_names_its_tables(pristine, tmp_path, capsys):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    damage(path)
    code, err = run(capsys, _argv(("backup",), path, tmp_path))
    assert_named(code, err, "failed its integrity check (broken pages in ", "consuldesk-cli")
    assert "Tree " not in err and "btree" not in err, err


def test_the_store_writes_nothing_after_sqlite_reported_damage(pristine, tmp_path):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    damage(path)
    desk = None
    try:
        desk = open_casefile(path, "t")
    except CaseFileError as exc:
        assert exc.code == "casefile.corrupt"
        return  # refused at opening: nothing written either
    try:
        with pytest.raises(CaseFileError) as found:
            desk.casefile.check_pages()
        assert found.value.code == "casefile.corrupt" and found.value.params["tables"]
        with pytest.raises(CaseFileError) as refused, desk.casefile.write("t"):
            pytest.fail("a damaged case file opened a write transaction")
        assert refused.value is desk.casefile.damage
    finally:
        desk.close()


def test_damage_met_by_a_query_is_remembered_and_refuses_writes(pristine, tmp_path):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    with CaseFile.open(path) as casefile:
        with pytest.raises(CaseFileError), casefile.read():
            raise sqlite3.DatabaseError("database disk image is malformed")
        assert casefile.damage is not None and casefile.damage.code == "casefile.corrupt"
        with pytest.raises(CaseFileError) as refused, casefile.write("t"):
            pytest.fail("a write transaction opened after SQLite reported damage")
        assert refused.value is casefile.damage


# -- locked -------------------------------------------------------------------------------


def test_another_writer_holding_the_file_is_named(pristine, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    open_casefile(path, "t").close()  # WAL mode set up, as any window leaves it
    # Through our SQLite (SQLCipher's): two builds of SQLite in one process do not see each
    # other's locks.
    other = cipher.connect(path, None, timeout=0.1)
    other.isolation_level = None
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE meta SET value = value")
        for command in WRITING:
            code, err = run(capsys, _argv(command, path, tmp_path))
            assert_named(code, err, "is locked by another program")
        for command in (("info",), ("stats",)):  # readers still read beside a writer
            code, err = run(capsys, _argv(command, path, tmp_path))
            assert code == EXIT_OK, err
        other.execute("ROLLBACK")
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        code, err = run(capsys, _argv(("info",), path, tmp_path))
        assert_named(code, err, "is locked by another program")
    finally:
        other.close()


# -- the translation itself --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("SQLITE_FULL", "database or disk is full", "casefile.disk_full"),
        ("SQLITE_BUSY", "database is locked", "casefile.locked"),
        ("SQLITE_READONLY", "attempt to write a readonly database", "casefile.readonly"),
        ("SQLITE_CORRUPT", "database disk image is malformed", "casefile.corrupt"),
        ("SQLITE_NOTADB", "file is not a database", "casefile.corrupt"),
        ("SQLITE_IOERR_READ", "disk I/O error", "casefile.io_error"),
    ],
)
def test_sqlite_errors_are_named_by_their_code(tmp_path, name, text, code):
    error = sqlite3.OperationalError(text)
    error.sqlite_errorname = name  # type: ignore[attr-defined]
    assert db.translate_sqlite_error(error, tmp_path / "c.consuldesk").code == code


def test_an_io_error_on_a_disk_with_no_room_is_a_full_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "_free_bytes", lambda path: 0)
    error = sqlite3.OperationalError("disk I/O error")
    assert db.translate_sqlite_error(error, tmp_path / "c").code == "casefile.disk_full"


def test_constraint_errors_are_not_faults_of_the_file():
    assert not db.is_sqlite_fault(sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert db.is_sqlite_fault(sqlite3.OperationalError("disk I/O error"))
    assert db.is_sqlite_fault(sqlite3.DatabaseError("database disk image is malformed"))


# -- a write-protected stick --------------------------------------------------------------


def test_a_list_on_a_write_protected_stick_names_the_review_file_and_imports_nothing(
    pristine, tmp_path, capsys
):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    before = _count(path)
    rows = LIST + "Сейітов,Әли,31.02.1990\n"  # a date to review: a review file to write
    with read_only_tmpfs(tmp_path, {"list.csv": rows}) as stick:
        code, err = run(capsys, _argv(("import", str(stick / "list.csv")), path, tmp_path))
        assert code == EXIT_BAD_INPUT, err
        assert "Traceback" not in err and "Unexpected error" not in err, err
        assert "list.review.csv" in err and "--review-file" in err and ".tmp" not in err, err
        assert _count(path) == before
        review = tmp_path / "to-look-at.csv"
        argv = ("import", "--review-file", str(review), str(stick / "list.csv"))
        code, err = run(capsys, _argv(argv, path, tmp_path))
        assert code == EXIT_OK and review.exists(), err  # one person to review, imported
    assert _count(path) == before + 3


def test_an_encrypted_case_file_on_a_write_protected_stick_is_not_called_damaged(
    tmp_path, capsys, monkeypatch
):
    """SQLite keeps a case file's journal beside it even to read it: on a write-protected
    stick it cannot start, and that once read as a wrong key or a damaged file."""
    made = tmp_path / "made" / "IR-THR.consuldesk"
    desk = create_casefile(
        made,
        post_code="IR-THR",
        post_name="Tehran",
        host_country="IR",
        officer="t",
        passphrase="long enough passphrase",
    )
    desk.close()
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "long enough passphrase")
    files = {p.name: p.read_bytes() for p in made.parent.iterdir() if p.is_file()}
    with read_only_tmpfs(tmp_path, files, size="8m") as stick:
        argv = ["--case-file", str(stick / made.name), "--officer", "t", "info"]
        code, err = run(capsys, argv)
    assert code == EXIT_CASEFILE, err
    assert "cannot be written to" in err and "journal" in err, err
    assert "key" not in err and "damaged" not in err, err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_to_a_write_protected_stick_is_refused_by_name(
    pristine, tmp_path, capsys, suffix
):
    path = tmp_path / "c.consuldesk"
    shutil.copy(pristine, path)
    with read_only_tmpfs(tmp_path, {}) as stick:
        target = stick / f"export{suffix}"
        code, err = run(capsys, _argv(("export", str(target)), path, tmp_path))
        assert code == EXIT_BAD_INPUT, err  # an output file, as every one (README)
        assert "Traceback" not in err and "Unexpected error" not in err, err
        assert "Exception ignored" not in err and ".tmp" not in err, err
        assert str(target) in err and "the disk is write-protected" in err, err
    # In Russian the reason is in Russian too, not the system's English.
    (tmp_path / "ru").mkdir()
    with read_only_tmpfs(tmp_path / "ru", {}) as stick:
        code, err = run(
            capsys, ["--lang", "ru", *_argv(("export", str(stick / "e.csv")), path, tmp_path)]
        )
        assert code == EXIT_BAD_INPUT and "диск защищён от записи" in err, err
        assert "Read-only" not in err, err
