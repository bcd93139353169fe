"""``consuldesk-cli``: the headless entry point over the same services as the window.

Exit codes: 0 done; 1 unexpected failure; 2 wrong command line; 3 bad input (an invalid value,
an unknown or ambiguous id, a list with rows not imported, a file that cannot be read or written);
4 the case file cannot be used (missing, locked, read-only, made by a newer version).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from consuldesk import __version__
from consuldesk.i18n import _, install, ngettext
from consuldesk.messages import describe

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_CASEFILE = 0, 1, 2, 3, 4
CASE_FILE_ENV = "CONSULDESK_CASE_FILE"
OFFICER_ENV = "CONSULDESK_OFFICER"

EPILOG = """\
examples:
  consuldesk-cli demo                         a demo case file with 3,000 nationals
  consuldesk-cli init --post AE-ABU --name "Embassy in Abu Dhabi" --country AE
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

The case file is chosen by --case-file, else $CONSULDESK_CASE_FILE, else the most recently used
case file in the data folder (--data-dir, $CONSULDESK_DATA_DIR, or the system's app data folder).
"""


class CliError(Exception):
    """A message for the user and the exit code that goes with it."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


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
    add = sub.add_parser

    def add_parser(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return add(name, parents=[common], **kwargs)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("init", help="create an empty case file for a post")
    p.add_argument("--post", required=True, help="post code, e.g. AE-ABU")
    p.add_argument("--name", required=True, help="post name, e.g. 'Embassy in Abu Dhabi'")
    p.add_argument("--country", help="host country (code or name)")
    p.add_argument("--hq", action="store_true", help="this case file is headquarters'")

    p = sub.add_parser("demo", help="create a case file filled with realistic demo data")
    p.add_argument("--count", type=int, default=3000, help="number of nationals (default 3000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    p.add_argument("--post", default="DEMO", help="post code of the demo case file")

    p = sub.add_parser("info", help="which case file, its post and what it holds")

    p = sub.add_parser(
        "import",
        help="import a registration list (CSV or XLSX)",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument(
        "--review-file",
        "--errors",
        dest="review_file",
        type=Path,
        help="where to write the rows to review (default: LIST.review.csv beside the list)",
    )
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="what a column holds (repeatable); FIELD 'ignore' leaves it out",
    )
    p.add_argument(
        "--encoding", help="read a text list in this encoding (koi8-r, cp866, utf-16-le...)"
    )
    p.add_argument(
        "--tour-operator", action="store_true", help="the list comes from a tour operator"
    )

    p = sub.add_parser("export", help="export nationals to CSV or XLSX")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--lang",
        dest="export_lang",
        choices=["en", "ru", "kk"],
        default="en",
        help="column headers' language",
    )

    p = sub.add_parser("search", help="find nationals by name, IIN, passport or phone")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=_positive, default=20, help="most rows to show (default 20)")

    p = sub.add_parser("stats", help="counts by country, city, status, vulnerability, requests")
    p.add_argument("--on", type=_day, help="the day to count (31.12.2026 or 2026-12-31); today")

    sub.add_parser("duplicates", help="list pairs flagged as probably one person")

    p = sub.add_parser(
        "review", help="people with values set aside for review when a list was imported"
    )
    p.add_argument("--limit", type=_positive, default=200, help="most people to show (default 200)")

    _add_evac_parsers(sub.add_parser, common)

    p = sub.add_parser("sitrep", help="print the situation report for headquarters (PDF)")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    _add_doc_lang(p)

    p = sub.add_parser("roster", help="print the hotel roster of one night (PDF)")
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    p.add_argument(
        "--night", type=_day, help="the night (31.12.2026 or 2026-12-31; default tonight)"
    )
    _add_doc_lang(p)
    return parser


IMPORT_EPILOG = """\
columns:
  Each column is read by its header (docs/IMPORT-COLUMNS.md lists them). Say otherwise with
  --column "HEADER=FIELD": HEADER as written in the list ("Фамилия"), with #2 for the second of
  two columns of that name ("ИИН#2"), or a column letter ("C"); FIELD is one of
    surname given_names patronymic (either script: each value goes by its letters)
    surname_cyr given_names_cyr surname_lat given_names_lat full_name full_name_lat
    iin passport_no passport_expiry birth_date sex phones email messenger nationality
    host_country city address presence_status medical_condition mobility_needs pregnant
    notes household relation group tour_operator record_id
  or "ignore". The choice is remembered for lists with the same headers.

nobody is lost:
  A doubtful value (an IIN failing its check digit, an impossible date, a wrong phone) is set
  aside on the person, who is imported and marked "needs review". Only a row naming no one,
  or giving another person's passport or IIN, is not imported. Both kinds go to the review
  file with the person's ConsulDesk ID: correct them there and import that file.
"""


EVAC_EPILOG = """\
examples:
  consuldesk-cli evac new-operation "Дубай — Маскат" --route "Dubai → Hatta → Muscat" --country AE
  consuldesk-cli evac add-trip 01a2b3c4 --leg 1 --from Dubai --to Muscat --capacity 49 \\
      --departure "2026-03-12 06:00" --vehicle "Dubai P 48213"
  consuldesk-cli evac add-candidates 01a2b3c4 --leg 1 --status in_hotel,in_country
  consuldesk-cli evac allocate 01a2b3c4 --leg 1 --explain
  consuldesk-cli evac manifest 01a2f7d0 --out bus1.pdf --lang kk

OPERATION and TRIP are ids as 'evac list' shows them: the whole id or its first 6 or more
characters, as long as no other operation or trip starts with them.
"""


def _add_evac_parsers(add: Any, common: argparse.ArgumentParser) -> None:
    """``evac`` and its actions."""
    from consuldesk.domain.allocation import CLASS_FLAGS, Policy
    from consuldesk.domain.enums import PresenceStatus, TripMode

    p = add(
        "evac",
        help="evacuation: operations, trips, candidates, seats, manifests",
        description="Evacuation operations: plan trips, fill the pool, allocate seats, print.",
        epilog=EVAC_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="evac_command", required=True, metavar="ACTION")

    def action(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], **kwargs)

    operation_help = "operation id, or its first 6+ characters (see 'evac list')"
    trip_help = "trip id, or its first 6+ characters (see 'evac list')"

    action("list", help="operations with their legs, trips, seats and people waiting")

    p = action("new-operation", help="start an evacuation operation; prints its id")
    p.add_argument("name", help="e.g. 'Дубай — Маскат'")
    p.add_argument("--route", help="e.g. 'Dubai → Hatta → Muscat'")
    p.add_argument("--country", help="host country (code or name)")
    p.add_argument(
        "--priority",
        help="priority classes, most urgent first, separated by commas: "
        + ", ".join(CLASS_FLAGS)
        + " (default: "
        + ",".join(Policy().priority)
        + ")",
    )
    p.add_argument(
        "--allow-split",
        action="store_true",
        help="a group that fits no single vehicle may be spread over several",
    )

    p = action("add-trip", help="add a vehicle to a leg of an operation; prints its id")
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--from", dest="origin", required=True, metavar="PLACE", help="where the trip starts"
    )
    p.add_argument(
        "--to", dest="destination", required=True, metavar="PLACE", help="where the trip goes"
    )
    p.add_argument(
        "--capacity", type=int, required=True, metavar="SEATS", help="seats for passengers"
    )
    p.add_argument(
        "--mode", choices=[m.value for m in TripMode], default="bus", help="default: bus"
    )
    p.add_argument("--border", help="border crossing, e.g. 'Hatta / Al Wajajah'")
    p.add_argument(
        "--departure",
        type=_when,
        metavar="WHEN",
        help="local time of this computer, e.g. '2026-03-12 06:00' or '12.03.2026 06:00'",
    )
    p.add_argument("--vehicle", help="plate or flight number")
    p.add_argument("--carrier", help="bus company or airline")
    p.add_argument("--escort", help="the officer who travels with it")

    p = action("add-candidates", help="bring people into a leg's pool of people waiting")
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--country", help="host country (code or name; default: the operation's country)"
    )
    p.add_argument("--city", help="only people in this city")
    p.add_argument(
        "--status",
        help="only people in these states, separated by commas: "
        + ", ".join(s.value for s in PresenceStatus),
    )
    p.add_argument(
        "--all-nationals",
        action="store_true",
        help="everyone who matches, not only people with an open evacuation request",
    )
    p.add_argument(
        "--from-previous-leg",
        action="store_true",
        help="the people seated or boarded on the leg before (ignores the other conditions)",
    )

    p = action("allocate", help="share the free seats of a leg among the people waiting")
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="first put everyone seated but not boarded back in the pool",
    )
    p.add_argument(
        "--explain", action="store_true", help="list everyone: seat or place in line, and why"
    )

    p = action("manifest", help="print a trip's passenger manifest (PDF, or CSV)")
    p.add_argument("trip", metavar="TRIP", help=trip_help)
    p.add_argument("--out", type=Path, required=True, help="the file to write")
    p.add_argument("--csv", action="store_true", help="write CSV for carriers and border posts")
    _add_doc_lang(p)

    p = action("slips", help="print a trip's boarding slips (PDF)")
    p.add_argument("trip", metavar="TRIP", help=trip_help)
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    _add_doc_lang(p)


