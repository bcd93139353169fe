"""Keys and peers: ``keys`` and its actions (init, export, show, enrol, list, rotate, revoke,
escrow, passphrase).

A passphrase comes from ``$CONSULDESK_PASSPHRASE`` (a new one, when changing it, from
``$CONSULDESK_NEW_PASSPHRASE``), else from a prompt that does not echo; with neither, the
command stops before doing anything.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CliError,
    _local,
    _open,
    _print_json,
    command_with_actions,
)
from consuldesk.i18n import _
from consuldesk.messages import KEY_ROLE_LABELS, KEY_STATUS_LABELS

PASSPHRASE_ENV = "CONSULDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "CONSULDESK_NEW_PASSPHRASE"

KEYS_EPILOG = """\
how two case files come to trust each other:
  1. each side: consuldesk-cli keys init                (once; asks for a passphrase)
  2. each side: consuldesk-cli keys export /media/usb   (the public key file, not secret)
  3. the files travel (USB stick, e-mail); then, on the phone, each side reads out the
     fingerprint that 'keys list' shows for its own keys
  4. each side: consuldesk-cli keys enrol /media/usb/KZ-HQ-….consuldesk-key
     and types the fingerprint it heard: the keys are enrolled only if it matches

Later key changes travel by themselves in bundles: a rotation is vouched for by the old keys, a
revocation is signed by the post or by headquarters.
"""


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``keys`` and its actions; ``common`` holds the options every command takes."""
    action = command_with_actions(
        add,
        common,
        "keys",
        help="this case file's keys and the keys of the case files it exchanges bundles with",
        description="Keys for signed, encrypted bundles: create, hand over, enrol, rotate, revoke.",
        epilog=KEYS_EPILOG,
    )

    action("init", help="create this post's keys, sealed under a passphrase")
    p = action("export", help="write this post's public key file (for the other side)")
    p.add_argument(
        "target",
        nargs="?",
        type=Path,
        default=Path("."),
        help="a folder (a USB stick) or a file name (default: this folder)",
    )
    p = action("show", help="whose keys a public key file holds, and their fingerprint")
    p.add_argument("file", type=Path)
    p = action("enrol", help="trust the keys in a public key file, after the phone call")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--fingerprint",
        metavar="DIGITS",
        help="the fingerprint the other side read out (asked for when not given)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="the post's keys were lost: these replace the ones enrolled before",
    )
    action("list", help="this case file's keys and the enrolled ones")
    action("rotate", help="new keys for this post; the old ones vouch for them")
    p = action("revoke", help="stop trusting a key (a seized laptop, a known passphrase)")
    p.add_argument(
        "key",
        nargs="?",
        help="key id, or the first digits of the fingerprint (see 'keys list')",
    )
    p.add_argument("--own", action="store_true", help="revoke this post's own keys")
    p.add_argument("--reason", required=True, help="why, for the record and the other posts")
    p = action("escrow", help="headquarters: also encrypt every bundle to this age key")
    p.add_argument("recipient", help="an age public key (age1…), or a file holding one")
    action("passphrase", help="change the passphrase the keys are sealed under")


