"""Backups of a case file: taken before what could go wrong at scale, looked at, restored.

A backup is a consistent copy made with SQLite's online backup API (a window open on the file
is no problem), kept private (mode 600) in a folder beside the case file,
``<name>.consuldesk.backups/``, named by when and why: ``20261206-101500-before-import``. A bundle
merge and a list import take one first; the officer can take one at any time. The newest
:data:`KEEP` are kept; older ones are removed after a new one is written whole.

Restoring checks the backup first (an SQLite case file that passes ``integrity_check``), keeps
the current case file as one more backup (``before-restore``), then puts the copy in place:
nothing is lost by a restore either.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.store.db import copy_database, translate_sqlite_error
from consuldesk.store.errors import CaseFileError
from consuldesk.store.models import utcnow
from consuldesk.store.private import make_private, private_dir

#: How many backups are kept beside a case file (the newest).
KEEP = 10

_NAME = re.compile(r"^(\d{8}-\d{6})-(.+?)(?:-\d+)?\.consuldesk$")


@dataclass(frozen=True)
class BackupRow:
    """A backup and what it holds (read without opening it for writing).

    ``sound`` is False when it fails SQLite's integrity check or is not a case file; then the
    counts are 0 and ``problem`` says what is wrong.
    """

    path: Path
    taken_at: datetime | None
    reason: str
    size: int
    sound: bool
    nationals: int = 0
    households: int = 0
    requests: int = 0
    problem: str = ""


def backup_folder(casefile: Path) -> Path:
    """The folder of a case file's backups (beside it)."""
    return casefile.with_name(casefile.name + ".backups")


def take_backup(desk: Desk, reason: str) -> Path:
    """Copy the case file into its backups folder, then keep only the newest :data:`KEEP`.

    Raises:
        ServiceError: ``file.write`` (params ``path``, ``reason``): the copy could not be
            written (a read-only folder); the case file is untouched.
        CaseFileError: ``casefile.disk_full``: the disk holding the case file (and the
            backups beside it) is full; ``casefile.corrupt``: the case file is damaged.
    """
    return backup_file(desk.casefile.path, reason)


def backup_file(source: Path, reason: str) -> Path:
    """:func:`take_backup` of the case file at ``source``."""
    folder = backup_folder(source)
    label = re.sub(r"[^\w.-]+", "-", reason).strip("-") or "backup"
    stamp = f"{utcnow():%Y%m%d-%H%M%S}"
    target = folder / f"{stamp}-{label}{source.suffix}"
    n = 1
    while target.exists():  # two within a second
        n += 1
        target = folder / f"{stamp}-{label}-{n}{source.suffix}"
    try:
        private_dir(folder)
        copy_database(source, target)
    except (OSError, sqlite3.Error) as exc:
        if getattr(exc, "errno", None) == errno.ENOSPC:
            raise CaseFileError("casefile.disk_full", source) from exc  # beside the case file
        if isinstance(exc, sqlite3.Error):
            fault = translate_sqlite_error(exc, source)
            if fault.code in ("casefile.disk_full", "casefile.corrupt"):
                raise fault from exc  # the disk of both is full, or the case file is damaged
        raise ServiceError(
            "file.write",
            "path",
            path=str(target),
            reason=getattr(exc, "strerror", None) or str(exc),
        ) from exc
    _rotate(folder, keep=target)
    return target


def _rotate(folder: Path, keep: Path) -> None:
    backups = sorted((p for p in folder.glob("*.consuldesk") if _NAME.match(p.name)), reverse=True)
    for old in backups[KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)


def list_backups(casefile: Path) -> list[BackupRow]:
    """The backups beside a case file, the newest first, each with what it holds."""
    folder = backup_folder(casefile)
    if not folder.is_dir():
        return []
    rows = [inspect_backup(p) for p in folder.glob("*.consuldesk")]
    return sorted(rows, key=lambda r: r.path.name, reverse=True)


def inspect_backup(path: Path) -> BackupRow:
    """What a backup holds and whether it is sound, read-only."""
    match = _NAME.match(path.name)
    taken = (
        datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC) if match else None
    )
    reason = match.group(2) if match else ""
    size = path.stat().st_size
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if check != "ok":
                return BackupRow(path, taken, reason, size, False, problem=str(check))
            if "alembic_version" not in tables:
                return BackupRow(path, taken, reason, size, False, problem="not a case file")

            def live(table: str) -> int:
                query = f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL"
                return int(conn.execute(query).fetchone()[0])

            return BackupRow(
                path,
                taken,
                reason,
                size,
                True,
                live("national"),
                live("household"),
                live("assistance_request"),
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return BackupRow(path, taken, reason, size, False, problem=str(exc))


def restore_backup(casefile: Path, backup: Path) -> Path:
    """Put a backup in place of the case file; the current one is kept as a backup first.

    The case file must not be open (the window and the CLI hold it while open). Returns the
    backup of the case file as it was.

    Raises:
        ServiceError: ``backup.unsound`` (params ``path``, ``problem``) when the backup fails
            its check or is not a case file; ``file.write`` when the copy cannot be written.
    """
    row = inspect_backup(backup)
    if not row.sound:
        raise ServiceError("backup.unsound", "path", path=str(backup), problem=row.problem)
    try:
        before = backup_file(casefile, "before-restore")
    except ServiceError:
        # A damaged case file (the usual reason to restore) may not copy through SQLite: its
        # bytes are kept as they are, the write-ahead log beside them.
        before = _raw_copy(casefile)
    tmp = casefile.with_name(f".{casefile.name}.{os.getpid()}.restore")
    try:
        copy_database(backup, tmp)
        # The old write-ahead log belongs to the old file: applied to the restored one, it
        # would damage it. The copy above holds everything it had.
        for part in (Path(f"{casefile}-wal"), Path(f"{casefile}-shm")):
            part.unlink(missing_ok=True)
        os.replace(tmp, casefile)
        make_private(casefile)
    except (OSError, sqlite3.Error) as exc:
        raise ServiceError(
            "file.write",
            "path",
            path=str(casefile),
            reason=getattr(exc, "strerror", None) or str(exc),
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return before


def _raw_copy(casefile: Path) -> Path:
    """The case file's bytes (and its write-ahead log's) copied into its backups folder."""
    folder = private_dir(backup_folder(casefile))
    target = folder / f"{utcnow():%Y%m%d-%H%M%S}-before-restore-as-found{casefile.suffix}"
    try:
        shutil.copyfile(casefile, target)
        make_private(target)
        wal = Path(f"{casefile}-wal")
        if wal.exists():
            shutil.copyfile(wal, f"{target}-wal")
            make_private(f"{target}-wal")
    except OSError as exc:
        raise ServiceError(
            "file.write", "path", path=str(target), reason=exc.strerror or str(exc)
        ) from exc
    return target
