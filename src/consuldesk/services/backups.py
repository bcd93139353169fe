"""Backups of a case file: taken before what could go wrong at scale, looked at, restored.

A backup is a consistent copy made with SQLite's online backup API (a window open on the file
is no problem), kept private (mode 600) in a folder beside the case file,
``<name>.consuldesk.backups/``, named by when and why: ``20261206-101500-before-import-x``. A
bundle merge and a list import take one first, the open window one every few hours, an upgrade
of the schema one before it (kept apart: see :data:`consuldesk.store.db.UPGRADE_KEEP`); the
officer can take one at any time.

Rotation, after a new backup is written whole: the newest :data:`KEEP` are kept, and fewer when
they take more than their budget (:func:`size_budget`: by default half of what the disk has
free plus what the backups take, so backups never take more than they leave free), but never
fewer than :data:`KEEP_AT_LEAST`. Copies taken before upgrades are not counted or removed here;
copies of the case file as it was before a restore (the work a restore set aside) are rotated
apart, the newest :data:`RESTORE_KEEP` of them kept whatever else is taken.

Restoring checks the backup first (an SQLite case file that passes ``integrity_check``; the
listing uses the quicker ``quick_check``), keeps
the current case file as one more backup (``before-restore``), then puts the copy in place:
nothing is lost by a restore either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from consuldesk.i18n import _
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.files import discard, os_reason
from consuldesk.store import cipher
from consuldesk.store.db import (
    UPGRADE_REASON,
    backups_folder,
    connect_read_only,
    copy_database,
    damaged_tables,
    note_own_gap,
    translate_sqlite_error,
)
from consuldesk.store.errors import CaseFileError
from consuldesk.store.keyring import copy_keyring, keyring_path
from consuldesk.store.models import utcnow
from consuldesk.store.private import make_private, private_dir

#: How many backups are kept beside a case file at most (the newest).
KEEP = 10
#: How many are kept whatever their size: the size budget never removes these.
KEEP_AT_LEAST = 3
#: How many copies taken before a restore are kept (the newest), apart from the others: ten
#: backups taken afterwards, by hand or on a schedule, must not push out the work a restore
#: set aside.
RESTORE_KEEP = 5
#: Environment variable: the backups' budget in megabytes, instead of one derived from the disk.
BUDGET_ENV = "CONSULDESK_BACKUP_BUDGET_MB"

# The collision suffix is one or two digits; an upgrade's revision has four.
_NAME = re.compile(r"^(\d{8}-\d{6})-(.+?)(?:-\d{1,2})?\.consuldesk$")
_MERGE = re.compile(r"^before-(?:merge-)?(.+)-n(\d+)$")

#: Why a backup was taken (:func:`reason_kind`), in the order the window explains them.
KINDS = ("scheduled", "import", "merge", "upgrade", "manual", "restore", "other")
#: The reason of a backup taken by hand.
MANUAL = "by-hand"
#: The reason of the window's backups every few hours.
SCHEDULED = "scheduled"


def reason_kind(reason: str) -> tuple[str, str]:
    """The kind of a backup's reason (one of :data:`KINDS`) and what it names: the list
    imported, the post and bundle number merged, the schema revision upgraded from."""
    if reason == SCHEDULED:
        return "scheduled", ""
    if reason in (MANUAL, "manual"):
        return "manual", ""
    for prefix, kind in (
        ("before-import", "import"),
        (UPGRADE_REASON, "upgrade"),
        ("before-restore", "restore"),
    ):
        if reason == prefix or reason.startswith(prefix + "-"):
            return kind, reason[len(prefix) + 1 :]
    if match := _MERGE.match(reason):
        return "merge", f"{match.group(1)} #{int(match.group(2))}"
    return "other", reason


@dataclass(frozen=True)
class Counts:
    """What a case file holds: live nationals, households, requests, placements, trips."""

    nationals: int = 0
    households: int = 0
    requests: int = 0
    placements: int = 0
    trips: int = 0

    def by_table(self) -> dict[str, int]:
        """The counts by table name (``national``, ``household``, …)."""
        return {table: getattr(self, name) for name, table in _COUNTED.items()}


_COUNTED = {
    "nationals": "national",
    "households": "household",
    "requests": "assistance_request",
    "placements": "placement",
    "trips": "trip",
}


@dataclass(frozen=True)
class BackupRow:
    """A backup and what it holds (read without opening it for writing).

    ``sound`` is False when it fails SQLite's integrity check or is not a case file; then the
    counts are 0 and ``problem`` says what is wrong. ``checked`` is False for a row listed
    without looking inside (:func:`list_backups` with ``check=False``): then ``sound`` and the
    counts mean nothing yet.
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
    placements: int = 0
    trips: int = 0
    checked: bool = True

    @property
    def kind(self) -> str:
        """Why it was taken: one of :data:`KINDS`."""
        return reason_kind(self.reason)[0]

    @property
    def detail(self) -> str:
        """What the reason names (a list, a bundle, a revision), or ""."""
        return reason_kind(self.reason)[1]

    @property
    def counts(self) -> Counts:
        """What it holds."""
        return Counts(self.nationals, self.households, self.requests, self.placements, self.trips)