def _add_doc_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        dest="doc_lang",
        choices=["kk", "ru"],
        help="language printed beside English (default: the --lang of messages if kk or ru, "
        "else ru)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    install(args.lang)
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        _err(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _err(_("Interrupted; nothing was written."))
        return EXIT_FAILURE
    except BrokenPipeError:  # output piped into head/less that closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        code = _exit_code_for(exc)
        if code == EXIT_FAILURE:
            _err(_unexpected(exc))
        else:
            _err(_describe(exc))
        return code


def _unexpected(exc: BaseException) -> str:
    """One line for a failure ConsulDesk did not foresee; the traceback goes to the log."""
    import traceback

    from consuldesk.store.paths import log_dir

    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    try:
        log = log_dir() / "consuldesk-cli.log"
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} {sys.argv[1:]}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return _("Unexpected error: {detail}").format(detail=detail)
    return _("Unexpected error: {detail} (details in {log})").format(detail=detail, log=log)


def _describe(exc: BaseException) -> str:
    from consuldesk.store.errors import NotFound

    if isinstance(exc, NotFound):  # deleted meanwhile (another window, a sync)
        what = _(NOT_FOUND_LABELS.get(exc.table, exc.table))
        return _("There is no {what} with the id {id} (deleted?)").format(
            what=what, id=exc.record_id
        )
    return describe(exc)


def _exit_code_for(exc: BaseException) -> int:
    from consuldesk.domain.errors import DomainError
    from consuldesk.services.errors import ServiceError
    from consuldesk.store.errors import CaseFileError, NotFound

    if isinstance(exc, CaseFileError):
        return EXIT_CASEFILE
    if isinstance(exc, (DomainError, ServiceError, NotFound)):
        return EXIT_BAD_INPUT
    try:
        from consuldesk.services.lists import ListError
    except ImportError:  # pragma: no cover
        return EXIT_FAILURE
    if isinstance(exc, ListError):
        return EXIT_BAD_INPUT
    return EXIT_FAILURE


# -- helpers -------------------------------------------------------------------------------

