"""Printed reports: ``sitrep`` and ``roster``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    CliError,
    _add_doc_lang,
    _add_replace,
    _day,
    _doc_language,
    _open,
    _print_written,
    _refuse_overwrite,
)
from consuldesk.i18n import _


def add_parsers(add: Callable[..., argparse.ArgumentParser]) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    p = add("sitrep", help="print the situation report for headquarters (PDF)")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    _add_replace(p)
    _add_doc_lang(p)

    p = add("roster", help="print the hotel roster of one night (PDF)")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    p.add_argument(
        "--night", type=_day, help="the night (31.12.2026 or 2026-12-31; default tonight)"
    )
    p.add_argument(
        "--hotel",
        action="append",
        metavar="HOTEL",
        help="only this hotel's guests (its name or id; repeat for several; default: all)",
    )
    _add_replace(p)
    _add_doc_lang(p)


def _pdf_out(path: Path, args: argparse.Namespace) -> Path:
    """``--out`` of a printed report: a PDF, never a file of another kind written over (the
    list the people came from, as ``--out list.csv``), nor a PDF that is there already unless
    ``--replace`` (yesterday's report is kept; ``recovery.pdf`` holds the recovery key)."""
    if path.suffix.lower() != ".pdf":
        raise CliError(
            _("--out {path}: a report is a PDF, and its name ends in .pdf").format(path=path),
            EXIT_BAD_INPUT,
        )
    _refuse_overwrite(path, args)
    return path


def cmd_sitrep(args: argparse.Namespace) -> int:
    """Print the situation report."""
    from consuldesk.services.documents import print_sitrep

    _pdf_out(args.out, args)
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

    _pdf_out(args.out, args)
    lang = _doc_language(args)
    desk = _open(args)
    try:
        from consuldesk.cli.hotels import _find_hotel

        hotel_ids = [_find_hotel(desk, text).id for text in args.hotel] if args.hotel else None
        path = print_hotel_roster(
            desk, args.out, night=args.night, second_language=lang, hotel_ids=hotel_ids
        )
    finally:
        desk.close()
    return _print_written(args, path)


COMMANDS = {
    "sitrep": cmd_sitrep,
    "roster": cmd_roster,
}