def backup_folder(casefile: Path) -> Path:
    """The folder of a case file's backups (beside it)."""
    return backups_folder(casefile)


def current_counts(desk: Desk) -> Counts:
    """What the open case file holds now (to set beside a backup's counts before a restore)."""
    from sqlalchemy import text

    with desk.casefile.read() as session:
        found = {
            name: int(
                session.execute(
                    text(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL")
                ).scalar_one()
            )
            for name, table in _COUNTED.items()
        }
    return Counts(**found)


def quick_check(desk: Desk) -> str:
    """SQLite's ``quick_check`` of the open case file (0.5–1 s at 100,000 nationals):
    "" when it passes, else everything it found, one finding a line (see :func:`short_problem`
    for a line to show)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with desk.casefile.engine.connect() as conn:
            found = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
    except DBAPIError as exc:
        return str(exc.orig)
    if found == ["ok"]:
        return ""
    return "\n".join(found)


def short_problem(found: str, limit: int = 90) -> str:
    """The first finding of a failed check, cut short, with how many more there are: what
    SQLite reports can run to hundreds of lines ("Page 297 is never used" …)."""
    lines = [
        line.strip()
        for line in found.splitlines()
        if line.strip() and not line.strip().startswith("***")
    ]
    if not lines:
        return found.strip()
    first = lines[0] if len(lines[0]) <= limit else lines[0][: limit - 1] + "…"
    more = len(lines) - 1
    return f"{first} (+{more})" if more else first


def take_backup(desk: Desk, reason: str) -> Path:
    """Copy the case file into its backups folder, then keep only the newest :data:`KEEP`.

    Raises:
        ServiceError: ``file.write`` (params ``path``, ``reason``): the copy could not be
            written (a read-only folder); the case file is untouched.
        CaseFileError: ``casefile.write_refused``: the case file failed its integrity check;
            a copy of it would push a sound backup out of the rotation;
            ``casefile.disk_full``: the disk holding the case file (and the backups beside
            it) is full; ``casefile.corrupt``: the case file is damaged.
    """
    desk.casefile.check_writable()
    return backup_file(desk.casefile.path, reason, key=desk.casefile.key)


def backup_file(
    source: Path,
    reason: str,
    *,
    budget: int | None = None,
    spare: Path | None = None,
    verify: bool = True,
    key: bytes | None = None,
) -> Path:
    """:func:`take_backup` of the case file at ``source`` (encrypted under ``key`` as the case
    file is; its keyring is copied into the folder too, so a keyring lost beside the case
    file is still there); ``budget`` in bytes instead of
    :func:`size_budget`'s; ``spare`` is never removed by the rotation (the backup about to be
    restored).

    The copy is checked (``quick_check``, 0.5–1 s at 100,000 nationals) before older
    backups are removed for it: a copy of a case file damaged since the last one must never
    push a sound backup out of the rotation. ``verify=False`` skips that (the copy before a
    restore, kept whatever it holds; its rotation spares the backup being restored).

    Raises:
        ServiceError: ``file.write`` (params ``path``, ``reason``): the copy could not be
            written; ``backup.source_damaged`` (params ``path``, ``problem``, ``backup``): the
            case file failed the check; the copy is kept and no backup was removed.
    """
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
        copy_database(source, target, key)
        if key is not None and keyring_path(source).exists():
            copy_keyring(keyring_path(source), keyring_path(folder / "case"))
    except (OSError, cipher.Error) as exc:
        if getattr(exc, "errno", None) == errno.ENOSPC:
            raise CaseFileError("casefile.disk_full", source) from exc  # beside the case file
        if isinstance(exc, cipher.Error):
            fault = translate_sqlite_error(exc, source)
            if fault.code in ("casefile.disk_full", "casefile.corrupt"):
                raise fault from exc  # the disk of both is full, or the case file is damaged
        raise ServiceError(
            "file.write",
            "path",
            path=str(target),
            reason=os_reason(exc),
        ) from exc
    if verify and (problem := check_file(target, key)):
        tables = _damaged_tables_of(target, key)
        raise ServiceError(
            "backup.source_damaged",
            "path",
            path=str(source),
            problem=(
                _("broken pages in {tables}").format(tables=", ".join(tables))
                if tables
                else short_problem(problem)
            ),
            backup=target.name,
        )
    _rotate(folder, keep={target, spare}, budget=budget)
    return target


def _key_for(path: Path, key: bytes | None) -> bytes | None:
    """The key to read ``path`` with: none for a plain file (a backup taken before the case
    file was encrypted, or a plain case file's)."""
    try:
        return None if cipher.has_plain_header(path) else key
    except OSError:
        return key


def check_file(path: Path, key: bytes | None = None) -> str:
    """SQLite's ``quick_check`` of a case file or backup that is not open, read-only: "" when
    it passes, else what it found (:func:`quick_check`)."""
    try:
        conn = connect_read_only(path, _key_for(path, key))
        try:
            found = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        finally:
            conn.close()
    except cipher.Error as exc:
        return str(exc)
    return "" if found == ["ok"] else "\n".join(found)


def _damaged_tables_of(path: Path, key: bytes | None = None) -> list[str]:
    """The tables of a case file or backup (not open) in which SQLite finds broken pages
    (:func:`consuldesk.store.db.damaged_tables`): what an officer can be told, instead of
    SQLite's "Tree 4 page 2099"; empty when it cannot be opened or its schema read."""
    try:
        conn = connect_read_only(path, _key_for(path, key))
    except cipher.Error:
        return []
    try:
        return damaged_tables(conn)
    finally:
        conn.close()


def _size(path: Path) -> int:
    """A backup's bytes, with the write-ahead log kept beside one copied as found."""
    total = 0
    for part in (path, Path(f"{path}-wal")):
        with contextlib.suppress(OSError):
            total += part.stat().st_size
    return total


def size_budget(folder: Path, taken: int) -> int:
    """How many bytes a case file's backups may take together: :data:`BUDGET_ENV` megabytes
    when set, else half of what the disk has free plus what they take (``taken``) now, so
    the backups never take more than they leave free."""
    setting = os.environ.get(BUDGET_ENV, "").strip()
    if setting.isdigit():
        return int(setting) * 1_048_576
    return (shutil.disk_usage(folder).free + taken) // 2


def _rotate(folder: Path, keep: set[Path | None], budget: int | None = None) -> None:
    """Keep the newest :data:`KEEP` ordinary backups, and of these the oldest beyond
    :data:`KEEP_AT_LEAST` only while all the backups fit their budget."""
    named = [p for p in folder.glob("*.consuldesk") if _NAME.match(p.name)]
    ordinary = sorted(
        (p for p in named if reason_kind(_reason(p))[0] not in ("upgrade", "restore")),
        key=_age,
        reverse=True,
    )
    restores = sorted(
        (p for p in named if reason_kind(_reason(p))[0] == "restore"),
        key=_age,
        reverse=True,
    )
    sizes = {p: _size(p) for p in named}
    doomed = ordinary[KEEP:] + restores[RESTORE_KEEP:]
    kept = ordinary[:KEEP]
    total = sum(sizes[p] for p in named if p not in doomed)
    allowed = budget if budget is not None else size_budget(folder, total)
    while len(kept) > KEEP_AT_LEAST and total > allowed:
        old = kept.pop()
        doomed.append(old)
        total -= sizes[old]
    for old in doomed:
        if old not in keep:
            for part in (old, Path(f"{old}-wal"), Path(f"{old}-shm")):
                part.unlink(missing_ok=True)


def _age(path: Path) -> tuple[str, int, str]:
    """A backup's place in time: its stamp, then (two within a second, "-2" … "-10") when it
    was written; by name alone "-10" came before "-2", and a newer copy went first."""
    match = _NAME.match(path.name)
    try:
        written = path.stat().st_mtime_ns
    except OSError:
        written = 0
    return (match.group(1) if match else "", written, path.name)


def _reason(path: Path) -> str:
    match = _NAME.match(path.name)
    return match.group(2) if match else ""


def list_backups(
    casefile: Path, *, check: bool = True, key: bytes | None = None
) -> list[BackupRow]:
    """The backups beside a case file, the newest first, each with what it holds; with
    ``check=False`` only their names, times and sizes (at once: a check reads every page,
    0.5–1 s for a backup of 100,000 nationals), to be inspected one by one after."""
    folder = backup_folder(casefile)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.consuldesk") if p.is_file()]
    rows = [inspect_backup(p, key=key) if check else _unchecked(p) for p in found]
    # Two taken within one second: the one written last is the newer.
    order = {p: (p.stat().st_mtime_ns, p.name) for p in found}
    return sorted(rows, key=lambda r: (r.taken_at or _EPOCH, order[r.path]), reverse=True)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def taken_at(path: Path) -> datetime | None:
    """When the backup at ``path`` was taken, from its name (``None`` for another name)."""
    return _stamp(path)


def _stamp(path: Path) -> datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)


