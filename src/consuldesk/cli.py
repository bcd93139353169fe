"""``consuldesk-cli``: the headless entry point over the same services as the window.

Exit codes: 0 done; 1 unexpected failure; 2 wrong command line; 3 bad input (an invalid value,
a list with rejected rows, an unreadable file); 4 the case file cannot be used (missing, locked,
read-only, made by a newer version).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consuldesk import __version__
from consuldesk.i18n import _, install
from consuldesk.messages import describe

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_CASEFILE = 0, 1, 2, 3, 4
CASE_FILE_ENV = "CONSULDESK_CASE_FILE"
OFFICER_ENV = "CONSULDESK_OFFICER"

EPILOG = """\
examples:
  consuldesk-cli demo                         a demo case file with 3,000 nationals
  consuldesk-cli init --post AE-ABU --name "Embassy in Abu Dhabi" --country AE
  consuldesk-cli import tourists.xlsx --dry-run    see what a list would do
  consuldesk-cli import tourists.xlsx              import it; rejected rows go to
                                                   tourists.errors.csv
  consuldesk-cli search Нұрсұлтан                  search by name (either script), IIN,
                                                   passport or phone
  consuldesk-cli stats --json                      counts for headquarters
  consuldesk-cli export nationals.xlsx --lang ru

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
        description="ConsulDesk case file from the command line: create, import, search, count.",
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

    p = sub.add_parser("import", help="import a registration list (CSV or XLSX)")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--errors", type=Path, help="where to write rejected rows (default: beside)")
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
    return parser


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
            raise
        _err(describe(exc))
        return code


def _exit_code_for(exc: BaseException) -> int:
    from consuldesk.domain.errors import DomainError
    from consuldesk.services.errors import ServiceError
    from consuldesk.store.errors import CaseFileError

    if isinstance(exc, CaseFileError):
        return EXIT_CASEFILE
    if isinstance(exc, (DomainError, ServiceError)):
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
    from consuldesk.services.lists import import_list

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
            error_file=args.errors,
            source=Source.TOUR_OPERATOR if args.tour_operator else Source.LIST_IMPORT,
        )
    finally:
        desk.close()
    if args.json:
        data = _jsonable(report)
        data.pop("changes", None)
        _print_json(data)
    else:
        _print_import(report)
    return EXIT_BAD_INPUT if report.invalid else EXIT_OK


def _print_import(report: Any) -> None:
    print(_("Columns:"))
    for col in report.mapping:
        target = col.field or _("ignored")
        note = f"  ({col.note})" if col.note else ""
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
            "  rows: {n}, new: {c}, updated: {u}, unchanged: {s}, rejected: {i}, "
            "probable duplicates flagged: {d}"
        ).format(
            n=report.total_rows,
            c=report.created,
            u=report.updated,
            s=report.unchanged,
            i=report.invalid,
            d=report.flagged_duplicates,
        )
    )
    for error in report.errors[:50]:
        print(_("  line {line}: {message}").format(line=error.line, message=error.message))
    if len(report.errors) > 50:
        print(_("  … and {n} more").format(n=len(report.errors) - 50))
    if report.error_file:
        print(
            _("Rejected rows were written to {path}: fix them there and import that file.").format(
                path=report.error_file
            )
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


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "info": cmd_info,
    "import": cmd_import,
    "export": cmd_export,
    "search": cmd_search,
    "stats": cmd_stats,
    "duplicates": cmd_duplicates,
}

if __name__ == "__main__":
    sys.exit(main())
