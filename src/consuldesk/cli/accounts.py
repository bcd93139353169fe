"""Encryption and officer accounts from the command line: ``encrypt``, ``passphrase``,
``officers``, ``officer add|role|close|reset``, ``recovery-key``, ``recover``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from consuldesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    PASSPHRASE_ENV,
    CliError,
    _add_doc_lang,
    _add_replace,
    _casefile_path,
    _doc_language,
    _err,
    _local,
    _open,
    _passphrase,
    _print_json,
    _refuse_overwrite,
    command_with_actions,
)
from consuldesk.i18n import _
from consuldesk.messages import ROLE_LABELS

#: Environment variable: the recovery key, for ``recover`` without a terminal.
RECOVERY_KEY_ENV = "CONSULDESK_RECOVERY_KEY"


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    add(
        "encrypt",
        help="encrypt a plain case file in place; --officer becomes its first head of section",
    )
    add("passphrase", help="change your passphrase")
    add("officers", help="the officers who may open this case file, with their roles")
    action = command_with_actions(add, common, "officer", help="add, change or close accounts")
    p = action("add", help="give an officer an account (they change the first passphrase)")
    p.add_argument("name")
    p.add_argument("--role", choices=["viewer", "officer", "head"], default="officer")
    p = action("role", help="change an officer's role")
    p.add_argument("name")
    p.add_argument("role", nargs="?", choices=["viewer", "officer", "head"])
    p.add_argument("--role", dest="role_option", choices=["viewer", "officer", "head"])
    p = action("close", help="close an account: the passphrase opens nothing any more")
    p.add_argument("name")
    p = action("reset", help="set a new passphrase for an officer who forgot theirs")
    p.add_argument("name")
    p = add("recovery-key", help="print the recovery key for headquarters' safe")
    p.add_argument("--out", type=Path, help="write it to a PDF to print instead of showing it")
    _add_replace(p)
    _add_doc_lang(p)
    add(
        "recover",
        help=(
            "open the case file with its recovery key ($CONSULDESK_RECOVERY_KEY, or typed) "
            "and set --officer's passphrase anew"
        ),
    )


def _recovery_hint(recovery: str) -> None:
    print(_("Recovery key (print it and send it to headquarters; keep no copy here):"))
    print(f"  {recovery}")


def cmd_encrypt(args: argparse.Namespace) -> int:
    """Encrypt a plain case file."""
    from consuldesk.services.access import encrypt_casefile

    path = _casefile_path(args, writes=True)
    passphrase = _passphrase(
        _("New passphrase of {officer}: ").format(officer=args.officer), new=True, first=True
    )
    recovery = encrypt_casefile(path, args.officer, passphrase)
    if args.json:
        _print_json({"case_file": path, "officer": args.officer, "recovery_key": recovery})
    else:
        print(
            _("{path} is encrypted; {officer} is its head of section.").format(
                path=path, officer=args.officer
            )
        )
        _recovery_hint(recovery)
    return EXIT_OK


def cmd_passphrase(args: argparse.Namespace) -> int:
    """Change one's own passphrase."""
    from consuldesk.services.access import change_passphrase

    desk = _open(args)
    try:
        old = _passphrase(_("Current passphrase: "))
        new = _passphrase(_("New passphrase: "), new=True)
        change_passphrase(desk, old, new)
    finally:
        desk.close()
    print(_("Passphrase changed."))
    return EXIT_OK


def cmd_officers(args: argparse.Namespace) -> int:
    """List the accounts."""
    from consuldesk.services.access import list_officers

    desk = _open(args)
    try:
        rows = list_officers(desk)
    finally:
        desk.close()
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for r in rows:
        state = (
            _("closed {when}").format(when=_local(r.disabled_at))
            if r.disabled_at
            else _("last login {when}").format(when=_local(r.last_login_at))
            if r.last_login_at
            else _("never logged in")
        )
        print(f"{r.name:<30} {_(ROLE_LABELS.get(r.role, r.role)):<22} {state}")
    return EXIT_OK


def cmd_officer(args: argparse.Namespace) -> int:
    """Add, change or close an account."""
    from consuldesk.services import access

    desk = _open(args)
    try:
        desk.require("accounts")  # before any passphrase is asked for
        if args.officer_command == "add":
            first = _passphrase(_("First passphrase of {name}: ").format(name=args.name), new=True)
            access.add_officer(desk, args.name, args.role, first)
            message = _("{name} has an account ({role}).").format(
                name=args.name, role=_(ROLE_LABELS[args.role])
            )
        elif args.officer_command == "role":
            role = args.role or args.role_option  # "role NAME head", or as "add" takes it
            if role is None:
                raise CliError(_("Say the role: viewer, officer or head."), EXIT_USAGE)
            row = access.set_role(desk, args.name, role)
            message = _("{name} is now {role}.").format(name=row.name, role=_(ROLE_LABELS[role]))
        elif args.officer_command == "close":
            access.disable_officer(desk, args.name)
            message = _("The account of {name} is closed.").format(name=args.name)
        else:
            new = _passphrase(_("New passphrase of {name}: ").format(name=args.name), new=True)
            access.reset_passphrase(desk, args.name, new)
            message = _("{name} has a new passphrase.").format(name=args.name)
    finally:
        desk.close()
    print(message)
    return EXIT_OK


def cmd_recovery_key(args: argparse.Namespace) -> int:
    """Show or print the recovery key (the passphrase is asked again)."""
    from consuldesk.services.access import recovery_key

    if args.out is not None:
        _refuse_overwrite(args.out, args)
    desk = _open(args)
    try:
        recovery = recovery_key(desk, _passphrase(_("Your passphrase again: ")))
        post = desk.casefile.local_post()
        if args.out is not None:
            from consuldesk.services.documents import write_recovery_sheet

            written = write_recovery_sheet(desk, recovery, args.out, _doc_language(args))
    finally:
        desk.close()
    if args.out is not None:
        print(_("Recovery sheet written: {path}").format(path=written))
        _err(_("Print it, send it to headquarters, and delete the file."))
    elif args.json:
        _print_json({"post": post.code if post else "", "recovery_key": recovery})
    else:
        _recovery_hint(recovery)
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    """Open with the recovery key, then set the officer's passphrase anew."""
    from consuldesk.services.access import open_with_recovery, reset_passphrase

    path = _casefile_path(args, writes=True)
    recovery = os.environ.get(RECOVERY_KEY_ENV, "").strip()
    if not recovery:
        if not sys.stdin.isatty() and not os.environ.get(PASSPHRASE_ENV):
            raise CliError(
                _(
                    "The recovery key is needed: set ${env} to it (the eleven groups on the "
                    "recovery sheet) or run the command in a terminal."
                ).format(env=RECOVERY_KEY_ENV),
                EXIT_USAGE,
            )
        recovery = _passphrase(_("Recovery key: "))  # typed, or $CONSULDESK_PASSPHRASE
    desk = open_with_recovery(path, recovery, args.officer)
    try:
        new = _passphrase(_("New passphrase of {officer}: ").format(officer=args.officer), new=True)
        reset_passphrase(desk, args.officer, new)
    finally:
        desk.close()
    print(_("{officer} can log in with the new passphrase.").format(officer=args.officer))
    return EXIT_OK


COMMANDS = {
    "encrypt": cmd_encrypt,
    "passphrase": cmd_passphrase,
    "officers": cmd_officers,
    "officer": cmd_officer,
    "recovery-key": cmd_recovery_key,
    "recover": cmd_recover,
}