def _unchecked(path: Path) -> BackupRow:
    return BackupRow(path, _stamp(path), _reason(path), _size(path), False, checked=False)


def newest_sound_backup(casefile: Path, key: bytes | None = None) -> BackupRow | None:
    """The newest backup that passes its check (the way back from a damaged case file)."""
    for row in list_backups(casefile, check=False):
        checked = inspect_backup(row.path, key=key)
        if checked.sound:
            return checked
    return None


def inspect_backup(path: Path, *, thorough: bool = False, key: bytes | None = None) -> BackupRow:
    """What a backup holds and whether it is sound, read-only (``key``: the case file's data
    key; a plain backup, from before the case file was encrypted, is read without it).

    By default SQLite's ``quick_check`` (every page and its structure: about 1 s for a backup
    of 100,000 nationals); ``thorough`` runs ``integrity_check``, which also matches every index
    against its table (about 6 s there), as a restore does before it replaces anything.
    """
    taken, reason, size = _stamp(path), _reason(path), _size(path)
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        conn = connect_read_only(path, _key_for(path, key))
        try:
            check = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if check != "ok":
                return BackupRow(path, taken, reason, size, False, problem=short_problem(check))
            if "alembic_version" not in tables:
                return BackupRow(path, taken, reason, size, False, problem="not a case file")

            def live(table: str) -> int:
                if table not in tables:  # a file older than the table
                    return 0
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
                placements=live("placement"),
                trips=live("trip"),
            )
        finally:
            conn.close()
    except cipher.Error as exc:
        return BackupRow(path, taken, reason, size, False, problem=str(exc))


