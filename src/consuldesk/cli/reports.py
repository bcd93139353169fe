"""Printed reports: ``sitrep`` and ``roster``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from consuldesk.cli.common import (
    _add_doc_lang,
    _day,
    _doc_language,
    _open,
    _print_written,
)


def add_parsers(add: Callable[..., argparse.ArgumentParser]) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    p = add("sitrep", help="print the situation report for headquarters (PDF)")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    _add_doc_lang(p)

    p = add("roster", help="print the hotel roster of one night (PDF)")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    p.add_argument(
        "--night", type=_day, help="the night (31.12.2026 or 2026-12-31; default tonight)"
    )
    _add_doc_lang(p)


def cmd_sitrep(args: argparse.Namespace) -> int:
    """Print the situation report."""
    from consuldesk.services.documents import print_sitrep

    lang = _doc_language(args)
    desk = _open(args)
    try:
        path = print_sitrep(desk, args.out, second_language=lang)
    finally:
        desk.close()
    return _print_written(args, path)


def cmd_roster(args: argparse.Namespace) -> int:
    """Print the hotel roster of a night."""
    from consuldesk.services.documents import print_hotel_roster

    lang = _doc_language(args)
    desk = _open(args)
    try:
        path = print_hotel_roster(desk, args.out, night=args.night, second_language=lang)
    finally:
        desk.close()
    return _print_written(args, path)


COMMANDS = {
    "sitrep": cmd_sitrep,
    "roster": cmd_roster,
}