STATUS_LABELS = {
    "in_country": "in country",
    "in_transit": "in transit",
    "in_hotel": "in hotel",
    "evacuated": "evacuated",
    "left_on_own": "left on own",
    "unknown": "unknown",
}
NEED_LABELS = {
    "medical": "medical",
    "mobility": "mobility",
    "pregnant": "pregnant",
    "over_60": "60+",
    "woman_with_minors": "with children",
    "minor": "minor",
}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _day(text: str) -> date:
    from consuldesk.domain.dates import parse_date
    from consuldesk.domain.errors import ValidationError

    try:
        day = parse_date(text, "on")
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(describe(exc)) from None
    if day is None:
        raise argparse.ArgumentTypeError("a date is needed")
    return day


# Evacuation: words for codes, shown in tables.
MODE_LABELS = {
    "bus": "bus",
    "flight": "flight",
    "train": "train",
    "ferry": "ferry",
    "other": "other",
}
OPERATION_STATUS_LABELS = {
    "planned": "planned",
    "under_way": "under way",
    "completed": "completed",
    "cancelled": "cancelled",
}
#: Records a command asked for by id that vanished meanwhile (store.errors.NotFound.table).
NOT_FOUND_LABELS = {
    "evacuation_operation": "evacuation operation",
    "trip": "trip",
    "manifest_entry": "passenger entry",
    "national": "national",
}
#: Shortest id prefix accepted for OPERATION and TRIP, and shortest shown by 'evac list'.
MIN_ID_PREFIX, SHOWN_ID_PREFIX = 6, 8


def _when(text: str) -> datetime:
    """A date and time in this computer's local time (or with an explicit offset), as UTC."""
    cleaned = " ".join(text.split())
    if ":" in cleaned:
        for fmt in (None, "%d.%m.%Y %H:%M"):
            try:
                value = (
                    datetime.fromisoformat(cleaned)
                    if fmt is None
                    else datetime.strptime(cleaned, fmt)
                )
            except ValueError:
                continue
            return value.astimezone(UTC)  # a naive value is taken as local time
    raise argparse.ArgumentTypeError(
        _("“{value}” is not a date and time (use 2026-03-12 06:00 or 12.03.2026 06:00)").format(
            value=text
        )
    )


def _default_officer() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "officer"


def _err(message: str) -> None:
    print(f"consuldesk-cli: {message}", file=sys.stderr)


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _refuse_existing(path: Path, hint: str) -> None:
    if path.exists() and path.stat().st_size > 0:
        raise CliError(
            _("A case file already exists at {path}: {hint}.").format(path=path, hint=hint),
            EXIT_BAD_INPUT,
        )


def _print_json(value: Any) -> None:
    print(json.dumps(_jsonable(value), ensure_ascii=False, indent=2))


def _casefile_path(args: argparse.Namespace, *, writes: bool = False) -> Path:
    """The case file to use. With several in the data folder and none named, commands that
    write refuse (a real list must never land in the demo file); others use the most recent
    one and say so on stderr."""
    from consuldesk.store.paths import list_casefiles

    if args.case_file:
        return Path(args.case_file)
    if env := os.environ.get(CASE_FILE_ENV):
        return Path(env)
    found = list_casefiles(args.data_dir)
    if not found:
        raise CliError(
            _("No case file yet. Create one with 'consuldesk-cli init' or 'consuldesk-cli demo'."),
            EXIT_CASEFILE,
        )
    if len(found) > 1:
        listing = "\n".join(f"  {p}" for p in found)
        if writes:
            raise CliError(
                _(
                    "There are several case files; say which one with --case-file "
                    "(or $CONSULDESK_CASE_FILE):\n{files}"
                ).format(files=listing),
                EXIT_USAGE,
            )
        _err(
            _("using {path} (the most recent of {n}; choose with --case-file)").format(
                path=found[0], n=len(found)
            )
        )
    return found[0]


def _open(args: argparse.Namespace, *, writes: bool = False) -> Any:
    from consuldesk.services.casefile import open_casefile

    return open_casefile(_casefile_path(args, writes=writes), args.officer)