def _passphrase(env: str, prompt: str, *, confirm: bool = False) -> str:
    """A passphrase from ``env`` or a prompt that does not echo."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CliError(
            _("No passphrase: set ${env} or run the command in a terminal.").format(env=env),
            EXIT_BAD_INPUT,
        )
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repeat it: ")) != value:
        raise CliError(_("The two passphrases differ; nothing was changed."), EXIT_BAD_INPUT)
    return value


def _keys_passphrase(desk: Any) -> str:
    """The keys' passphrase; an encrypted case file's keys open with the login (keys sealed
    under a passphrase before the file was encrypted take $CONSULDESK_PASSPHRASE once)."""
    if desk.encrypted:
        return os.environ.get(PASSPHRASE_ENV, "")
    return _passphrase(PASSPHRASE_ENV, _("Passphrase: "))


def _unlock(desk: Any) -> None:
    """Unseal the keys for this command (then services take ``None`` for the passphrase): from
    $CONSULDESK_PASSPHRASE, said as such when it is the wrong one, or asked, three tries."""
    from consuldesk.messages import describe
    from consuldesk.services import keys as key_service
    from consuldesk.sync.errors import SyncError

    if os.environ.get(PASSPHRASE_ENV):
        try:
            key_service.unlock_all(desk, os.environ[PASSPHRASE_ENV])
        except SyncError as exc:
            if exc.code == "keys.passphrase_wrong":
                raise SyncError("keys.passphrase_wrong_env", env=PASSPHRASE_ENV) from exc
            raise
        return
    for attempt in range(3):
        try:
            key_service.unlock_all(desk, _keys_passphrase(desk))
            return
        except SyncError as exc:
            if exc.code != "keys.passphrase_wrong" or attempt == 2:
                raise
            print(describe(exc), file=sys.stderr)


def _print_key(row: Any) -> None:
    role = _(KEY_ROLE_LABELS.get(row.role, row.role))
    status = _(KEY_STATUS_LABELS.get(row.status, row.status))
    print(f"  {row.post:<8} {row.fingerprint}  {status} · {role} · {row.name}")
    detail = _("key {key_id}, since {since}").format(key_id=row.key_id, since=_local(row.since))
    if row.ended_at:
        detail += "; " + _("ended {when}: {reason}").format(
            when=_local(row.ended_at), reason=row.reason or "—"
        )
    print(f"  {'':<8} {detail}")


def cmd_keys(args: argparse.Namespace) -> int:
    """Key actions."""
    return KEYS_COMMANDS[args.keys_command](args)


def cmd_keys_init(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    desk = _open(args, writes=True)
    try:
        sealed_by_login = desk.encrypted  # sealed under the case file's key: no passphrase
        passphrase = (
            ""
            if sealed_by_login
            else _passphrase(PASSPHRASE_ENV, _("Passphrase for this post's keys: "), confirm=True)
        )
        row = keys.create_keys(desk, passphrase)
    finally:
        desk.close()
    if args.json:
        _print_json(row)
        return EXIT_OK
    print(_("Keys created for {post}.").format(post=row.post))
    print(_("Fingerprint: {fingerprint}").format(fingerprint=row.fingerprint))
    print(
        _(
            "Next: 'keys export' writes the public key file for the other side (headquarters, "
            "or a post); read them this fingerprint over the phone when they enrol it."
        )
    )
    if sealed_by_login:
        print(_("The keys are sealed under the case file's encryption: your login opens them."))
    else:
        print(_("Keep the passphrase: without it the keys cannot be used."))
    return EXIT_OK


def cmd_keys_export(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    desk = _open(args)
    try:
        path = keys.export_public_key(desk, args.target)
        own = keys.own_keys(desk)[0]
    finally:
        desk.close()
    if args.json:
        _print_json({"path": path, "fingerprint": own.fingerprint, "key_id": own.key_id})
        return EXIT_OK
    print(_("Wrote {path}").format(path=path))
    print(
        _("Fingerprint to read out over the phone: {fingerprint}").format(
            fingerprint=own.fingerprint
        )
    )
    return EXIT_OK


def cmd_keys_show(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    public = keys.read_key_file(args.file)
    info = {
        "post": public.post,
        "name": public.name,
        "role": public.role,
        "key_id": public.key_id,
        "fingerprint": public.fingerprint,
        "created": public.created,
    }
    if args.json:
        _print_json(info)
        return EXIT_OK
    print(
        _("Keys of {post} — {name} ({role})").format(
            post=public.post,
            name=public.name,
            role=_(KEY_ROLE_LABELS.get(public.role, public.role)),
        )
    )
    print(_("Fingerprint: {fingerprint}").format(fingerprint=public.fingerprint))
    return EXIT_OK


def cmd_keys_enrol(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    public = keys.read_key_file(args.file)
    desk = _open(args, writes=True)
    try:
        if keys.enrolment_of(desk, public) == "known":  # said before anyone reads digits out
            print(
                _("The keys of {post} — {name} are enrolled already; nothing to do.").format(
                    post=public.post, name=public.name
                )
            )
            return EXIT_OK
    except BaseException:
        desk.close()
        raise
    desk.close()
    typed = args.fingerprint
    if typed is None:
        if not sys.stdin.isatty():
            raise CliError(
                _("Give the fingerprint the other side read out: --fingerprint DIGITS."),
                EXIT_BAD_INPUT,
            )
        print(_("Keys of {post} — {name}.").format(post=public.post, name=public.name))
        print(_("Call them and ask them to read out their fingerprint ('keys list')."))
        typed = input(_("Fingerprint you heard (25 digits): "))
    desk = _open(args, writes=True)
    try:
        row = keys.enrol_peer(desk, args.file, typed, replace=args.replace)
    finally:
        desk.close()
    if args.json:
        _print_json(row)
        return EXIT_OK
    print(_("Enrolled the keys of {post} — {name}.").format(post=row.post, name=row.name))
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    desk = _open(args)
    try:
        own = keys.own_keys(desk)
        peers = keys.peers(desk)
    finally:
        desk.close()
    if args.json:
        _print_json({"own": own, "peers": peers})  # KeyRow dataclasses, field by field
        return EXIT_OK
    print(_("This case file's keys:"))
    if not own:
        print("  " + _("none yet: consuldesk-cli keys init"))
    for row in own:
        _print_key(row)
    print(_("Enrolled keys:"))
    if not peers:
        print("  " + _("none yet: consuldesk-cli keys enrol FILE"))
    for row in peers:
        _print_key(row)
    return EXIT_OK


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    desk = _open(args, writes=True)
    try:
        row = keys.rotate_keys(desk, _keys_passphrase(desk))
    finally:
        desk.close()
    if args.json:
        _print_json(row)
        return EXIT_OK
    print(_("New keys: {fingerprint}").format(fingerprint=row.fingerprint))
    print(_("The old keys vouch for them in the next bundles; nobody needs to enrol them again."))
    return EXIT_OK


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    if args.own == bool(args.key):
        raise CliError(_("Name a key to revoke, or give --own (not both)."), EXIT_BAD_INPUT)
    desk = _open(args, writes=True)
    try:
        hq = desk.casefile.local_post().is_headquarters
        if args.own:
            passphrase = _keys_passphrase(desk)
            row = keys.revoke_own_key(desk, passphrase, args.reason)
        else:
            passphrase = _keys_passphrase(desk) if hq else ""
            row = keys.revoke_peer(desk, passphrase, args.key, args.reason)
    finally:
        desk.close()
    if args.json:
        _print_json(row)
        return EXIT_OK
    if args.own:
        print(
            _("Revoked this post's keys. New keys: {fingerprint}").format(
                fingerprint=row.fingerprint
            )
        )
        print(
            _("Export them and read the new fingerprint to headquarters: they enrol them by hand.")
        )
    else:
        print(
            _("Revoked the keys of {post} ({fingerprint}).").format(
                post=row.post, fingerprint=row.fingerprint
            )
        )
    return EXIT_OK


def cmd_keys_escrow(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    text = args.recipient
    if not text.startswith("age1") and Path(text).is_file():
        lines = Path(text).read_text(encoding="utf-8", errors="replace").splitlines()
        text = next((line.strip() for line in lines if line.strip().startswith("age1")), "")
    desk = _open(args, writes=True)
    try:
        row = keys.add_escrow(desk, _keys_passphrase(desk), text)
    finally:
        desk.close()
    if args.json:
        _print_json(row)
        return EXIT_OK
    print(
        _("Every bundle is now encrypted to the escrow key {fingerprint} too.").format(
            fingerprint=row.fingerprint
        )
    )
    return EXIT_OK


def cmd_keys_passphrase(args: argparse.Namespace) -> int:
    from consuldesk.services import keys

    desk = _open(args, writes=True)
    try:
        old = _passphrase(PASSPHRASE_ENV, _("Current passphrase: "))
        new = _passphrase(NEW_PASSPHRASE_ENV, _("New passphrase: "), confirm=True)
        keys.change_passphrase(desk, old, new)
    finally:
        desk.close()
    if not args.json:
        print(_("The keys are sealed under the new passphrase."))
    else:
        _print_json({"changed": True})
    return EXIT_OK


KEYS_COMMANDS = {
    "init": cmd_keys_init,
    "export": cmd_keys_export,
    "show": cmd_keys_show,
    "enrol": cmd_keys_enrol,
    "list": cmd_keys_list,
    "rotate": cmd_keys_rotate,
    "revoke": cmd_keys_revoke,
    "escrow": cmd_keys_escrow,
    "passphrase": cmd_keys_passphrase,
}

COMMANDS = {"keys": cmd_keys}