def restore_backup(casefile: Path, backup: Path, key: bytes | None = None) -> Path:
    """Put a backup in place of the case file; the current one is kept as a backup first.

    The audit trail is not restored with the records: the events the case file had after the
    backup was taken are added back to the restored one (unless the case file was damaged).
    The case file must not be open (the window and the CLI hold it while open). Returns the
    backup of the case file as it was.

    Raises:
        ServiceError: ``backup.unsound`` (params ``path``, ``problem``) when the backup fails
            its check or is not a case file; ``backup.is_casefile`` when it is the case file
            itself; ``file.write`` when the copy cannot be written.
    """
    if Path(backup).resolve() == Path(casefile).resolve():
        # (a path typed to the case file itself: restored onto itself, "taken —")
        raise ServiceError("backup.is_casefile", "path", path=str(backup))
    row = inspect_backup(backup, thorough=True, key=key)
    if not row.sound:
        raise ServiceError("backup.unsound", "path", path=str(backup), problem=row.problem)
    try:
        before = backup_file(casefile, "before-restore", spare=backup, verify=False, key=key)
        sound = not check_file(before, key)
    except (ServiceError, CaseFileError):
        # A damaged case file (the usual reason to restore) may not copy through SQLite: its
        # bytes are kept as they are, the write-ahead log beside them.
        before, sound = _raw_copy(casefile), False
    tmp = casefile.with_name(f".{casefile.name}.{os.getpid()}.restore")
    try:
        if key is not None and cipher.has_plain_header(backup):
            cipher.export_copy(backup, None, tmp, key)  # a plain backup comes back encrypted
        else:
            copy_database(backup, tmp, _key_for(backup, key))
        if sound:
            # The trail is append-only, a restore too: who did what after the backup stays in
            # it (the records go back; the account of what happened to them does not).
            for table in ("audit_event", "audit_redaction"):
                cipher.add_missing_rows(tmp, key, before, _key_for(before, key), table)
            # Bundle numbers never repeat: a peer holding bundle 5 would take a second
            # "bundle 4" for an old one. The peers enrolled since stay known as peers.
            cipher.add_missing_rows(tmp, key, before, _key_for(before, key), "sync_peer")
            cipher.carry_highest(
                tmp, key, before, _key_for(before, key), "sync_peer", "post_code", "sent_sequence"
            )
            # Its own changes since the backup may be held elsewhere: it asks for them back.
            note_own_gap(tmp, key, before, _key_for(before, key))
        # The old write-ahead log belongs to the old file: applied to the restored one, it
        # would damage it. The copy above holds everything it had.
        for part in (Path(f"{casefile}-wal"), Path(f"{casefile}-shm")):
            part.unlink(missing_ok=True)
        os.replace(tmp, casefile)
        make_private(casefile)
    except (OSError, cipher.Error) as exc:
        raise ServiceError(
            "file.write",
            "path",
            path=str(casefile),
            reason=os_reason(exc),
        ) from exc
    finally:
        discard(tmp)
    return before


