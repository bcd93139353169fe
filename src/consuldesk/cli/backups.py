"""Backups from the command line: ``backup``, ``backups``, ``restore``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_CASEFILE,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _casefile_path,
    _jsonable,
    _print_json,
)
from consuldesk.i18n import _

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
    from consuldesk.services.backups import backup_file

    path = _existing(args)
    target = backup_file(path, "by-hand")
    if args.json:
        _print_json({"backup": target})
    else:
        print(_("Backup written: {path}").format(path=target))
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    """List the backups with what each holds."""
    from consuldesk.services.backups import list_backups

    rows = list_backups(_existing(args))
    if args.json:
        _print_json([_jsonable(vars(r)) for r in rows])
        return EXIT_OK
    if not rows:
        print(_("No backups yet."))
        return EXIT_OK
    for r in rows:
        when = f"{r.taken_at.astimezone():%d.%m.%Y %H:%M}" if r.taken_at else "—"
        if r.sound:
            holds = _("{n} nationals, {h} households, {q} requests").format(
                n=r.nationals, h=r.households, q=r.requests
            )
        else:
            holds = _("cannot be restored: {problem}").format(problem=r.problem)
        print(f"{r.path.name}  {when}  {r.size / 1_048_576:.1f} MB  {holds}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup after saying what it holds."""
    from consuldesk.services.backups import backup_folder, inspect_backup, restore_backup

    path = _existing(args)
    chosen = Path(args.backup)
    if not chosen.exists():
        chosen = backup_folder(path) / args.backup
    if not chosen.is_file():
        raise CliError(
            _("No backup {name}: 'consuldesk-cli backups' lists them.").format(name=args.backup),
            EXIT_BAD_INPUT,
        )
    _refuse_if_open(path)
    row = inspect_backup(chosen)
    if not row.sound:
        raise CliError(
            _("{path} cannot be restored: {problem}. Choose another backup").format(
                path=chosen, problem=row.problem
            ),
            EXIT_BAD_INPUT,
        )
    print(
        _("{name} holds {n} nationals, {h} households, {q} requests.").format(
            name=chosen.name, n=row.nationals, h=row.households, q=row.requests
        ),
        file=sys.stderr,
    )
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(_("Add --yes to restore without being asked."), EXIT_USAGE)
        answer = input(_("Replace {path} with it? The current file is kept as a backup. [y/N] ")
                       .format(path=path))  # fmt: skip
        if answer.strip().lower() not in ("y", "yes", "д", "да", "иә"):
            print(_("Nothing was changed."))
            return EXIT_OK
    kept = restore_backup(path, chosen)
    if args.json:
        _print_json({"restored": chosen, "case_file": path, "kept": kept})
    else:
        print(
            _("Restored {name} into {path}. The file as it was is kept: {kept}").format(
                name=chosen.name, path=path, kept=kept
            )
        )
    return EXIT_OK


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