# -- commands ------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    """Create an empty case file."""
    from consuldesk.services.casefile import create_casefile, normalise_post_code
    from consuldesk.store.paths import casefile_path

    code = normalise_post_code(args.post)
    path = args.case_file or casefile_path(code, args.data_dir)
    _refuse_existing(Path(path), _("use it with --case-file, or choose another --post"))
    desk = create_casefile(
        Path(path),
        post_code=code,
        post_name=args.name,
        host_country=args.country,
        officer=args.officer,
        headquarters=args.hq,
    )
    desk.close()
    if args.json:
        _print_json({"case_file": path, "post": code})
    else:
        print(_("Created case file {path} for post {code}.").format(path=path, code=code))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Create and fill a demo case file."""
    from consuldesk.services.casefile import create_casefile, normalise_post_code
    from consuldesk.services.demo import seed_demo
    from consuldesk.store.paths import casefile_path

    code = normalise_post_code(args.post)
    path = Path(args.case_file or casefile_path(code, args.data_dir))
    _refuse_existing(path, _("open it with --case-file, or make another demo with --post DEMO2"))
    desk = create_casefile(
        path, post_code=code, post_name="Demo embassy", host_country="AE", officer=args.officer
    )
    try:
        summary = seed_demo(desk, count=args.count, seed=args.seed)
    except BaseException:
        desk.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    desk.close()
    if args.json:
        _print_json({"case_file": path, "summary": summary})
    else:
        print(_("Created demo case file {path}.").format(path=path))
        for key, value in _jsonable(summary).items():
            print(f"  {key}: {value}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    """Describe the case file in use."""
    from consuldesk.services.stats import situation
    from consuldesk.store.migrate import inspect_revision

    desk = _open(args)
    try:
        post = desk.casefile.local_post()
        revision = inspect_revision(desk.casefile.engine).current
        counts = situation(desk)
        info = {
            "case_file": desk.path,
            "post": {"code": post.code, "name": post.name, "host_country": post.host_country},
            "schema": revision,
            "nationals": counts.nationals,
        }
    finally:
        desk.close()
    if args.json:
        _print_json(info)
    else:
        print(_("Case file: {path}").format(path=info["case_file"]))
        print(
            _("Post: {code} — {name} ({country})").format(
                code=post.code, name=post.name, country=post.host_country or "—"
            )
        )
        print(_("Schema: {rev}").format(rev=revision))
        print(_("Nationals: {n}").format(n=info["nationals"]))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Import a registration list."""
    from consuldesk.domain.enums import Source
    from consuldesk.services.lists import ListError, import_list

    columns = _column_choices(args.column) if args.column else None
    desk = _open(args, writes=not args.dry_run)
    post = desk.casefile.local_post()
    if not args.json:
        print(
            _("Case file: {path} — post {code}, {name}").format(
                path=desk.path, code=post.code, name=post.name
            )
        )
    try:
        report = import_list(
            desk,
            args.file,
            dry_run=args.dry_run,
            review_file=args.review_file,
            columns=columns,
            encoding=args.encoding,
            source=Source.TOUR_OPERATOR if args.tour_operator else Source.LIST_IMPORT,
        )
    except ListError as exc:
        raise CliError(_import_hint(exc), EXIT_BAD_INPUT) from exc
    finally:
        desk.close()
    if args.json:
        data = _jsonable(report)
        data.pop("changes", None)
        _print_json(data)
    else:
        _print_import(report)
    return EXIT_BAD_INPUT if report.invalid else EXIT_OK


def _column_choices(specs: list[str]) -> dict[str, str | None]:
    """``--column`` values as the service takes them (it names a wrong header or field)."""
    chosen: dict[str, str | None] = {}
    for spec in specs:
        header, sep, target = spec.rpartition("=")
        if not sep or not header.strip():
            raise CliError(
                _("--column takes HEADER=FIELD, got “{spec}”").format(spec=spec), EXIT_USAGE
            )
        chosen[header.strip()] = target.strip()
    return chosen


def _import_hint(exc: Exception) -> str:
    """The message of a list refused whole, with what to type to get past it."""
    message = _describe(exc)
    code = getattr(exc, "code", "")
    params = getattr(exc, "params", {})
    if code == "list.duplicate_column":
        header = params["headers"][1]
        spec = f"{header}#2" if params["headers"][0] == header else header
        message += " " + _('(for example --column "{spec}=ignore")').format(spec=spec)
    elif code == "list.encoding" and params.get("codec"):
        message += " " + _("(for example --encoding {codec})").format(codec=params["codec"])
    return message


def _print_import(report: Any) -> None:
    from consuldesk.messages import column_note, field_label

    print(_("Columns:"))
    origins = {"chosen": _("chosen"), "remembered": _("chosen earlier for this layout")}
    for col in report.mapping:
        target = field_label(col.field) if col.field else _("ignored")
        explained = column_note(col.field, col.note)
        note = f"  ({explained})" if explained else ""
        if col.origin in origins:
            note += f"  [{origins[col.origin]}]"
        print(f"  {col.header!s:<32} → {target}{note}")
    print(
        _("Encoding: {enc}; delimiter: {delim}").format(
            enc=report.encoding or "xlsx", delim=repr(report.delimiter) if report.delimiter else "—"
        )
    )
    title = _("Dry run — nothing was written.") if report.dry_run else _("Imported.")
    print(title)
    print(
        _(
            "  rows: {n}, new: {c}, updated: {u}, unchanged: {s}, not imported: {i}, "
            "to review: {r}, probable duplicates flagged: {d}"
        ).format(
            n=report.total_rows,
            c=report.created,
            u=report.updated,
            s=report.unchanged,
            i=report.invalid,
            r=report.needs_review,
            d=report.flagged_duplicates,
        )
    )
    if report.families_created or report.members_added:
        print(
            _("  families created: {f}, tour groups created: {g}, memberships added: {m}").format(
                f=report.families_created, g=report.groups_created, m=report.members_added
            )
        )
    sections = (
        (report.errors, _("Not imported:")),
        ([w for w in report.warnings if w.kind == "set_aside"], _("Set aside for review:")),
        ([w for w in report.warnings if w.kind == "note"], _("Notes:")),
    )
    for problems, heading in sections:
        if not problems:
            continue
        print(heading)
        for problem in problems[:50]:
            print(_("  line {line}: {message}").format(line=problem.line, message=problem.message))
        if len(problems) > 50:
            print(_("  … and {n} more").format(n=len(problems) - 50))
    if report.review_file:
        print(
            _(
                "The rows to look at were written to {path}: correct them there and import "
                "that file."
            ).format(path=report.review_file)
        )


