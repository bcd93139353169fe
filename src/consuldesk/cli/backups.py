"""Backups from the command line: ``backup``, ``backups``, ``restore``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_CASEFILE,
    EXIT_OK,
    CliError,
    _casefile_path,
    _confirmed,
    _data_key,
    _jsonable,
    _open,
    _print_json,
)
from consuldesk.i18n import _
from consuldesk.messages import (
    BACKUP_COUNTED,
    SYNC_TABLE_LABELS,
    backup_holdings,
    backup_reason,
)

if TYPE_CHECKING:
    from consuldesk.services.backups import BackupRow

WINDOW_LOCK_SUFFIX = ".window-lock"  # the window's lock beside the case file (ui.app)


def add_parsers(add: Callable[..., argparse.ArgumentParser]) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    add("backup", help="copy the case file into its backups folder now")
    add("backups", help="the backups beside the case file, newest first, with what each holds")
    p = add("restore", help="put a backup in place of the case file (the current one is kept)")
    p.add_argument("backup", help="the backup's file name (as 'backups' lists it) or its path")
    p.add_argument("--yes", action="store_true", help="do not ask before restoring")


def cmd_backup(args: argparse.Namespace) -> int:
    """Take a backup now."""
    from consuldesk.services.backups import MANUAL, backup_file

    path = _existing(args)
    target = backup_file(path, MANUAL, key=_data_key(args, path))
    if args.json:
        _print_json({"backup": target})
    else:
        print(_("Backup written: {path}").format(path=target))
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    """List the backups with why each was taken and what it holds."""
    from consuldesk.services.backups import inspect_backup, list_backups

    path = _existing(args)
    key = _data_key(args, path)
    listed = list_backups(path, check=False)
    if args.json:
        rows = [inspect_backup(r.path, key=key) for r in listed]
        _print_json([_jsonable({**vars(r), "kind": r.kind, "detail": r.detail}) for r in rows])
        return EXIT_OK
    if not listed:
        print(_("No backups yet."))
        return EXIT_OK
    for unchecked in listed:
        # One by one, each as soon as it is checked (about 0.5 s each at 100,000 people).
        r = inspect_backup(unchecked.path, key=key)
        print(r.path.name)
        print(f"  {_when(r)} · {backup_reason(r.kind, r.detail)} · {_megabytes(r.size)}")
        print(f"  {_holds(r)}", flush=True)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup after showing what it holds beside what the case file holds now."""
    from consuldesk.services.backups import backup_folder, inspect_backup, restore_backup

    path = _existing(args)
    chosen = Path(args.backup)
    if not chosen.exists():
        chosen = backup_folder(path) / args.backup
    if not chosen.is_file() and not chosen.name.endswith(path.suffix):
        chosen = chosen.with_name(chosen.name + path.suffix)  # the name as listed, suffix left off
    if not chosen.is_file():
        raise CliError(
            _("No backup {name}: 'consuldesk-cli backups' lists them.").format(name=args.backup),
            EXIT_BAD_INPUT,
        )
    _refuse_if_open(path)
    key = _restorer_key(args, path)
    row = inspect_backup(chosen, key=key)
    if not row.sound:
        raise CliError(
            _("{path} cannot be restored: {problem}. Choose another backup").format(
                path=chosen, problem=row.problem
            ),
            EXIT_BAD_INPUT,
        )
    now = inspect_backup(path, key=key)  # read-only, like a backup: what a restore would replace
    print(_preview(row, now), file=sys.stderr)
    question = _("Replace {path} with it? The current file is kept as a backup. [y/N] ")
    if not args.yes and not _confirmed(
        question.format(path=path), _("Add --yes to restore without being asked.")
    ):
        print(_("Nothing was changed."))
        return EXIT_OK
    kept = restore_backup(path, chosen, key)
    _record_restore(args, path, chosen, kept)
    if args.json:
        _print_json({"restored": chosen, "case_file": path, "kept": kept})
    else:
        print(
            _("Restored {name} into {path}. The file as it was is kept: {kept}").format(
                name=chosen.name, path=path, kept=kept
            )
        )
    return EXIT_OK


def _when(row: BackupRow) -> str:
    return f"{row.taken_at.astimezone():%d.%m.%Y %H:%M:%S}" if row.taken_at else "—"


def _megabytes(size: int) -> str:
    return _("{mb} MB").format(mb=f"{size / 1_048_576:.1f}")


def _holds(row: BackupRow) -> str:
    if row.sound:
        return backup_holdings(row.counts.by_table())
    return _("cannot be restored: {problem}").format(problem=row.problem)


def _preview(backup: BackupRow, now: BackupRow) -> str:
    """What the case file holds now beside what the backup holds, table by table."""
    lines = [
        _("{name}: taken {when}, {why}.").format(
            name=backup.path.name, when=_when(backup), why=backup_reason(backup.kind, backup.detail)
        )
    ]
    if not now.sound:
        lines.append(_("The case file now is damaged: {problem}").format(problem=now.problem))
    head_now, head_backup = _("now"), _("in the backup")
    labels = {t: _(SYNC_TABLE_LABELS[t]) for t in BACKUP_COUNTED}
    width = max(len(v) for v in labels.values())
    right = max(len(head_now), 8)
    lines.append(f"{'':<{width}}  {head_now:>{right}}  {head_backup}")
    ours, theirs = now.counts.by_table(), backup.counts.by_table()
    for table, label in labels.items():
        current = str(ours[table]) if now.sound else "?"
        lines.append(f"{label:<{width}}  {current:>{right}}  {theirs[table]}")
    return "\n".join(lines)


def _existing(args: argparse.Namespace) -> Path:
    path = _casefile_path(args, writes=True)
    if not path.is_file():
        raise CliError(_("No case file at {path}.").format(path=path), EXIT_CASEFILE)
    return path


def _refuse_if_open(path: Path) -> None:
    """Refuse while a window has the case file open (its lock names a live process)."""
    lock = Path(f"{path}{WINDOW_LOCK_SUFFIX}")
    try:
        pid = int(lock.read_text(encoding="utf-8", errors="replace").split()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return  # a lock left by a window that crashed
    except PermissionError:
        pass  # alive, someone else's
    raise CliError(
        _("{path} is open in a ConsulDesk window (process {pid}): close it first.").format(
            path=path, pid=pid
        ),
        EXIT_CASEFILE,
    )


COMMANDS = {"backup": cmd_backup, "backups": cmd_backups, "restore": cmd_restore}


def _restorer_key(args: argparse.Namespace, path: Path) -> bytes | None:
    """The data key, once the officer is known to be a head of section: a restore replaces
    everyone's work since the backup. A file too damaged to open is restored by any officer
    whose passphrase unwraps its key (the way back is not barred by the damage)."""
    from consuldesk.store.errors import CaseFileError

    try:
        desk = _open(args)
    except CaseFileError as exc:
        if exc.code not in ("casefile.corrupt", "casefile.io_error", "casefile.write_refused"):
            raise
        return _data_key(args, path)
    try:
        desk.require("restore")
        return desk.casefile.key
    finally:
        desk.close()


def _record_restore(args: argparse.Namespace, path: Path, backup: Path, kept: Path) -> None:
    """The restored case file says it was restored, from which backup, by whom."""
    from consuldesk.services.backups import record_restore

    desk = _open(args)
    try:
        record_restore(desk, backup, kept)
    finally:
        desk.close()