def _raw_copy(casefile: Path) -> Path:
    """The case file's bytes (and its write-ahead log's) copied into its backups folder."""
    folder = private_dir(backup_folder(casefile))
    stamp = f"{utcnow():%Y%m%d-%H%M%S}-before-restore-as-found"
    target = folder / f"{stamp}{casefile.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stamp}-{n}{casefile.suffix}"
    try:
        shutil.copyfile(casefile, target)
        make_private(target)
        wal = Path(f"{casefile}-wal")
        if wal.exists():
            shutil.copyfile(wal, f"{target}-wal")
            make_private(f"{target}-wal")
    except OSError as exc:
        raise ServiceError("file.write", "path", path=str(target), reason=os_reason(exc)) from exc
    return target


def record_restore(desk: Desk, backup: Path, kept: Path) -> None:
    """Write into the restored case file that it was restored, from which backup, by whom,
    and where the file as it was is kept (whose trail after the backup was added back)."""
    from consuldesk.store.models import AuditEvent

    with desk.casefile.write(desk.officer) as tx:
        tx.session.add(
            AuditEvent(  # type: ignore[call-arg]
                officer=tx.officer,
                post_code=tx.post_code,
                table_name="backup",
                record_id=backup.name[:36],
                action="restore",
                changes={"backup": backup.name, "kept": kept.name},
                version="",
            )
        )