def cmd_export(args: argparse.Namespace) -> int:
    """Export nationals."""
    from consuldesk.services.lists import export_list

    desk = _open(args)
    try:
        count = export_list(desk, args.file, lang=args.export_lang)
    finally:
        desk.close()
    if args.json:
        _print_json({"file": args.file, "rows": count})
    else:
        print(_("Exported {n} nationals to {path}.").format(n=count, path=args.file))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """Search nationals."""
    from consuldesk.domain.enums import Vulnerability
    from consuldesk.domain.phone import format_phone
    from consuldesk.services.nationals import search

    query = " ".join(args.query).strip()
    if not query:
        raise CliError(
            _("Give a name, IIN, passport number or phone to search for."), EXIT_BAD_INPUT
        )
    desk = _open(args)
    try:
        result = search(desk, query, limit=args.limit)
        today = desk.today()
    finally:
        desk.close()
    if args.json:
        _print_json({"rows": result.rows, "more": result.more})
        return EXIT_OK
    if not result.rows:
        print(_("Nobody found."))
        return EXIT_OK
    table = [
        [
            _("Name"),
            _("Passport name"),
            _("Born"),
            _("Age"),
            _("IIN"),
            _("Passport"),
            _("Phone"),
            _("Where"),
            _("Status"),
            _("Needs"),
        ],
    ]
    for row in result.rows:
        age = row.age(today)
        table.append(
            [
                row.name,
                row.name_lat,
                row.birth_date.strftime("%d.%m.%Y") if row.birth_date else "",
                "" if age is None else str(age),
                row.iin or "",
                row.passport_no or "",
                format_phone(row.phones[0]) if row.phones else "",
                ", ".join(p for p in (row.city, row.host_country) if p),
                _(STATUS_LABELS.get(row.presence_status, row.presence_status)),
                ", ".join(_(NEED_LABELS[v]) for v in Vulnerability if v in row.vulnerabilities),
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    if result.more:
        print(_("… more found; refine the search or raise --limit."))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Counts for headquarters."""
    from consuldesk.services.stats import situation

    desk = _open(args)
    try:
        result = situation(desk, args.on)
    finally:
        desk.close()
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    _print_situation(result)
    return EXIT_OK


def _print_situation(s: Any) -> None:
    from consuldesk.domain.countries import country_name
    from consuldesk.i18n import language

    def section(title: str, counts: dict[str, int], label: Any = str) -> None:
        print(title)
        for key, value in counts.items():
            if value:
                print(f"  {label(key):<30} {value:>7}")

    print(_("Situation on {day}").format(day=s.on.strftime("%d.%m.%Y")))
    print(
        _("Nationals: {n}   vulnerable: {v}   evacuated: {e}").format(
            n=s.nationals, v=s.vulnerable, e=s.evacuated
        )
    )
    countries = {country_name(c, language()): n for c, n in s.by_country.items()}
    section(_("By country"), {**countries, _("no country"): s.country_unknown})
    section(_("By city"), {**s.by_city, _("other"): s.city_other, _("no city"): s.city_unknown})
    section(_("By status"), s.by_presence, lambda k: _(STATUS_LABELS.get(k) or k))
    section(_("Vulnerability"), s.by_vulnerability, lambda k: _(NEED_LABELS.get(k) or k))
    print(_("Open requests: {n} (overdue {o})").format(n=s.open_requests, o=s.overdue_requests))
    section(_("  by kind"), s.open_by_kind)
    print(
        _("Hotels: {h}, beds {b}, occupied tonight {o}, nationals placed {p}").format(
            h=s.hotels, b=s.hotel_beds, o=s.hotel_occupied, p=s.placed_tonight
        )
    )
    if s.needs_review:
        print(
            _("Needs review: {n} (values set aside by list imports; consuldesk-cli review)").format(
                n=s.needs_review
            )
        )


def cmd_review(args: argparse.Namespace) -> int:
    """People with values set aside for review, and what was set aside."""
    from consuldesk.messages import describe_code, field_label
    from consuldesk.services.nationals import NationalFilter, find_nationals

    desk = _open(args)
    try:
        page = find_nationals(desk, NationalFilter(needs_review=True), limit=args.limit)
    finally:
        desk.close()
    if args.json:
        _print_json({"total": page.total, "rows": page.rows})
        return EXIT_OK
    if not page.total:
        print(_("Nobody needs review."))
        return EXIT_OK
    print(
        ngettext(
            "{n} person needs review (shown: {shown}).",
            "{n} people need review (shown: {shown}).",
            page.total,
        ).format(n=page.total, shown=len(page.rows))
    )
    for row in page.rows:
        print(f"{row.name or row.name_lat}  {row.id}")
        for item in row.review:
            where = f"{item.source}:{item.line}" if item.source and item.line else item.source or ""
            message = describe_code(item.code, item.field, **{"value": item.value, **item.params})
            print(
                _("  {field} “{value}”: {message} ({where})").format(
                    field=field_label(item.field), value=item.value, message=message, where=where
                )
            )
    return EXIT_OK


def cmd_duplicates(args: argparse.Namespace) -> int:
    """Pairs flagged as probably one person."""
    from consuldesk.services.nationals import list_duplicates

    desk = _open(args)
    try:
        pairs = list_duplicates(desk)
    finally:
        desk.close()
    if args.json:
        _print_json(pairs)
        return EXIT_OK
    if not pairs:
        print(_("No probable duplicates to review."))
    for pair in pairs:
        print(
            f"{pair.score:5.1f}  {pair.a.name} ({pair.a.birth_date})  ↔  "
            f"{pair.b.name} ({pair.b.birth_date})"
        )
    return EXIT_OK


# -- evacuation ----------------------------------------------------------------------------


def _id_key(text: str) -> str:
    return text.strip().lower().replace("-", "")


def _short_ids(ids: Iterable[str], minimum: int = SHOWN_ID_PREFIX) -> dict[str, str]:
    """Each id cut to one common length, the shortest (from ``minimum``) that tells them apart.

    Ids are time-ordered (UUIDv7), so records made in the same minute share their first eight
    characters, and those made in one go (the demo) share twelve.
    """
    unique = sorted(set(ids))
    longest = max((len(i) for i in unique), default=0)
    n = minimum
    while n < longest and len({i[:n] for i in unique}) < len(unique):
        n += 1
    return {i: i[: n + 1] if i[n - 1 : n] == "-" else i[:n] for i in unique}


def _pick_id(text: str, labels: dict[str, str], kind: str) -> str:
    """The one id among ``labels`` (id → what it is) that ``text`` names: the whole id or a
    prefix of six or more characters (dashes optional), like git."""
    key = _id_key(text)
    if len(key) < MIN_ID_PREFIX:
        raise CliError(
            _(
                "“{prefix}” is too short: give at least 6 characters of the id "
                "(see 'consuldesk-cli evac list')"
            ).format(prefix=text),
            EXIT_BAD_INPUT,
        )
    found = [i for i in labels if _id_key(i) == key] or [
        i for i in labels if _id_key(i).startswith(key)
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        if kind == "trip":
            message = _(
                "No trip has an id starting with “{prefix}” (see 'consuldesk-cli evac list')"
            )
        else:
            message = _(
                "No evacuation operation has an id starting with “{prefix}” "
                "(see 'consuldesk-cli evac list')"
            )
        raise CliError(message.format(prefix=text), EXIT_BAD_INPUT)
    short = _short_ids(found, len(text.strip()) + 1)
    shown = [f"{short[i]} ({labels[i]})" for i in sorted(found)[:5]]
    if len(found) > 5:
        shown.append("…")
    if kind == "trip":
        message = ngettext(
            "“{prefix}” matches {n} trip: {matches}; give more characters",
            "“{prefix}” matches {n} trips: {matches}; give more characters",
            len(found),
        )
    else:
        message = ngettext(
            "“{prefix}” matches {n} operation: {matches}; give more characters",
            "“{prefix}” matches {n} operations: {matches}; give more characters",
            len(found),
        )
    raise CliError(
        message.format(prefix=text, n=len(found), matches=", ".join(shown)), EXIT_BAD_INPUT
    )


def _find_operation(desk: Any, text: str) -> Any:
    """The live operation (an ``OperationRow``) that ``text`` names."""
    from consuldesk.services.evacuation import list_operations

    ops = {o.id: o for o in list_operations(desk)}
    return ops[_pick_id(text, {i: o.name for i, o in ops.items()}, "operation")]


def _find_trip(desk: Any, text: str) -> Any:
    """The live trip (a ``TripRow``) that ``text`` names."""
    from consuldesk.services.evacuation import list_operations

    trips = {t.id: (t, o) for o in list_operations(desk) for t in o.trips}
    labels = {i: f"{t.label}, {o.name}" for i, (t, o) in trips.items()}
    return trips[_pick_id(text, labels, "trip")][0]


@contextmanager
def _blame(options: dict[str, str], hint: str = "") -> Iterator[None]:
    """Errors about a field the command line set name its option: ``--capacity: …``."""
    from consuldesk.domain.errors import ValidationError
    from consuldesk.services.errors import ServiceError

    try:
        yield
    except (ServiceError, ValidationError) as exc:
        option = options.get(exc.field or "")
        if option is None:
            raise
        raise CliError(f"{option}: {describe(exc)}{hint}", EXIT_BAD_INPUT) from exc


def _comma_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _local(when: datetime | None) -> str:
    return when.astimezone().strftime("%d.%m.%Y %H:%M") if when else "—"


def _doc_language(args: argparse.Namespace) -> Literal["kk", "ru"]:
    """The language printed beside English: --lang of the command, else of messages, else ru."""
    for lang in (args.doc_lang, args.lang):
        if lang == "kk" or lang == "ru":
            return lang
    return "ru"


def _trip_json(t: Any) -> dict[str, Any]:
    return {**_jsonable(t), "seated": t.seated, "free": t.free}


def _operation_json(o: Any) -> dict[str, Any]:
    data = _jsonable(o)
    data["legs"] = [
        {
            "leg_no": leg.leg_no,
            "origin": leg.origin,
            "destination": leg.destination,
            "capacity": leg.capacity,
            "waiting": leg.waitlisted,
            "trips": [_trip_json(t) for t in leg.trips],
        }
        for leg in o.legs
    ]
    return data


def cmd_evac(args: argparse.Namespace) -> int:
    """Evacuation actions."""
    return EVAC_COMMANDS[args.evac_command](args)


def cmd_evac_list(args: argparse.Namespace) -> int:
    """Operations with their legs and trips."""
    from consuldesk.messages import STATUS_WORD_LABELS
    from consuldesk.services.evacuation import list_operations

    desk = _open(args)
    try:
        ops = list_operations(desk)
    finally:
        desk.close()
    if args.json:
        _print_json([_operation_json(o) for o in ops])
        return EXIT_OK
    if not ops:
        print(
            _("No evacuation operations yet; start one with 'consuldesk-cli evac new-operation'.")
        )
        return EXIT_OK
    short = _short_ids([o.id for o in ops] + [t.id for o in ops for t in o.trips])
    cells = {
        t.id: [
            short[t.id],
            t.label,
            _(MODE_LABELS.get(t.mode, t.mode)),
            _local(t.departure_at),
            _("seated {seated}/{capacity}").format(seated=t.seated, capacity=t.capacity),
            _("boarded {n}").format(n=t.boarded),
            _(STATUS_WORD_LABELS.get(t.status, t.status)),
        ]
        for o in ops
        for t in o.trips
    }
    widths = [max((len(c[i]) for c in cells.values()), default=0) for i in range(7)]
    for n, o in enumerate(ops):
        if n:
            print()
        details = ", ".join(
            p for p in (o.host_country, _(OPERATION_STATUS_LABELS.get(o.status, o.status))) if p
        )
        print(f"{short[o.id]}  {o.name} ({details})")
        if o.route:
            print(f"  {o.route}")
        if not o.legs:
            print("  " + _("no trips yet; add one with 'consuldesk-cli evac add-trip'"))
        for leg in o.legs:
            if leg.trips:
                head = _("Leg {n}: {origin} → {destination}; waiting: {waiting}").format(
                    n=leg.leg_no,
                    origin=leg.origin,
                    destination=leg.destination,
                    waiting=leg.waitlisted,
                )
            else:
                head = _("Leg {n}: no vehicles yet; waiting: {waiting}").format(
                    n=leg.leg_no, waiting=leg.waitlisted
                )
            print(f"  {head}")
            for t in leg.trips:
                line = "  ".join(c.ljust(w) for c, w in zip(cells[t.id], widths, strict=True))
                print(f"    {line.rstrip()}")
    return EXIT_OK


def cmd_evac_new_operation(args: argparse.Namespace) -> int:
    """Start an operation."""
    from consuldesk.domain.allocation import CLASS_FLAGS
    from consuldesk.domain.countries import country_code
    from consuldesk.services.evacuation import OperationFields, add_operation

    with _blame({"country": "--country"}):
        country = country_code(args.country) if args.country else None
    priority = _comma_list(args.priority)
    fields = OperationFields(
        name=args.name, route=args.route, host_country=country, allow_split_groups=args.allow_split
    )
    if priority:
        fields = replace(fields, priority=priority)
    desk = _open(args, writes=True)
    try:
        hint = "; " + _("the classes are: {names}").format(names=", ".join(CLASS_FLAGS))
        with _blame({"name": "NAME", "priority": "--priority"}, hint if priority else ""):
            row = add_operation(desk, fields).row
    finally:
        desk.close()
    if args.json:
        _print_json(_operation_json(row))
    else:
        print(row.id)
    return EXIT_OK


def cmd_evac_add_trip(args: argparse.Namespace) -> int:
    """Add a vehicle to a leg."""
    from consuldesk.domain.enums import TripMode
    from consuldesk.services.evacuation import TripFields, add_trip

    fields = TripFields(
        leg_no=args.leg,
        origin=args.origin,
        destination=args.destination,
        capacity=args.capacity,
        mode=TripMode(args.mode),
        border_crossing=args.border,
        departure_at=args.departure,
        vehicle=args.vehicle,
        carrier=args.carrier,
        escort_officer=args.escort,
    )
    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        options = {
            "origin": "--from",
            "destination": "--to",
            "capacity": "--capacity",
            "leg_no": "--leg",
        }
        with _blame(options):
            row = add_trip(desk, op.id, fields).row
    finally:
        desk.close()
    if args.json:
        _print_json(_trip_json(row))
    else:
        print(row.id)
    return EXIT_OK


def cmd_evac_add_candidates(args: argparse.Namespace) -> int:
    """Bring people into a leg's pool."""
    from consuldesk.domain.countries import country_code
    from consuldesk.domain.enums import PresenceStatus
    from consuldesk.messages import describe_code
    from consuldesk.services.evacuation import CandidateCriteria, add_to_pool, preview_candidates

    statuses = _comma_list(args.status)
    if args.from_previous_leg and (args.country or args.city or statuses or args.all_nationals):
        raise CliError(
            _(
                "--from-previous-leg takes the people seated on the leg before; it does not go "
                "with --country, --city, --status or --all-nationals"
            ),
            EXIT_USAGE,
        )
    known = [s.value for s in PresenceStatus]
    for status in statuses:
        if status not in known:
            raise CliError(
                "--status: "
                + describe_code("status.unknown", "status", value=status)
                + "; "
                + _("the states are: {names}").format(names=", ".join(known)),
                EXIT_BAD_INPUT,
            )
    with _blame({"country": "--country"}):
        country = country_code(args.country) if args.country else None
    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        criteria = CandidateCriteria(
            host_country=None if args.from_previous_leg else country or op.host_country,
            city=args.city,
            presence_statuses=statuses,
            open_evacuation_request=not args.all_nationals,
            from_previous_leg=args.from_previous_leg,
        )
        with _blame({"leg_no": "--leg"}):
            preview = preview_candidates(desk, op.id, args.leg, criteria)
            added = add_to_pool(desk, op.id, args.leg, criteria).row
            without_request = 0
            if not preview.matching and criteria.open_evacuation_request:
                # Worth a hint only if dropping the request condition would find someone.
                wider = replace(criteria, open_evacuation_request=False)
                without_request = preview_candidates(desk, op.id, args.leg, wider).new
    finally:
        desk.close()
    already = preview.already_on_leg
    if args.json:
        _print_json(
            {
                "operation": op.id,
                "leg": args.leg,
                "added": added,
                "already_on_leg": already,
                "host_country": criteria.host_country,
            }
        )
        return EXIT_OK
    print(
        ngettext(
            "{added} added ({already} already on the leg)",
            "{added} added ({already} already on the leg)",
            added,
        ).format(added=added, already=already)
    )
    if without_request and not args.from_previous_leg:
        print(
            ngettext(
                "{n} more person matches without an open evacuation request; "
                "--all-nationals takes them too.",
                "{n} more people match without an open evacuation request; "
                "--all-nationals takes them too.",
                without_request,
            ).format(n=without_request)
        )
    return EXIT_OK


def cmd_evac_allocate(args: argparse.Namespace) -> int:
    """Share out the seats of a leg."""
    from consuldesk.services.evacuation import (
        allocate_leg,
        get_operation,
        list_operations,
        passengers,
        pool,
    )

    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        with _blame({"leg_no": "--leg"}):
            summary = allocate_leg(desk, op.id, args.leg, fresh=args.fresh).row
        seated: list[tuple[Any, list[Any]]] = []
        waiting: list[Any] = []
        short: dict[str, str] = {}
        if args.explain:
            everything = list_operations(desk)
            short = _short_ids(
                [o.id for o in everything] + [t.id for o in everything for t in o.trips]
            )
            leg = get_operation(desk, op.id).leg(args.leg)
            for t in leg.trips if leg else ():
                on_trip = passengers(desk, t.id, include_history=False)
                if on_trip or t.is_open:
                    seated.append((t, on_trip))
            waiting = pool(desk, op.id, args.leg)
    finally:
        desk.close()
    if args.json:
        data: dict[str, Any] = {"operation": op.id, "leg": args.leg, **_jsonable(summary)}
        if args.explain:
            data["passengers"] = [_passenger_json(r, t) for t, rows in seated for r in rows] + [
                _passenger_json(r, None) for r in waiting
            ]
        _print_json(data)
        return EXIT_OK
    line = _(
        "Leg {leg} allocated — seated: {placed}, vehicles used: {trips}, waiting: {waiting}, "
        "to check before the border: {flagged}"
    ).format(
        leg=args.leg,
        placed=summary.placed,
        trips=summary.trips_used,
        waiting=summary.waitlisted,
        flagged=summary.flagged,
    )
    if args.fresh:
        line += "; " + _("put back in the pool first: {n}").format(n=summary.returned)
    print(line)
    if args.explain:
        _print_explanation(seated, waiting, short)
    return EXIT_OK


def _person_label(person: Any) -> str:
    lat, cyr = person.name_lat, person.name_cyr
    return f"{lat} ({cyr})" if lat and cyr else lat or cyr or person.name


def _problems_text(row: Any) -> str:
    from consuldesk.messages import PROBLEM_LABELS

    words = [_(PROBLEM_LABELS.get(p, p)) for p in row.problems]
    return f" [{', '.join(words)}]" if words else ""


def _passenger_json(row: Any, trip: Any) -> dict[str, Any]:
    from consuldesk.messages import explain_reason

    return {
        "entry_id": row.entry_id,
        "national_id": row.person.id,
        "name": row.person.name,
        "name_lat": row.person.name_lat,
        "trip_id": row.trip_id,
        "trip": trip.label if trip else None,
        "seat": row.seat,
        "position": row.position,
        "status": row.status,
        "priority_class": row.priority_class,
        "household": row.household_name,
        "reason_code": row.reason_code,
        "reason": explain_reason(row.reason_code, row.reason_params),
        "problems": list(row.problems),
    }


def _print_explanation(
    seated: list[tuple[Any, list[Any]]], waiting: list[Any], short: dict[str, str]
) -> None:
    from consuldesk.messages import explain_reason

    for t, rows in seated:
        print()
        print(
            f"{t.label}  {short.get(t.id, t.id)}  "
            + _("seated {seated}/{capacity}").format(seated=t.seated, capacity=t.capacity)
        )
        for r in rows:
            seat = r.seat or "—"
            reason = explain_reason(r.reason_code, r.reason_params)
            print(f"  {seat:>4}  {_person_label(r.person)}: {reason}{_problems_text(r)}")
    print()
    print(_("Waiting: {n}").format(n=len(waiting)))
    for n, r in enumerate(waiting, start=1):
        place = f"{r.position or n}."
        reason = explain_reason(r.reason_code, r.reason_params)
        print(f"  {place:>5} {_person_label(r.person)}: {reason}{_problems_text(r)}")


def cmd_evac_manifest(args: argparse.Namespace) -> int:
    """Print a trip's manifest."""
    from consuldesk.services.evacuation import export_manifest_csv, print_manifest

    wanted = ".csv" if args.csv else ".pdf"
    if args.out.suffix.lower() in (".csv", ".pdf") and args.out.suffix.lower() != wanted:
        raise CliError(
            _("--out {path}: a manifest written {how} ends in {suffix}").format(
                path=args.out, how="--csv" if args.csv else _("as PDF"), suffix=wanted
            ),
            EXIT_BAD_INPUT,
        )
    desk = _open(args)
    try:
        trip = _find_trip(desk, args.trip)
        if args.csv:
            path = export_manifest_csv(desk, trip.id, args.out)
        else:
            lang = _doc_language(args)
            path = print_manifest(desk, trip.id, args.out, second_language=lang)
    finally:
        desk.close()
    return _print_written(args, path, trip=trip.id)


def cmd_evac_slips(args: argparse.Namespace) -> int:
    """Print a trip's boarding slips."""
    from consuldesk.services.evacuation import print_boarding_slips

    lang = _doc_language(args)
    desk = _open(args)
    try:
        trip = _find_trip(desk, args.trip)
        path = print_boarding_slips(desk, trip.id, args.out, second_language=lang)
    finally:
        desk.close()
    return _print_written(args, path, trip=trip.id)


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


def _print_written(args: argparse.Namespace, path: Path, **extra: Any) -> int:
    if args.json:
        _print_json({"file": path, **extra})
    else:
        print(path)
    return EXIT_OK


EVAC_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_evac_list,
    "new-operation": cmd_evac_new_operation,
    "add-trip": cmd_evac_add_trip,
    "add-candidates": cmd_evac_add_candidates,
    "allocate": cmd_evac_allocate,
    "manifest": cmd_evac_manifest,
    "slips": cmd_evac_slips,
}


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "info": cmd_info,
    "import": cmd_import,
    "export": cmd_export,
    "search": cmd_search,
    "stats": cmd_stats,
    "duplicates": cmd_duplicates,
    "review": cmd_review,
    "evac": cmd_evac,
    "sitrep": cmd_sitrep,
    "roster": cmd_roster,
}

if __name__ == "__main__":
    sys.exit(main())
