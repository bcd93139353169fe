"""``consuldesk-cli``: the headless entry point over the same services as the window.

Exit codes: 0 done; 1 unexpected failure; 2 wrong command line; 3 bad input (an invalid value,
an unknown or ambiguous id, a list with rows not imported, a file that cannot be read or written);
4 the case file cannot be used (missing, locked, read-only, made by a newer version, its keyring
lost or damaged). A wrong passphrase is bad input (3).

An encrypted case file opens as ``--officer`` with their passphrase: $CONSULDESK_PASSPHRASE, or
typed at the terminal.

One module a command group: :mod:`.casefile` (init, demo, info), :mod:`.lists` (import,
export, review), :mod:`.nationals` (search, stats, duplicates), :mod:`.evac`, :mod:`.reports`
(sitrep, roster), :mod:`.keys`, :mod:`.sync`, :mod:`.backups`, :mod:`.retention`,
:mod:`.audit`, :mod:`.accounts`; :mod:`.common` holds what they share. A group adds its
commands to the parser (``add_parsers``) and names their handlers (``COMMANDS``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consuldesk import __version__
from consuldesk.cli import (
    accounts,
    argparse_texts,
    audit,
    backups,
    casefile,
    common,
    evac,
    hotels,
    keys,
    lists,
    nationals,
    reports,
    requests,
    retention,
    sync,
)
from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_CASEFILE,
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    OFFICER_ENV,
    CliError,
    _default_officer,
    _describe,
    _err,
    _err_json,
    _exit_code_for,
    _unexpected,
)
from consuldesk.i18n import _, install
from consuldesk.store.private import private_umask

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_CASEFILE",
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

#: The command groups, in the order ``--help`` lists their commands.
GROUPS = (
    casefile,
    accounts,
    lists,
    nationals,
    evac,
    hotels,
    requests,
    reports,
    keys,
    sync,
    backups,
    retention,
    audit,
)
#: Groups whose commands have actions of their own (which take the common options too).
NESTED = (accounts, evac, hotels, requests, keys, sync, retention, nationals)
COMMANDS = {name: command for group in GROUPS for name, command in group.COMMANDS.items()}

EPILOG = """\
examples:
  consuldesk-cli demo                              a demo case file with 3,000 nationals
  consuldesk-cli init --post AE-ABU --name "Embassy in Abu Dhabi" --country AE \\
      --officer "Aigul Seitova"                    encrypted; asks for her new passphrase
  consuldesk-cli officer add "Oleg Petrov" --role officer
  consuldesk-cli recovery-key --out recovery.pdf   for headquarters' safe
  consuldesk-cli import tourists.xlsx --dry-run    see what a list would do
  consuldesk-cli import tourists.xlsx              import it; rows to look at go to
                                                   tourists.review.csv
  consuldesk-cli import list.csv --column "Surname=surname_lat" --column "Col 7=ignore"
  consuldesk-cli search Нұрсұлтан                  search by name (either script), IIN,
                                                   passport or phone
  consuldesk-cli stats --json                      counts for headquarters
  consuldesk-cli export nationals.xlsx --lang ru
  consuldesk-cli evac list                         evacuation operations, legs, trips, seats
  consuldesk-cli sitrep --out sitrep.pdf           the situation report for headquarters
  consuldesk-cli keys init                         keys for signed, encrypted bundles
  consuldesk-cli bundle export KZ-HQ /media/usb    what headquarters lacks, on a USB stick
  consuldesk-cli bundle import /media/usb/….consuldesk-bundle
  consuldesk-cli audit --person Қасымова --since 01.12.2026   who did what to her record
  consuldesk-cli audit --kind exports --json       every file that left the case file
  consuldesk-cli retention                         records expired or expiring (anonymise,
                                                   keep)

Passphrases: $CONSULDESK_PASSPHRASE (and $CONSULDESK_NEW_PASSPHRASE for a new one) for
scripts; otherwise typed at the terminal, never on the command line.

The case file is chosen by --case-file, else $CONSULDESK_CASE_FILE, else the most recently used
case file in the data folder (--data-dir, $CONSULDESK_DATA_DIR, or the system's app data folder).
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    # Options accepted before or after the command ("search X --json" works like "--json search X").
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="folder that holds case files"
    )
    common.add_argument(
        "--case-file", type=Path, default=argparse.SUPPRESS, help="the case file to use"
    )
    common.add_argument(
        "--officer", default=argparse.SUPPRESS, help="name recorded in the audit trail"
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    parser = argparse.ArgumentParser(
        prog="consuldesk-cli",
        description=(
            "ConsulDesk case file from the command line: create, import, search, count, "
            "evacuate, print."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ConsulDesk {__version__}")
    parser.add_argument("--data-dir", type=Path, help="folder that holds case files")
    parser.add_argument("--case-file", type=Path, help="the case file to use")
    parser.add_argument(
        "--officer",
        default=os.environ.get(OFFICER_ENV) or _default_officer(),
        help="name recorded in the audit trail (default: $CONSULDESK_OFFICER or your login)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--lang",
        choices=["en", "ru", "kk"],
        default=os.environ.get("CONSULDESK_LANG", "en"),
        help="language of messages: en, ru or kk (default: $CONSULDESK_LANG or en)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("parents", [common])
        return sub.add_parser(name, **kwargs)

    for group in GROUPS:
        if group in NESTED or group is audit:
            group.add_parsers(add, common)
        else:
            group.add_parsers(add)
    return parser


#: Options before the command that take a value (skipped when looking for --lang).
_VALUED = frozenset({"--data-dir", "--case-file", "--officer", "--lang"})


def _language_asked(argv: Sequence[str]) -> str:
    """The language of messages, read before the command line is parsed (argparse's own
    errors and the help are said in it): ``--lang`` before the command, else
    $CONSULDESK_LANG, else English. After the command, ``--lang`` of a print command is the
    document's second language, not this."""
    tokens = list(argv)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--lang="):
            return token.split("=", 1)[1]
        if token == "--lang" and i + 1 < len(tokens):
            return tokens[i + 1]
        if token in _VALUED:
            i += 2
            continue
        if not token.startswith("-"):
            break  # the command
        i += 1
    return os.environ.get("CONSULDESK_LANG", "en")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    asked = _language_asked(argv)
    install(asked if asked in ("en", "kk", "ru") else "en")
    argparse_texts.speak()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    install(args.lang)
    common._TYPED.clear()  # a passphrase typed for an earlier command (tests run many)
    umask = private_umask()  # whatever the command writes is its owner's only

    def fail(message: str, code: int, cause: BaseException | None) -> int:
        if getattr(args, "json", False):
            _err_json(message, code, cause)
        else:
            _err(message)
        return code

    common._OPENED.clear()
    try:
        code = COMMANDS[args.command](args)
        common._say_unrecorded()
        return code
    except CliError as exc:
        return fail(str(exc), exc.code, exc.__cause__)
    except KeyboardInterrupt:
        return fail(_("Interrupted; nothing was written."), EXIT_FAILURE, None)
    except BrokenPipeError:  # output piped into head/less that closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        code = _exit_code_for(exc)
        message = _unexpected(exc) if code == EXIT_FAILURE else _describe(exc)
        return fail(message, code, None if code == EXIT_FAILURE else exc)
    finally:
        os.umask(umask)


if __name__ == "__main__":
    sys.exit(main())
